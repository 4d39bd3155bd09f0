"""Who is calling: the session cookie, CSRF protection, and the ``login_required`` decorator.

CSRF protection has two layers for every state-changing request (POST, PUT, PATCH, DELETE):

* Origin: a request whose ``Origin`` is not this site (scheme, host and port as the client sees them through
  the proxy: ProxyFix applies X-Forwarded-Proto/-Host) or whose ``Sec-Fetch-Site`` is not ``same-origin`` is
  refused, public routes (login, change password) included. Clients that send neither header (curl, scripts)
  are not browsers and pass this layer.
* Token: with a session, the ``X-CSRF-Token`` header must equal the session's CSRF token, an HMAC of the
  session token (``security.tokens.csrf_token``). The web UI reads it from the ``csrf_token`` cookie set at
  login; a token of another session, or a cookie planted by a sibling site, does not match.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from ella_app.api.db import db
from ella_app.errors import ForbiddenError
from ella_app.security import tokens
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import auth as auth_service

COOKIE = "AuthenticationToken"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Reachable without a session (and so without a CSRF token: they authenticate by password, or are the UI's
# error reports). The Origin check applies to them too.
PUBLIC_ENDPOINTS = {
    "status.status",
    "users.login",
    "users.change_password",
    "openapi.spec",
    "openapi.specs",
    "openapi.docs",
    "ui.exceptionlog",
}
SAME_SITE_FETCH = {"same-origin", "none"}
_DEFAULT_PORTS = {"http": 80, "https": 443}

F = TypeVar("F", bound=Callable[..., Any])


def policy() -> PasswordPolicy:
    return PasswordPolicy.from_config(current_app.config["ELLA_SETTINGS"].config)


def set_session_cookies(response: Response, token: str, max_age: int) -> None:
    secure = request.is_secure
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="Strict", path="/")
    csrf = tokens.csrf_token(token)
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


def _origin_key(scheme: str, host: str) -> tuple[str, str, int | None]:
    parts = urlsplit(f"{scheme}://{host}")
    try:
        port = parts.port
    except ValueError:
        port = -1  # matches nothing
    return (scheme.lower(), (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme.lower()))


def _check_same_origin() -> None:
    """Refuse a browser request sent from another site (see the module doc)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in SAME_SITE_FETCH:
        raise ForbiddenError(f"cross-site request refused (Sec-Fetch-Site: {site[:30]})")
    origin = request.headers.get("Origin")
    if origin is None:
        return
    sent = urlsplit(origin.strip())
    if not sent.scheme or _origin_key(sent.scheme, sent.netloc) != _origin_key(request.scheme, request.host):
        raise ForbiddenError(f"cross-site request refused (Origin {origin[:100]!r} is not this site)")


def _check_csrf_token(session_token: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode("utf-8", "replace"), tokens.csrf_token(session_token).encode()):
        raise ForbiddenError("missing or wrong CSRF token (send the csrf_token cookie as X-CSRF-Token)")


def init_app(app: Flask) -> None:
    @app.before_request
    def load_user() -> None:
        req, store = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
        store.user = store.user_session = user = None
        token = req.cookies.get(COOKIE, "")
        if token:  # first who it is, so that the request log names the user of a refused request too
            found = auth_service.user_for_token(db(), token)
            if found is not None:
                user, open_session = found
                store.user, store.user_session = user, open_session
                if open_session.activity_due:
                    auth_service.record_activity(db(), open_session)
        if req.method in UNSAFE_METHODS:
            _check_same_origin()
            if req.endpoint not in PUBLIC_ENDPOINTS and user is not None:
                _check_csrf_token(token)
