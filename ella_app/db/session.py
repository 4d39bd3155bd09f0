"""Engines and transactions. One transaction per command: commit on success, roll back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ella_app.errors import EllaError


class DatabaseUnavailableError(EllaError):
    exit_code = 7
    http_status = 503


@lru_cache(maxsize=8)
def get_engine(db_url: str) -> Engine:
    return create_engine(db_url, pool_pre_ping=True, future=True)


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
