"""Login, change password, current user, logout: ELLA's rules (spec §5) through the real API and database."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ella_app.api import create_app
from ella_app.config import load_settings
from ella_app.db.models import User, UserGroup
from ella_app.security import passwords, tokens

LOGIN = "/api/v1/users/actions/login/"
CHANGE = "/api/v1/users/actions/changepassword/"
LOGOUT = "/api/v1/users/actions/logout/"
ME = "/api/v1/users/currentuser/"
GOOD = "Correct-Horse-7-Battery"


def _add_user(db_url: str, username: str, password: str, *, expired: bool = False, active: bool = True) -> None:
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        group = session.query(UserGroup).filter_by(name="lab").one_or_none() or UserGroup(name="lab", config={})
        session.add(group)
        session.flush()
        expiry = passwords.EXPIRED if expired else dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        session.add(
            User(
                username=username,
                first_name="Ada",
                last_name="Lovelace",
                group_id=group.id,
                password=passwords.hash_password(password),
                password_expiry=expiry,
                active=active,
                config={},
            )
        )
    engine.dispose()


@pytest.fixture
def client(cli_env, db_url):
    app = create_app(load_settings({**cli_env, "DB_URL": db_url}))
    return app.test_client()


def _login(client, username, password, **kw):
    return client.post(LOGIN, json={"username": username, "password": password}, **kw)


def test_one_time_password_must_be_changed_then_login_works(client, db_url):
    _add_user(db_url, "ada", "OneTime-Pass-123", expired=True)
    refused = _login(client, "ada", "OneTime-Pass-123")
    assert refused.status_code == 401 and refused.json["error"] == "PasswordExpiredError"
    weak = client.post(CHANGE, json={"username": "ada", "password": "OneTime-Pass-123", "new_password": "short"})
    assert weak.status_code == 422 and "shorter than 12" in weak.json["message"]
    same = client.post(
        CHANGE, json={"username": "ada", "password": "OneTime-Pass-123", "new_password": "OneTime-Pass-123"}
    )
    assert same.status_code == 422 and "current password" in same.json["message"]
    changed = client.post(CHANGE, json={"username": "ada", "password": "OneTime-Pass-123", "new_password": GOOD})
    assert changed.status_code == 200

    response = _login(client, "ada", GOOD)
    assert response.status_code == 200 and response.json["username"] == "ada"
    cookie = response.headers.getlist("Set-Cookie")[0]
    assert cookie.startswith("AuthenticationToken=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP in this test
    assert client.get(ME).json["group"]["name"] == "lab"


def test_session_token_is_stored_hashed(client, db_url):
    _add_user(db_url, "bob", GOOD)
    token = _login(client, "bob", GOOD).headers.getlist("Set-Cookie")[0].split(";")[0].split("=", 1)[1]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token FROM usersession")).scalars().all()
    engine.dispose()
    assert len(token) == 64 and token not in stored and len(stored) == 1


def test_unauthenticated_is_403_and_logout_needs_csrf(client, db_url):
    assert client.get(ME).status_code == 403
    _add_user(db_url, "cy", GOOD)
    _login(client, "cy", GOOD)
    assert client.post(LOGOUT).status_code == 403  # no CSRF header
    csrf = client.get_cookie("csrf_token").value
    assert client.post(LOGOUT, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get(ME).status_code == 403


def test_lockout_after_six_failures(client, db_url):
    _add_user(db_url, "dee", GOOD)
    codes = [_login(client, "dee", f"wrong-{i}").status_code for i in range(6)]
    assert codes == [401] * 6
    locked = _login(client, "dee", GOOD)
    assert locked.status_code == 401 and "too many failed logins" in locked.json["message"]


def test_inactive_user_refused(client, db_url):
    _add_user(db_url, "eve", GOOD, active=False)
    response = _login(client, "eve", GOOD)
    assert response.status_code == 401 and "deactivated" in response.json["message"]


def test_unknown_user_and_wrong_password_look_the_same(client, db_url):
    _add_user(db_url, "fay", GOOD)
    a, b = _login(client, "nobody", GOOD), _login(client, "fay", "nope")
    assert a.status_code == b.status_code == 401 and a.json["message"] == b.json["message"]


def test_password_reuse_rejected(client, db_url):
    _add_user(db_url, "gus", GOOD)
    second = "Another-Good-Pass-9"
    assert client.post(CHANGE, json={"username": "gus", "password": GOOD, "new_password": second}).status_code == 200
    back = client.post(CHANGE, json={"username": "gus", "password": second, "new_password": GOOD})
    assert back.status_code == 422 and "last 13 passwords" in back.json["message"]


def test_secure_cookie_behind_tls_proxy(client, db_url):
    _add_user(db_url, "hal", GOOD)
    response = _login(client, "hal", GOOD, headers={"X-Forwarded-Proto": "https"})
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not json",
        [],
        {"username": "x"},
        {"username": 1, "password": "x"},
        {"username": "x", "password": "y", "z": 1},
    ],
)
def test_bad_bodies_are_4xx_never_500(client, body):
    if isinstance(body, str) or body is None:
        response = client.post(LOGIN, data=body or "", content_type="application/json")
    else:
        response = client.post(LOGIN, json=body)
    assert 400 <= response.status_code < 500, response.json


def test_deeply_nested_body_is_4xx(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(LOGIN, data=body, content_type="application/json")
    assert response.status_code == 422


# ------------------------------------------------------------------------------------------ enumeration
# Issue 12, defect 5: a locked account answered another message, ~40x faster (no password check), so anyone
# could tell which usernames exist.


def _lock(client, username: str) -> None:
    for i in range(6):
        assert _login(client, username, f"wrong-{i}").status_code == 401


def test_wrong_password_answers_alike_for_unknown_locked_inactive_and_ordinary_users(client, db_url):
    _add_user(db_url, "kim", GOOD)
    _add_user(db_url, "lou", GOOD)
    _add_user(db_url, "max", GOOD, active=False)
    _lock(client, "lou")
    answers = {name: _login(client, name, "Wrong-Password-1") for name in ("nobody", "kim", "lou", "max")}
    assert {(r.status_code, r.json["error"], r.json["message"]) for r in answers.values()} == {
        (401, "AuthError", "invalid username or password")
    }
    changes = {
        name: client.post(CHANGE, json={"username": name, "password": "Wrong-Password-1", "new_password": GOOD + "x"})
        for name in ("nobody", "lou", "max")
    }
    assert {(r.status_code, r.json["message"]) for r in changes.values()} == {(401, "invalid username or password")}
    # the holder of the right password learns why
    assert "too many failed logins" in _login(client, "lou", GOOD).json["message"]
    assert "deactivated" in _login(client, "max", GOOD).json["message"]


def test_every_refusal_costs_one_password_verification(client, db_url, monkeypatch):
    """Unknown, locked and deactivated users are verified like the others (against a dummy hash for the
    unknown), so the work per attempt does not depend on the account's existence or state."""
    _add_user(db_url, "ned", GOOD)
    _add_user(db_url, "ola", GOOD, active=False)
    _lock(client, "ned")
    calls: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: calls.append(p) or real(h, p))
    for name in ("nobody", "ned", "ola"):
        calls.clear()
        assert _login(client, name, "Wrong-Password-2").status_code == 401
        assert calls == ["Wrong-Password-2"], name


