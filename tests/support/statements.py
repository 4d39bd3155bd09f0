"""What a block of code sends to PostgreSQL through the app's engine: what the engine runs (its events) and what
prepared statements send (db/prepared.py, which engine events do not see), in order, on the transactional and the
read-only engine (db/session.py), whitespace collapsed once
the block is over. Tests that pin how many queries a request costs use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from ella_app.db.prepared import observe
from ella_app.db.session import get_engine, get_read_engine


@contextmanager
def recorded(db_url: str) -> Iterator[list[str]]:
    with observe() as statements:

        def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            statements.append(statement)

        engines = (get_engine(db_url), get_read_engine(db_url))  # the API's reads go through the second
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)
            statements[:] = [" ".join(s.split()) for s in statements]
