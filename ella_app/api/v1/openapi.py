"""``GET /api/v1/openapi.json``: the OpenAPI description (public). Also describes the auth and status routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api import openapi as description
from ella_app.api.openapi import op

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def spec() -> Any:
    return jsonify(description.spec())


_CREDENTIALS = {"401": {"description": "bad credentials, locked, inactive or expired"}}


def _login_op(summary: str, body: str) -> dict[str, Any]:
    operation = op(summary, "users", public=True, body=body, response={"type": "object"})
    operation["responses"].update(_CREDENTIALS)
    return operation


PATHS = {
    "/openapi.json": {"get": op("This OpenAPI description", "meta", response={"type": "object"}, public=True)},
    "/status": {
        "get": op(
            "Health: database reachable and schema at head (503 otherwise)",
            "meta",
            response={"type": "object"},
            public=True,
        )
    },
    "/users/actions/login/": {
        "post": _login_op("Log in; sets the AuthenticationToken and csrf_token cookies", "Login")
    },
    "/users/actions/changepassword/": {
        "post": _login_op("Change a password (also an expired or one-time one)", "ChangePassword")
    },
    "/users/actions/logout/": {"post": op("Log out", "users")},
    "/users/currentuser/": {"get": op("The logged-in user", "users", response={"type": "object"})},
}