def test_locked_and_unknown_users_take_comparable_time(client, db_url, monkeypatch):
    """With argon2 parameters that cost tens of milliseconds (production ones cost more), a locked account
    answers within a factor of 2 of an unknown one (it was ~40x faster)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=32 * 1024, parallelism=1))
    _add_user(db_url, "pat", GOOD)
    _lock(client, "pat")

    def median_ms(username: str) -> float:
        times = []
        for _ in range(7):
            start = time.perf_counter()
            assert _login(client, username, "Wrong-Password-3").status_code == 401
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    median_ms("nobody")  # warm up (the dummy hash is made once)
    unknown, locked = median_ms("nobody"), median_ms("pat")
    assert unknown > 10, f"the hashing parameters are too cheap to measure: {unknown:.1f} ms"
    assert 0.5 < locked / unknown < 2, f"locked {locked:.1f} ms, unknown {unknown:.1f} ms"


# ------------------------------------------------------------------------------------------ CSRF
# Issue 12, defect 6: the CSRF token was any value sent both as cookie and header (not bound to the session),
# and requests from other sites were not refused.


def _logged_in(db_url, cli_env, username: str):
    _add_user(db_url, username, GOOD)
    c = create_app(load_settings({**cli_env, "DB_URL": db_url})).test_client()
    assert _login(c, username, GOOD).status_code == 200
    return c


def test_csrf_token_is_bound_to_the_session(db_url, cli_env):
    ann, ben = _logged_in(db_url, cli_env, "ann"), _logged_in(db_url, cli_env, "ben")
    token = ann.get_cookie("AuthenticationToken").value
    own = ann.get_cookie("csrf_token").value
    assert own == tokens.csrf_token(token) and own != token
    other = ben.get_cookie("csrf_token").value
    assert ann.post(LOGOUT, headers={"X-CSRF-Token": other}).status_code == 403  # another session's token
    ann.set_cookie("csrf_token", "planted-by-a-sibling-site")  # cookie tossing: cookie and header agree
    planted = ann.post(LOGOUT, headers={"X-CSRF-Token": "planted-by-a-sibling-site"})
    assert planted.status_code == 403 and "CSRF" in planted.json["message"]
    assert ann.post(LOGOUT, headers={"X-CSRF-Token": own}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost:1"},  # same host, other port
        {"Origin": "https://localhost"},  # same host, other scheme
        {"Origin": "null"},  # sandboxed frames, some redirects
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_unsafe_requests_from_other_sites_are_refused(client, db_url, headers):
    _add_user(db_url, "ivy", GOOD)
    login = _login(client, "ivy", GOOD, headers=headers)  # login CSRF: public routes are checked too
    assert login.status_code == 403 and "cross-site" in login.json["message"]
    assert client.get_cookie("AuthenticationToken") is None
    assert _login(client, "ivy", GOOD).status_code == 200
    csrf = client.get_cookie("csrf_token").value
    refused = client.post(LOGOUT, headers={"X-CSRF-Token": csrf, **headers})
    assert refused.status_code == 403
    assert client.get(ME).status_code == 200  # still logged in: the logout was refused
    assert client.get(ME, headers=headers).status_code == 200  # reads are not state-changing


@pytest.mark.parametrize(
    ("origin", "forwarded"),
    [
        ("http://localhost", {}),
        ("https://ella.example:3114", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ella.example:3114"}),
        ("https://ella.example", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ella.example:443"}),
        ("https://ELLA.example", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ella.example"}),
    ],
)
def test_same_origin_through_the_proxy_is_accepted(client, db_url, origin, forwarded):
    _add_user(db_url, "joe", GOOD)
    headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin", **forwarded}
    assert _login(client, "joe", GOOD, headers=headers).status_code == 200
    csrf = client.get_cookie("csrf_token").value
    assert client.post(LOGOUT, headers={"X-CSRF-Token": csrf, **headers}).status_code == 200


def test_clients_without_origin_headers_are_not_browsers_and_pass(client, db_url):
    _add_user(db_url, "kit", GOOD)
    assert _login(client, "kit", GOOD).status_code == 200  # curl, Ansible's uri module


def test_users_blueprint_is_a_thin_face():
    """No queries in the blueprint: it imports neither SQLAlchemy nor the models (the rules are in services)."""
    import ast
    from pathlib import Path

    import ella_app.api.v1.users as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {m for m in imported if m and (m.startswith("sqlalchemy") or m.startswith("ella_app.db"))}


def test_the_session_check_costs_one_query(db_url, cli_env):
    """Every authenticated request pays the session check: one prepared statement for the session, its user and
    the user's group (it was three queries: session, user, then the group lazily; then one ORM query). A GET is
    read-only: no BEGIN/ROLLBACK around it (db/session.py's read engine). The pool's ping (only of a connection
    idle for over a second) is not an engine statement. Issue 11."""
    from tests.support.statements import recorded

    client = _logged_in(db_url, cli_env, "cora")
    assert client.get(ME).status_code == 200  # the last-activity write of a new session is behind us
    with recorded(db_url) as statements:
        answer = client.get(ME)
    assert answer.status_code == 200 and answer.json["group"]["name"] == "lab"
    assert statements == ["EXECUTE auth_session_by_token(%s)"]


def test_last_activity_is_written_at_most_once_a_minute(db_url, cli_env):
    """The session check records the session's last activity when the recorded one is over a minute old, also on a
    read-only GET (in a short transaction of its own), and otherwise writes nothing."""
    client = _logged_in(db_url, cli_env, "dora")
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE usersession SET lastactivity = '2020-01-01T00:00:00Z'"))

    def last() -> dt.datetime:
        with engine.connect() as connection:
            return connection.execute(text("SELECT lastactivity FROM usersession")).scalar_one()

    before = dt.datetime.now(dt.UTC)
    assert client.get(ME).status_code == 200
    recorded_at = last()
    assert recorded_at >= before - dt.timedelta(seconds=1)
    assert client.get(ME).status_code == 200
    assert last() == recorded_at  # within the minute: not written again
    engine.dispose()
