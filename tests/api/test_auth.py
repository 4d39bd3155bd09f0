"""Login, change password, current user, logout: ELLA's rules (spec §5) through the real API and database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ella_app.api import create_app
from ella_app.config import load_settings
from ella_app.db.models import User, UserGroup
from ella_app.security import passwords

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
