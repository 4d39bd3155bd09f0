"""Server-side prepared statements for the read queries every variant screen runs (issue 11).

psycopg2 sends each statement as text, and PostgreSQL plans it anew every time. For the variant detail's queries
that planning is most of the work: EXPLAIN ANALYZE on a database of 1,000 analyses shows 1-3 ms of planning
against 0.1-0.3 ms of execution. A :class:`Prepared` statement is PREPAREd once per database connection, the first
time that connection runs it, and EXECUTEd from then on, so PostgreSQL keeps its plan (the plan cache switches to
a generic plan after five executions when that plan is no worse).

The statement is any SQLAlchemy statement (``select(...)`` or ``text(...)``) with named bound parameters; it is
compiled once with the psycopg2 dialect, so the SQL — and a rule built from composable conditions, such as
``services/access.py``'s — stays written in one place. PostgreSQL infers the parameters' types from where they are
used (write ``= ANY(:ids)`` for a list, never an expanding ``IN``).

What is prepared belongs to the connection (``.info`` of the pooled DBAPI connection): a new or replaced connection
(after PostgreSQL restarted, the pool's pre-ping replaces it) starts with none. PREPARE is not undone by a
rollback, so a statement stays prepared whatever the transaction that first ran it became.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.orm import Session

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_INFO_KEY = "ella_prepared"


class Prepared:
    """A statement prepared on each connection that runs it; :meth:`execute` takes the same values as the
    statement's bound parameters."""

    def __init__(self, name: str, statement: Executable) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"prepared statement name {name!r}: lower-case letters, digits and _")
        self.name = name
        self.statement = statement

    @cached_property
    def _compiled(self) -> tuple[str, tuple[str, ...]]:
        compiled = self.statement.compile(dialect=psycopg2.dialect())  # type: ignore[attr-defined]
        order: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in order:
                order.append(match.group(1))
            return f"${order.index(match.group(1)) + 1}"

        sql = _PLACEHOLDER.sub(number, str(compiled)).replace("%%", "%")  # sent without parameters: no escaping
        if "POSTCOMPILE" in sql:
            raise ValueError(f"{self.name}: an expanding IN cannot be prepared; use = ANY(:list)")
        return f"PREPARE {self.name} AS {sql}", tuple(order)

    def execute(self, session: Session, values: Mapping[str, Any]) -> CursorResult[Any]:
        prepare, order = self._compiled
        missing = [key for key in order if key not in values]
        if missing:
            raise KeyError(f"{self.name}: no value for {', '.join(missing)}")
        connection = session.connection()
        done: set[str] = connection.connection.info.setdefault(_INFO_KEY, set())
        if self.name not in done:
            connection.exec_driver_sql(prepare)
            done.add(self.name)
        if not order:
            return connection.exec_driver_sql(f"EXECUTE {self.name}")
        placeholders = ", ".join(["%s"] * len(order))
        return connection.exec_driver_sql(f"EXECUTE {self.name}({placeholders})", tuple(values[k] for k in order))
