"""Engines and transactions. One transaction per command: commit on success, roll back on any error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session

from ella_app.errors import EllaError


class DatabaseUnavailableError(EllaError):
    exit_code = 7
    http_status = 503


# A pooled connection idle longer than this is pinged before use; one used more recently is taken as it is.
IDLE_BEFORE_PING = 1.0  # seconds


@lru_cache(maxsize=8)
def get_engine(db_url: str) -> Engine:
    engine = create_engine(db_url, future=True)
    ping_after_idle(engine)
    return engine


@lru_cache(maxsize=8)
def get_read_engine(db_url: str) -> Engine:
    """An engine for requests that only read (the API's GET, HEAD and OPTIONS): its connections run each statement
    in a transaction of its own (autocommit) and refuse every write (``default_transaction_read_only``).

    Under PostgreSQL's READ COMMITTED every statement sees a snapshot of its own anyway, so a read-only request
    sees the same data either way; it is spared the BEGIN and ROLLBACK round trips a transaction costs (two of the
    three round trips of a request that asks one thing). A write in a read-only request fails instead of being
    committed piecemeal; work that must write on a GET (a filter result computed on demand) takes a write
    connection of its own (:func:`writable`).
    """
    engine = create_engine(db_url, future=True, isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET SESSION default_transaction_read_only = on")
        dbapi_connection.commit()  # ends the transaction psycopg2 opened for the SET, if it opened one

    ping_after_idle(engine)
    _read_engines[engine] = db_url
    return engine


_read_engines: dict[Engine, str] = {}


def writable(engine: Engine) -> Engine:
    """The transactional engine of the same database as ``engine`` (``engine`` itself when it is one)."""
    db_url = _read_engines.get(engine)
    return engine if db_url is None else get_engine(db_url)


def ping_after_idle(engine: Engine, idle_seconds: float | None = None) -> None:
    """Ping a pooled connection before use only when it has been idle longer than ``idle_seconds`` (by default
    ``IDLE_BEFORE_PING``).

    SQLAlchemy's ``pool_pre_ping`` pings before every checkout: a round trip to PostgreSQL in every API request
    (about 0.3 ms of the worker's CPU, and the server's). A connection the pool handed out moments ago is
    alive but for a server that died in between; then the query fails, SQLAlchemy recycles every connection of
    that pool, and the API answers 503 with Retry-After (``api/db.py``). After a restart or an idle night the
    connections have waited longer than ``idle_seconds``, so the ping finds them dead and the pool reconnects
    before the request runs: the first request after a PostgreSQL restart succeeds.
    """
    dialect = engine.dialect
    limit = IDLE_BEFORE_PING if idle_seconds is None else idle_seconds

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["ella_returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("ella_returned_at")
        if returned is None or time.monotonic() - returned <= limit:
            return  # a new connection, or one in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError(str(exc)) from exc  # the pool replaces it and checks out again
            raise


@contextmanager
def transaction(db_url: str) -> Iterator[Session]:
    """A session inside one transaction; committed when the block ends without an exception."""
    session = Session(get_engine(db_url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise DatabaseUnavailableError(f"database error: {exc.orig}") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
