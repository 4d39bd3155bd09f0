"""``/api/v1/users``: login, logout, change password, current user. Thin: the rules are in services/auth.py and
services/users.py; the cookies and CSRF token in api/auth.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, make_response

from ella_app.api.auth import clear_session_cookies, login_required, policy, set_session_cookies
from ella_app.api.db import db
from ella_app.api.validation import body as json_body
from ella_app.errors import AuthError
from ella_app.services import auth as auth_service
from ella_app.services import users as user_service

bp = Blueprint("users", __name__)


class PasswordExpiredError(AuthError):
    """Login refused until the password is changed (one-time and expired passwords)."""


def _refuse(outcome: auth_service.LoginOutcome) -> None:
    db().commit()  # keep the failed-login count
    if outcome.reason == "expired":
        raise PasswordExpiredError(outcome.message)
    raise AuthError(outcome.message)


@bp.post("/users/actions/login/")
def login() -> Any:
    body = json_body("Login")
    outcome = auth_service.login(db(), body["username"], body["password"], policy())
    if not outcome.ok or outcome.token is None or outcome.user is None:
        _refuse(outcome)
    assert outcome.user is not None and outcome.token is not None
    db().commit()
    response = make_response(jsonify(user_service.user_summary(outcome.user)))
    set_session_cookies(response, outcome.token, user_service.session_max_age(outcome.user))
    return response


@bp.post("/users/actions/changepassword/")
def change_password() -> Any:
    body = json_body("ChangePassword")
    outcome = auth_service.change_password(db(), body["username"], body["password"], body["new_password"], policy())
    if not outcome.ok:
        _refuse(outcome)
    db().commit()
    response = make_response(jsonify({"message": "password changed; log in with the new password"}))
    clear_session_cookies(response)
    return response


@bp.post("/users/actions/logout/")
@login_required
def logout() -> Any:
    auth_service.logout(db(), g.user_session)
    db().commit()
    response = make_response(jsonify({"message": "logged out"}))
    clear_session_cookies(response)
    return response


@bp.get("/users/currentuser/")
@login_required
def current_user() -> Any:
    return jsonify(user_service.user_summary(g.user))
