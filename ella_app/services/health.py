"""Health of the application for ``GET /api/v1/status`` (balancers poll it every few seconds).

Every check asks the database one small question — its schema version (``alembic_version``) — so a database
that is down or unreachable answers 503 at once. The rest of the schema check (inspecting the tables, reading
the migration scripts for the head revision) is kept per process: the head never changes while the code runs,
and the table inspection is redone only after ``TTL`` seconds or when the version differs from the one seen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from ella_app.db import schema
from ella_app.errors import EllaError

TTL = 5.0  # seconds a full schema check is reused


@dataclass(frozen=True)
class Health:
    ok: bool
    body: dict[str, Any]

    @property
    def status(self) -> int:
        return 200 if self.ok else 503


_lock = threading.Lock()
_checked: dict[str, tuple[float, schema.SchemaState]] = {}


@cache
def head_revision() -> str:
    return schema.head_revision()


_engines: dict[str, Engine] = {}


def _engine(db_url: str) -> Engine:
    """A small pool of its own without a ping before each use: the check itself is the ping (a connection
    found dead is replaced and the question asked once more)."""
    with _lock:
        engine = _engines.get(db_url)
        if engine is None:
            engine = _engines[db_url] = create_engine(db_url, pool_size=2, max_overflow=8, pool_pre_ping=False)
    return engine


def _version(db_url: str) -> str | None:
    """The schema version stored in the database (None when there is no ``alembic_version`` table)."""
    for attempt in (1, 2):
        try:
            with _engine(db_url).connect() as connection:
                try:
                    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                except ProgrammingError:
                    return None
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None


def _state(db_url: str, version: str | None) -> schema.SchemaState:
    now = time.monotonic()
    with _lock:
        found = _checked.get(db_url)
    if found is not None and now - found[0] < TTL and found[1].current == version:
        return found[1]
    state = schema.schema_state(db_url)
    with _lock:
        _checked[db_url] = (now, state)
    return state


def check(db_url: str, version_label: str) -> tuple[Health, Exception | None]:
    """The health answer, and the exception when the database could not be reached (for the log)."""
    body: dict[str, Any] = {"version": version_label}
    try:
        version = _version(db_url)
        state = _state(db_url, version)
    except EllaError as exc:
        return Health(False, {**body, "status": "error", "database": exc.message}), None
    except (DBAPIError, OSError) as exc:
        return Health(False, {**body, "status": "error", "database": "unreachable"}), exc
    state = replace(state, current=version, head=head_revision())
    ok = state.state == "head" and version == head_revision()
    body.update({"status": "ok" if ok else "error", "database": "ok", "schema": state.as_dict()})
    return Health(ok, body), None


def forget() -> None:
    """Drop the kept schema checks and connections (tests, and after a migration run in this process)."""
    with _lock:
        _checked.clear()
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()
