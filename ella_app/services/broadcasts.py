"""Broadcast messages: shown as a banner to every user of the web UI while active."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Broadcast
from ella_app.errors import InputError, NotFoundError
from ella_app.services.results import ChangeReport


def _as_dict(broadcast: Broadcast) -> dict[str, Any]:
    return {
        "id": broadcast.id,
        "date_created": broadcast.date_created.isoformat() if broadcast.date_created else None,
        "message": broadcast.message,
        "active": broadcast.active,
    }


def new_broadcast(session: Session, message: str) -> ChangeReport:
    """Create a broadcast; it is active (visible) at once."""
    message = " ".join(message.split())
    if not message:
        raise InputError("a broadcast needs a message", key="message")
    broadcast = Broadcast(message=message, active=True)
    session.add(broadcast)
    session.flush()
    return ChangeReport(kind="broadcast", created=[str(broadcast.id)], extra={"id": broadcast.id})


def list_broadcasts(session: Session, include_inactive: bool = False, last: int | None = None) -> list[dict[str, Any]]:
    """Active broadcasts, oldest first; all of them with ``include_inactive``; with ``last``, the newest
    ``last`` of all (active or not), oldest first (ELLA's ``broadcast list --tail``: the last 10)."""
    if last is not None:
        newest = select(Broadcast).order_by(Broadcast.date_created.desc(), Broadcast.id.desc()).limit(last)
        return [_as_dict(b) for b in reversed(session.scalars(newest).all())]
    query = select(Broadcast).order_by(Broadcast.id)
    if not include_inactive:
        query = query.where(Broadcast.active.is_(True))
    return [_as_dict(b) for b in session.scalars(query)]


def deactivate_broadcast(session: Session, broadcast_id: int) -> ChangeReport:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFoundError(f"no broadcast with id {broadcast_id}")
    report = ChangeReport(kind="broadcast", extra={"id": broadcast_id})
    if broadcast.active:
        broadcast.active = False
        report.updated.append(str(broadcast_id))
    else:
        report.unchanged.append(str(broadcast_id))
        report.messages.append(f"broadcast {broadcast_id} was already inactive")
    session.flush()
    return report
