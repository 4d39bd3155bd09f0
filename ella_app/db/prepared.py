"""Server-side prepared statements for the read queries every variant screen runs (issue 11).

psycopg2 sends each statement as text, and PostgreSQL plans it anew every time. For the variant detail's queries
that planning is most of the work: EXPLAIN ANALYZE on a database of 1,000 analyses shows 1-3 ms of planning
against 0.1-0.3 ms of execution. A :class:`Prepared` statement is PREPAREd once per database connection, the first
time that connection runs it, and EXECUTEd from then on, so PostgreSQL keeps its plan (the plan cache switches to
a generic plan after five executions when that plan is no worse). A statement over an array parameter (``unnest``,
``= ANY``) seldom gets there: its generic plan is costed for an array of unknown length and loses to the plan for
the array at hand, so every EXECUTE is planned again. Where one value is the common case, give it a statement of
its own (``services/variants.py``'s one-allele detail; tests/services/test_prepared.py checks its plans are kept).

The statement is any SQLAlchemy statement (``select(...)`` or ``text(...)``) with named bound parameters; it is
compiled once with the psycopg2 dialect, so the SQL — and a rule built from composable conditions, such as
``services/access.py``'s — stays written in one place. PostgreSQL infers the parameters' types from where they are
used (write ``= ANY(:ids)`` for a list, never an expanding ``IN``).

What is prepared belongs to the connection (``.info`` of the pooled DBAPI connection): a new or replaced connection
(after PostgreSQL restarted, the pool replaces it) starts with none. PREPARE is not undone by a rollback, so a
statement stays prepared whatever the transaction that first ran it became.

The statements go straight to the psycopg2 cursor of the session's connection and come back as plain tuples:
SQLAlchemy's result objects (a column map per statement, row proxies) cost more than these small queries'
execution. Errors are still SQLAlchemy's (``OperationalError``, ``DataError``... with the connection invalidated
on a disconnect), so the API's handlers answer them as for any other query. Engine events do not see these
statements; :func:`observe` does (tests count what a request sends).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import psycopg2
from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql import psycopg2 as psycopg2_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_INFO_KEY = "ella_prepared"
_observers: list[Callable[[str], None]] = []


@contextmanager
def observe() -> Iterator[list[str]]:
    """The statements prepared statements send while the block runs (PREPARE ... and EXECUTE name(%s, ...))."""
    sent: list[str] = []
    _observers.append(sent.append)
    try:
        yield sent
    finally:
        _observers.remove(sent.append)


class Prepared:
    """A statement prepared on each connection that runs it; :meth:`rows` and :meth:`first` take the same
    values as the statement's bound parameters."""

    def __init__(self, name: str, statement: Executable) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"prepared statement name {name!r}: lower-case letters, digits and _")
        self.name = name
        self.statement = statement

    @cached_property
    def _compiled(self) -> tuple[str, str, tuple[str, ...]]:
        compiled = self.statement.compile(dialect=psycopg2_dialect.dialect())  # type: ignore[attr-defined]
        order: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in order:
                order.append(match.group(1))
            return f"${order.index(match.group(1)) + 1}"

        sql = _PLACEHOLDER.sub(number, str(compiled)).replace("%%", "%")  # sent without parameters: no escaping
        if "POSTCOMPILE" in sql:
            raise ValueError(f"{self.name}: an expanding IN cannot be prepared; use = ANY(:list)")
        execute = f"EXECUTE {self.name}({', '.join(['%s'] * len(order))})" if order else f"EXECUTE {self.name}"
        return f"PREPARE {self.name} AS {sql}", execute, tuple(order)

    def rows(self, session: Session, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, as tuples in the statement's column order."""
        prepare, execute, order = self._compiled
        missing = [key for key in order if key not in values]
        if missing:
            raise KeyError(f"{self.name}: no value for {', '.join(missing)}")
        parameters = tuple(values[k] for k in order)
        connection = session.connection()
        pooled = connection.connection
        done: set[str] = pooled.info.setdefault(_INFO_KEY, set())
        cursor = pooled.driver_connection.cursor()  # type: ignore[union-attr]
        statement = prepare
        try:
            if self.name not in done:
                for observer in _observers:
                    observer(prepare)
                cursor.execute(prepare)
                done.add(self.name)
            statement = execute
            for observer in _observers:
                observer(execute)
            cursor.execute(execute, parameters)
            return cursor.fetchall()  # type: ignore[no-any-return]
        except psycopg2.Error as exc:
            lost = connection.dialect.is_disconnect(exc, pooled, cursor)
            if lost:
                connection.invalidate(exc)
            error = DBAPIError.instance(statement, parameters, exc, psycopg2.Error, connection_invalidated=lost)
            raise error from exc
        finally:
            cursor.close()

    def first(self, session: Session, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        found = self.rows(session, values)
        return found[0] if found else None
