"""The CLI audit log: who ran which data-changing command, when, why, and what it reported."""

from __future__ import annotations

import getpass
import grp
import os

from sqlalchemy.orm import Session

from ella_app.db.models import CliLog
from ella_app.errors import ConfigError


def operator_name() -> str:
    """The person behind the command: the sudo caller when run through the admin wrapper, else the OS user."""
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
