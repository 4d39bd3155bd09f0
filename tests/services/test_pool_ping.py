"""The connection pool pings a connection before use only after it sat idle (db/session.py ``ping_after_idle``,
issue 11: ``pool_pre_ping`` cost a round trip to PostgreSQL in every API request). What it must keep: the first
request after PostgreSQL dropped the pool's connections (a restart, an idle night) succeeds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from ella_app.api import create_app
from ella_app.config import load_settings
from ella_app.db import session as db_session
from tests.api.test_auth import GOOD, ME, _add_user, _login


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_an_idle_connection_that_died_is_replaced_before_use(pg, db_url):
    engine = create_engine(db_url, pool_size=1)
    db_session.ping_after_idle(engine, idle_seconds=0.05)
    first = _backend_pid(engine)
    assert pg.drop_connections(make_url(db_url).database) >= 1
    time.sleep(0.1)
    second = _backend_pid(engine)  # pinged, found dead, replaced: no error
    assert second != first
    engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(pg, db_url):
    """The trade-off: a server that dies between two requests costs the next one an error (the API answers it
    with 503 and Retry-After); the pool then replaces its connections and the request after succeeds."""
    engine = create_engine(db_url, pool_size=1)
    db_session.ping_after_idle(engine, idle_seconds=60)
    first = _backend_pid(engine)
    assert pg.drop_connections(make_url(db_url).database) >= 1
    with pytest.raises(OperationalError) as failed:
        _backend_pid(engine)
    assert failed.value.connection_invalidated
    assert _backend_pid(engine) != first
    engine.dispose()


def test_the_first_api_request_after_postgresql_dropped_the_connections_succeeds(pg, db_url, cli_env, monkeypatch):
    monkeypatch.setattr(db_session, "IDLE_BEFORE_PING", 0.05)  # this database's engine is made after this
    _add_user(db_url, "ann", GOOD)
    client = create_app(load_settings({**cli_env, "DB_URL": db_url})).test_client()
    assert _login(client, "ann", GOOD).status_code == 200
    assert client.get(ME).status_code == 200
    assert pg.drop_connections(make_url(db_url).database) >= 1
    time.sleep(0.1)
    answer = client.get(ME)
    assert answer.status_code == 200, answer.json
    assert answer.json["username"] == "ann"


def test_the_api_engine_pings_only_after_idle(db_url):
    engine = db_session.get_engine(db_url)
    assert engine.pool._pre_ping is False  # no round trip before every request
    assert db_session.IDLE_BEFORE_PING <= 5
