"""Health: ``GET /api/v1/status`` answers 200 when the database is reachable and at the schema head
(``services/health.py``: one small query per request, the full schema check kept for a few seconds)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from ella_app import __version__
from ella_app.services import health

bp = Blueprint("status", __name__)


@bp.get("/status")
def status() -> Any:
    answer, problem = health.check(current_app.config["ELLA_SETTINGS"].db_url, __version__)
    if problem is not None:  # the database is down: report it, do not crash the worker
        current_app.logger.warning("status check: database unreachable: %s", problem)
    return jsonify(answer.body), answer.status
