"""The API's own documentation, public: the OpenAPI description at ``/api/v1/openapi.json`` and (ELLA's URL)
``/api/v1/specs/``, and Swagger UI at ``/api/v1/docs`` (swagger-ui-dist vendored by webui/build.sh, served from
the package, no CDN; its initializer is a file, so the page works under the Content-Security-Policy). Also
describes the auth and status routes."""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint, Response, jsonify, send_from_directory, url_for

from ella_app.api import openapi as description
from ella_app.api.openapi import op
from ella_app.errors import NotFoundError
from ella_app.webui import static_dir

bp = Blueprint("openapi", __name__)

# files of the docs page: name in the URL -> path under the web UI's static files
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "vendor/swagger-ui/swagger-ui-bundle.js",
    "swagger-ui.css": "vendor/swagger-ui/swagger-ui.css",
    "api-docs.js": "js/api-docs.js",
}
ASSET_MAX_AGE = 3600


@bp.get("/openapi.json")
def spec() -> Any:
    return jsonify(description.spec())


@bp.get("/specs/")
def specs() -> Any:
    return jsonify(description.spec())


@bp.get("/docs")
@bp.get("/docs/")
def docs() -> Any:
    def asset(name: str) -> str:
        return escape(url_for("openapi.docs_asset", name=name))

    page = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ELLA API</title>
  <link rel="stylesheet" href="{asset("swagger-ui.css")}">
</head>
<body>
  <div id="swagger-ui" data-specs="{escape(url_for("openapi.specs"))}"></div>
  <script src="{asset("swagger-ui-bundle.js")}"></script>
  <script src="{asset("api-docs.js")}"></script>
</body>
</html>
"""
    return Response(page, mimetype="text/html")


@bp.get("/docs/<name>")
def docs_asset(name: str) -> Any:
    if name not in DOCS_ASSETS:
        raise NotFoundError("no such file")
    folder, _, filename = DOCS_ASSETS[name].rpartition("/")
    return send_from_directory(static_dir() / folder, filename, max_age=ASSET_MAX_AGE)


_CREDENTIALS = {"401": {"description": "bad credentials, locked, inactive or expired"}}


def _login_op(summary: str, body: str) -> dict[str, Any]:
    operation = op(summary, "users", public=True, body=body, response={"type": "object"})
    operation["responses"].update(_CREDENTIALS)
    return operation


_DOCS_ASSET_NAME = {"name": "name", "in": "path", "required": True, "schema": {"enum": sorted(DOCS_ASSETS)}}

PATHS = {
    "/openapi.json": {"get": op("This OpenAPI description", "meta", response={"type": "object"}, public=True)},
    "/specs/": {"get": op("This OpenAPI description (ELLA's URL)", "meta", response={"type": "object"}, public=True)},
    "/docs": {"get": op("Swagger UI on this description", "meta", content_type="text/html", public=True)},
    "/docs/": {"get": op("Swagger UI on this description", "meta", content_type="text/html", public=True)},
    "/docs/{name}": {
        "get": op("A file of the Swagger UI page", "meta", params=[_DOCS_ASSET_NAME], public=True),
    },
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
