"""One database session per request. Nothing is committed unless a view calls ``commit()``.

A request that only reads (GET, HEAD, OPTIONS) gets its session on the read engine (``db.session.get_read_engine``:
no BEGIN/ROLLBACK round trips, every write refused); the others on the transactional engine.

The one module of the API that knows the database layer: the session provider, and the handlers that turn what
PostgreSQL still rejects (a value, a unique index hit by a concurrent request) into 422/409 and a database that is
restarting or unreachable into a 503 with Retry-After, instead of a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ella_app.db.session import get_engine, get_read_engine
from ella_app.errors import ConflictError, InputError

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db() -> Session:
    store = g._get_current_object()  # one look-up of the request's globals (each proxy access costs one)
    session: Session | None = store.get("db")
    if session is None:
        db_url = current_app.config["ELLA_SETTINGS"].db_url
        engine = get_read_engine(db_url) if request.method in READ_ONLY_METHODS else get_engine(db_url)
        # A plain Session, not sessionmaker(...)(): each sessionmaker call builds a new Session subclass whose
        # event dispatch SQLAlchemy sets up again (about half a millisecond of every request).
        session = store.db = Session(engine, expire_on_commit=False)
    return session


def _data_error(exc: DataError) -> Any:
    db().rollback()
    error = InputError(f"a value was rejected by the database: {str(exc.orig).splitlines()[0][:200]}")
    return jsonify({"code": 422, "error": "InputError", "message": error.message}), 422


def _integrity_error(exc: IntegrityError) -> Any:
    db().rollback()
    error = ConflictError("the change conflicts with a concurrent one; reload and try again")
    return jsonify({"code": 409, "error": "ConflictError", "message": error.message}), 409


def _database_unavailable(exc: OperationalError) -> Any:
    # PostgreSQL restarting, failing over or out of connections: a 503 the client may retry (details in the log)
    current_app.logger.warning("database unavailable: %s", str(exc.orig).strip() or type(exc.orig).__name__)
    body = {"code": 503, "error": "DatabaseUnavailable", "message": "The database is unavailable; try again."}
    return jsonify(body), 503, {"Retry-After": "1"}


def init_app(app: Flask) -> None:
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _database_unavailable)

    @app.teardown_appcontext
    def close_session(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            # close() rolls back what was not committed and lets go of the objects; a rollback() first would
            # also expire each of them, work for objects nobody reads again
            session.close()
