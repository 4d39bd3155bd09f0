"""The API's health endpoint, used by nginx checks, Molecule verify and the upgrade health gate."""

from __future__ import annotations

from ella_app.api import create_app
from ella_app.config import load_settings
from ella_app.db import schema


def _client(cli_env, db_url):
    settings = load_settings({**cli_env, "DB_URL": db_url})
    return create_app(settings).test_client()


def test_status_ok_at_head(cli_env, db_url):
    response = _client(cli_env, db_url).get("/api/v1/status")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["schema"]["current"] == schema.head_revision()


def test_status_503_when_schema_behind(cli_env, empty_db_url):
    schema.upgrade(empty_db_url, "0001")
    response = _client(cli_env, empty_db_url).get("/api/v1/status")
    assert response.status_code == 503
    assert response.json["schema"]["state"] == "behind"


def test_status_503_when_database_unreachable(cli_env):
    response = _client(cli_env, "postgresql://nobody@127.0.0.1:1/none").get("/api/v1/status")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_unknown_route_is_json_404(cli_env, db_url):
    response = _client(cli_env, db_url).get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json["code"] == 404


def test_database_unreachable_is_a_503_to_retry_not_a_500(cli_env):
    """PostgreSQL restarting: routes that need the database answer 503 with Retry-After, without details."""
    client = _client(cli_env, "postgresql://nobody:secret@127.0.0.1:1/none")
    login = client.post("/api/v1/users/actions/login/", json={"username": "someone", "password": "whatever"})
    assert login.status_code == 503
    assert login.headers["Retry-After"] == "1"
    assert login.json == {
        "code": 503,
        "error": "DatabaseUnavailable",
        "message": "The database is unavailable; try again.",
    }


def test_status_reuses_the_schema_check_but_asks_the_database_each_time(cli_env, pg, monkeypatch):
    """Balancers poll the status: the table inspection is kept for a few seconds, but a database that went away
    since answers 503 at once."""
    from sqlalchemy import create_engine, text

    from ella_app.db.session import get_engine
    from ella_app.services import health
    from tests.conftest import _create_database

    url = _create_database(pg, "status_cache", template="ella_template")
    calls = []
    original = schema.schema_state
    monkeypatch.setattr(schema, "schema_state", lambda db_url: calls.append(db_url) or original(db_url))
    health.forget()
    client = _client(cli_env, url)
    assert [client.get("/api/v1/status").status_code for _ in range(5)] == [200] * 5
    assert len(calls) == 1
    get_engine(url).dispose()
    admin = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE "status_cache" WITH (FORCE)'))
    admin.dispose()
    gone = client.get("/api/v1/status")
    assert gone.status_code == 503 and gone.json["database"] == "unreachable"


def test_status_survives_a_dropped_connection(cli_env, pg):
    """Without a ping before each use, a connection PostgreSQL closed (a restart) is replaced on the spot: the
    next check still answers 200, not a 503."""
    from ella_app.services import health
    from tests.conftest import _create_database

    url = _create_database(pg, "status_restart", template="ella_template")
    health.forget()
    client = _client(cli_env, url)
    assert client.get("/api/v1/status").status_code == 200
    assert pg.drop_connections("status_restart") >= 1
    assert client.get("/api/v1/status").status_code == 200
