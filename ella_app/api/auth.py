"""Who is calling: the session cookie, CSRF protection, and the ``login_required`` decorator."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request

from ella_app.api.db import db
from ella_app.errors import ForbiddenError
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import auth as auth_service

COOKIE = "AuthenticationToken"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Reachable without a session (and so without a CSRF token: they authenticate by password).
PUBLIC_ENDPOINTS = {"status.status", "users.login", "users.change_password", "openapi.spec"}

F = TypeVar("F", bound=Callable[..., Any])


def policy() -> PasswordPolicy:
    return PasswordPolicy.from_config(current_app.config["ELLA_SETTINGS"].config)


def set_session_cookies(response: Response, token: str, csrf: str, max_age: int) -> None:
    secure = request.is_secure
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="Strict", path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure, samesite="Strict", path="/")


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            raise ForbiddenError("log in first")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    @app.before_request
    def load_user() -> None:
        g.user = None
        g.user_session = None
        token = request.cookies.get(COOKIE, "")
        if token:
            found = auth_service.user_for_token(db(), token)
            if found is not None:
                g.user, g.user_session = found
                if db().dirty:
                    db().commit()  # last activity
        if request.method in UNSAFE_METHODS and request.endpoint not in PUBLIC_ENDPOINTS and g.user is not None:
            sent = request.headers.get(CSRF_HEADER, "")
            expected = request.cookies.get(CSRF_COOKIE, "")
            if not expected or not hmac.compare_digest(sent, expected):
                raise ForbiddenError("missing or wrong CSRF token (send the csrf_token cookie as X-CSRF-Token)")
