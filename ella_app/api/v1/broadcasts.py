"""``/api/v1/broadcasts/``: the active broadcast messages (the banner of the web UI)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import op, ref
from ella_app.services import broadcasts

bp = Blueprint("broadcasts", __name__)


@bp.get("/broadcasts/")
@login_required
def active() -> Any:
    return jsonify(broadcasts.list_broadcasts(db()))


PATHS = {
    "/broadcasts/": {
        "get": op("Active broadcast messages", "config", response={"type": "array", "items": ref("Broadcast")})
    }
}
