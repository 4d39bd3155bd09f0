"""The CLI audit log: who ran which data-changing command, when, why, and what it reported."""

from __future__ import annotations

import getpass
import grp
import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import CliLog
from ella_app.errors import ConfigError

MAX_LIST = 10_000


def operator_name() -> str:
    """The person behind the command, in this order: ``ELLA_OPERATOR`` (the host's ``ella-cli`` wrapper sets
    it to the sudo caller or the login user before it drops to the service user with a clean environment),
    ``SUDO_USER`` (``sudo -u ella ella-cli …``), else the OS user."""
    for variable in ("ELLA_OPERATOR", "SUDO_USER"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ConfigError("cannot determine the operating-system user for the audit log") from None


def _os_group() -> str | None:
    try:
        return grp.getgrgid(os.getgid()).gr_name
    except KeyError:
        return None


def record(
    session: Session, groupcommand: str, command: str, argv: list[str], reason: str | None, output: str | None
) -> CliLog:
    row = CliLog(
        user=operator_name(),
        group=_os_group(),
        groupcommand=groupcommand,
        command=command,
        argv=argv,
        reason=reason,
        output=output,
    )
    session.add(row)
    session.flush()
    return row


def list_entries(session: Session, limit: int = 20, user: str | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` audit rows (of ``user`` only, if given), newest first."""
    if not 1 <= limit <= MAX_LIST:
        raise ValueError(f"limit must be between 1 and {MAX_LIST}")
    query = select(CliLog).order_by(CliLog.id.desc()).limit(limit)
    if user:
        query = query.where(CliLog.user == user)
    return [
        {
            "id": row.id,
            "time": row.time.isoformat(),
            "user": row.user,
            "group": row.group,
            "command": f"{row.groupcommand} {row.command}",
            "argv": row.argv,
            "reason": row.reason,
            "output": row.output,
        }
        for row in session.scalars(query)
    ]
