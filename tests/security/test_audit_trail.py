"""ELLA's audit trail (ella-features.md S08): one ``resourcelog`` row per API request with the payload of
state-changing requests (passwords redacted), written in batches off the request; the web UI's error reports
in ``uiexception``; ``ella-cli users activity``.

Mirrors ELLA src/api/util/util.py::log_request (the columns, payloads of POST/PUT/PATCH/DELETE) and
src/api/v1/resources/ui.py (exception log, session optional).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.api.requestlog import writer
from ella_app.services import resourcelog
from tests.api.factories import PASSWORD, Api, build_world, copy_db, make_app, template_db
from tests.conftest import Cli


@pytest.fixture(scope="module")
def template(pg):
    return template_db(pg, build_world)


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        yield app, url, world
        writer(app).flush()


def _rows(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return rows


def _log(app, url) -> list[dict[str, Any]]:
    assert writer(app).flush()
    return _rows(url, "SELECT * FROM resourcelog ORDER BY id")


def test_every_request_has_a_row_with_who_what_status_and_duration(env):
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    analysis = world.analyses["hboc"]
    assert ada.get(f"/api/v1/analyses/{analysis}/?x=1").status_code == 200
    assert ada.get("/api/v1/analyses/999999/").status_code == 404
    assert app.test_client().get("/api/v1/users/currentuser/").status_code == 403
    assert ada.get("/api/v1/analyses/?name=a%01b").status_code == 422  # refused by the guard: logged too
    log = _log(app, url)
    assert [(r["method"], r["resource"], r["statuscode"]) for r in log] == [
        ("GET", f"/api/v1/analyses/{analysis}/", 200),
        ("GET", "/api/v1/analyses/999999/", 404),
        ("GET", "/api/v1/users/currentuser/", 403),
        ("GET", "/api/v1/analyses/", 422),
    ]
    assert [r["user_id"] for r in log] == [world.users["ada"], world.users["ada"], None, world.users["ada"]]
    assert log[0]["query"] == "x=1" and log[0]["usersession_id"] is not None
    assert all(r["duration"] > 0 and r["remote_addr"] == "127.0.0.1" and r["payload"] is None for r in log)
    assert log[0]["response_size"] > 0


def test_payloads_of_changes_are_kept_with_passwords_redacted(env):
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    base = f"/api/v1/workflows/analyses/{world.analyses['hboc']}"
    assert ada.post(f"{base}/logs/", json={"message": "called the lab"}).status_code == 201
    client = app.test_client()
    login = client.post("/api/v1/users/actions/login/", json={"username": "ada", "password": PASSWORD})
    assert login.status_code == 200
    changed = client.post(
        "/api/v1/users/actions/changepassword/",
        json={"username": "ada", "password": "Wrong-Guess-123", "new_password": "Secret-New-Pass-99"},
    )
    assert changed.status_code == 401
    garbled = client.post("/api/v1/users/actions/login/", data="password=Plain-Text-Secret", content_type="text/plain")
    assert garbled.status_code == 422
    log = _log(app, url)
    assert json.loads(log[0]["payload"]) == {"message": "called the lab"}
    assert log[0]["payload_size"] == len(json.dumps({"message": "called the lab"}))
    assert json.loads(log[1]["payload"]) == {"username": "ada", "password": "[redacted]"}
    assert (log[1]["statuscode"], log[1]["user_id"]) == (200, None)  # no session yet when it came in
    assert json.loads(log[2]["payload"]) == {
        "username": "ada",
        "password": "[redacted]",
        "new_password": "[redacted]",
    }
    assert log[3]["payload"] == "[redacted]"  # not JSON on a credential route: not kept at all
    everything = json.dumps(log, default=str)
    for secret in (PASSWORD, "Wrong-Guess-123", "Secret-New-Pass-99", "Plain-Text-Secret"):
        assert secret not in everything


def test_redaction_reaches_nested_keys():
    body = {"user": {"Password": "a", "tokens": ["b"], "name": "x"}, "list": [{"client_secret": "c"}]}
    assert resourcelog.redact(body) == {
        "user": {"Password": "[redacted]", "tokens": "[redacted]", "name": "x"},
        "list": [{"client_secret": "[redacted]"}],
    }
    assert resourcelog.payload_text("/api/v1/x/", b"a" * 200_000).endswith("[200000 characters]")


def test_a_body_nested_too_deep_to_parse_keeps_its_row_not_the_body(env):
    """JSON nested past Python's recursion limit cannot be parsed to redact it: the row is written with a marker
    for the body (the RecursionError in the writer thread dropped the row after three tries)."""
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    deep = '{"password": "Plain-Text-Secret", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    base = f"/api/v1/workflows/analyses/{world.analyses['hboc']}"
    refused = ada.post(f"{base}/logs/", data=deep, content_type="application/json")
    assert refused.status_code in (400, 422)
    log = _log(app, url)
    assert [(r["resource"], r["statuscode"], r["payload"]) for r in log] == [
        (f"{base}/logs/", refused.status_code, resourcelog.TOO_DEEP)
    ]
    assert log[0]["payload_size"] == len(deep)
    assert writer(app).dropped == 0


def test_requests_do_not_wait_for_the_database_write(env, monkeypatch):
    """The row is written by the writer thread; a stalled write does not hold the request."""
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    ada.get("/api/v1/users/currentuser/")
    assert writer(app).flush()
    release = threading.Event()
    real_write = resourcelog.write

    def stalled(session: Any, records: Any) -> None:
        release.wait(20)
        real_write(session, records)

    monkeypatch.setattr(resourcelog, "write", stalled)
    start = time.perf_counter()
    for _ in range(5):
        assert ada.get("/api/v1/users/currentuser/").status_code == 200
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"5 requests took {elapsed:.1f} s while the log write was stalled"
    assert len(_rows(url, "SELECT id FROM resourcelog")) == 1  # nothing of the 5 written yet
    release.set()
    assert len(_log(app, url)) == 6


def test_ui_exception_log_with_and_without_session(env):
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    report = {
        "message": "TypeError: x is undefined",
        "location": "#/workflows/analyses/1",
        "stacktrace": "at render (pages/workflow.js:12:3)",
        "state": {"view": "/workflows/analyses/1"},
    }
    assert ada.post("/api/v1/ui/exceptionlog/", json=report).status_code == 204
    assert app.test_client().post("/api/v1/ui/exceptionlog/", json={"message": "on the login page"}).status_code == 204
    rows = _rows(url, "SELECT * FROM uiexception ORDER BY id")
    assert [(r["message"], r["user_id"]) for r in rows] == [
        ("TypeError: x is undefined", world.users["ada"]),
        ("on the login page", None),
    ]
    assert rows[0]["state"] == {"view": "/workflows/analyses/1"} and rows[0]["usersession_id"] is not None
    client = app.test_client()
    assert client.post("/api/v1/ui/exceptionlog/", json={}).status_code == 422
    assert client.post("/api/v1/ui/exceptionlog/", json={"message": "x" * 20_000}).status_code == 422
    huge = {"message": "big", "state": {"blob": "y" * 300_000}}
    assert client.post("/api/v1/ui/exceptionlog/", json=huge).status_code == 422
    foreign = client.post("/api/v1/ui/exceptionlog/", json={"message": "x"}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert len(_rows(url, "SELECT id FROM uiexception")) == 2


def test_users_activity_lists_the_latest_active_first_with_request_counts(env, cli_env):
    app, url, world = env
    ada, bob = Api(app, url, world.users["ada"]), Api(app, url, world.users["bob"])
    for _ in range(3):
        ada.get("/api/v1/users/currentuser/")
    bob.get("/api/v1/users/currentuser/")
    assert writer(app).flush()
    cli = Cli({**cli_env, "DB_URL": url})
    result = cli.ok("users", "activity", "--json").json()
    by_name = {row["username"]: row for row in result["users"]}
    assert result["changed"] is False and result["days"] == 30
    assert (by_name["ada"]["requests"], by_name["bob"]["requests"], by_name["cid"]["requests"]) == (3, 1, 0)
    assert by_name["ada"]["last_activity"] is not None and by_name["cid"]["last_activity"] is None
    assert [row["username"] for row in result["users"]][-1] == "cid"  # never active: last
    table = cli.ok("users", "activity").stdout.splitlines()
    assert table[0].split("\t") == ["username", "first_name", "last_name", "group", "last_activity", "last_login",
                                    "requests"]  # fmt: skip
    assert cli("users", "activity", "--days", "0").exit_code == 2


def test_refused_cross_site_requests_name_the_user(env):
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    refused = ada.post("/api/v1/users/actions/logout/", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    [row] = _log(app, url)
    assert (row["statuscode"], row["user_id"]) == (403, world.users["ada"])
