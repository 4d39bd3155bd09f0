"""Health: ``GET /api/v1/status`` answers 200 when the database is reachable and at the schema head."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from ella_app import __version__
from ella_app.db import schema
from ella_app.errors import EllaError

bp = Blueprint("status", __name__)


@bp.get("/status")
def status() -> Any:
    settings = current_app.config["ELLA_SETTINGS"]
    body: dict[str, Any] = {"version": __version__}
    try:
        state = schema.schema_state(settings.db_url)
    except EllaError as exc:
        return jsonify({**body, "status": "error", "database": exc.message}), 503
    except Exception as exc:  # the database is down: report it, do not crash the worker
        current_app.logger.warning("status check: database unreachable: %s", exc)
        return jsonify({**body, "status": "error", "database": "unreachable"}), 503
    ok = state.state == "head"
    body.update({"status": "ok" if ok else "error", "database": "ok", "schema": state.as_dict()})
    return jsonify(body), 200 if ok else 503
