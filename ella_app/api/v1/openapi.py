"""``GET /api/v1/openapi.json``: the OpenAPI description (public). Also describes the auth and status routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api import openapi as description
from ella_app.api.openapi import obj, op

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def spec() -> Any:
    return jsonify(description.spec())


_LOGIN = obj({"username": {"type": "string"}, "password": {"type": "string"}}, ("username", "password"), extra=False)
_CHANGE = obj(
    {"username": {"type": "string"}, "password": {"type": "string"}, "new_password": {"type": "string"}},
    ("username", "password", "new_password"),
    extra=False,
)


def _with_body(operation: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    operation["responses"]["401"] = {"description": "bad credentials, locked, inactive or expired"}
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
        "post": _with_body(
            op("Log in; sets the AuthenticationToken and csrf_token cookies", "users", public=True), _LOGIN
        )
    },
    "/users/actions/changepassword/": {
        "post": _with_body(op("Change a password (also an expired or one-time one)", "users", public=True), _CHANGE)
    },
    "/users/actions/logout/": {"post": op("Log out", "users")},
    "/users/currentuser/": {"get": op("The logged-in user", "users", response={"type": "object"})},
}
