"""Application factory. No work at import time; gunicorn imports ``ella_app.api.wsgi``."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ella_app.api import auth, db, headers, requestlog, validation
from ella_app.config import Settings, load_settings
from ella_app.errors import EllaError


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config["ELLA_SETTINGS"] = settings or load_settings()
    app.config["JSON_SORT_KEYS"] = False
    if test_config:
        app.config.update(test_config)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    _register_error_handlers(app)
    requestlog.init_app(app)  # first: its duration covers the other hooks, refused requests are logged too
    db.init_app(app)
    auth.init_app(app)  # who is calling (for the log too), cross-site and CSRF checks
    app.before_request(validation.guard_request)  # then the input guards, on every route, public ones included
    headers.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from ella_app.api.v1 import resource_modules

    for module in resource_modules():
        app.register_blueprint(module.bp, url_prefix="/api/v1")


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EllaError)
    def domain_error(exc: EllaError) -> Any:
        body: dict[str, Any] = {"code": exc.http_status, "error": type(exc).__name__, "message": exc.message}
        details = getattr(exc, "details", None)
        if isinstance(details, dict):
            body["details"] = details  # e.g. the variants that block finalizing
        return jsonify(body), exc.http_status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        body = {"code": exc.code, "error": exc.name, "message": exc.description}
        return jsonify(body), exc.code or 500
