"""``ella-cli annotationconfig update|list``: the annotation configs (``annotationconfig`` table).

As ELLA: the row with the highest id is the active config, used by the next import; ``update`` inserts a new
row unless the file matches the active one — ``deposit`` compared without regard to order or repeats, ``view``
exactly. ELLA then raises ("matches the current active annotation config"); here that is "unchanged", exit 0,
so the command can run on every deployment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import AnnotationConfig
from ella_app.services.results import ChangeReport


def active(session: Session) -> AnnotationConfig | None:
    return session.scalars(select(AnnotationConfig).order_by(AnnotationConfig.id.desc()).limit(1)).first()


def _same(row: AnnotationConfig, config: dict[str, Any]) -> bool:
    stored, given = row.deposit or [], config["deposit"]
    return all(x in stored for x in given) and all(x in given for x in stored) and (row.view or []) == config["view"]


def update(session: Session, config: dict[str, Any]) -> ChangeReport:
    """Make ``config`` (read by ``formats.annotation_config.read_config_file``) the active annotation config."""
    report = ChangeReport(kind="annotation config")
    current = active(session)
    if current is not None and _same(current, config):
        report.unchanged.append(f"annotationconfig {current.id}")
        report.messages.append(f"The annotation config matches the active annotation config (id {current.id}).")
        report.extra["active_id"] = current.id
        return report
    row = AnnotationConfig(deposit=config["deposit"], view=config["view"])
    session.add(row)
    session.flush()
    report.created.append(f"annotationconfig {row.id}")
    report.extra["active_id"] = row.id
    return report


def describe(session: Session) -> dict[str, Any] | None:
    """The active config as ``annotationconfig list`` shows it."""
    row = active(session)
    if row is None:
        return None
    return {
        "id": row.id,
        "date_created": row.date_created.isoformat(),
        "deposit": row.deposit,
        "view": row.view,
    }
