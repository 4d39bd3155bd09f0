"""``/api/v1/config/``: the application config for the web client with the caller's merged user config.

Public (the login page needs the password rules): without a session, ``user.user_config`` is the base one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify

from ella_app.api.openapi import op
from ella_app.services import config_merge

bp = Blueprint("config", __name__)


@bp.get("/config/")
def get_config() -> Any:
    app_config = current_app.config["ELLA_SETTINGS"].config
    return jsonify(config_merge.client_config(app_config, g.get("user")))


PATHS = {
    "/config/": {
        "get": op(
            "Application config with the merged user config (ella_config user.user_config ← group ← user)",
            "config",
            response={"type": "object"},
            public=True,
        )
    }
}
