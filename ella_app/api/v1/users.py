"""``/api/v1/users``: login, logout, change password, current user, the users of one's group. Thin: the rules are
in services/auth.py, services/users.py and services/user_views.py; the cookies and CSRF token in api/auth.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, make_response

from ella_app.api.auth import clear_session_cookies, login_required, policy, set_session_cookies
from ella_app.api.db import db
from ella_app.api.openapi import ID, PAGING, op, ref
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_query_param
from ella_app.api.validation import body as json_body
from ella_app.errors import AuthError
from ella_app.services import auth as auth_service
from ella_app.services import user_views
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


@bp.get("/users/")
@login_required
def list_users() -> Any:
    q = json_arg(required=False)
    page, per_page = params.paging()
    items, total = user_views.group_users(db(), params.user(), q, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.get("/users/<int:user_id>/")
@login_required
def get_user(user_id: int) -> Any:
    return jsonify(user_views.group_user(db(), params.user(), user_id))


PATHS = {
    "/users/": {
        "get": op(
            "The users of the caller's group (paged)",
            "users",
            params=[
                json_query_param(
                    "q",
                    {"type": "object", "properties": {k: {} for k in ("id", "username", "first_name", "last_name")}},
                    'ELLA\'s filter, e.g. {"username": ["ada", "bob"]}',
                ),
                *PAGING,
            ],
            response={"type": "array", "items": ref("User")},
            paged=True,
            description=user_views.__doc__,
        )
    },
    "/users/{user_id}/": {
        "get": op("A user of the caller's group", "users", params=[ID("user_id")], response=ref("User"))
    },
}
