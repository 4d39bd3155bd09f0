"""One database session per request. Nothing is committed unless a view calls ``commit()``."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from ella_app.db.session import get_engine


def db() -> Session:
    if "db" not in g:
        settings = current_app.config["ELLA_SETTINGS"]
        g.db = sessionmaker(get_engine(settings.db_url), expire_on_commit=False)()
    return g.db


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()
