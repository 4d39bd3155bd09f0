"""``/api/v1/filterconfigs/<id>`` (ELLA's URL, no trailing slash): one filter config of the caller's group with its
filters and requirements (``services/filterconfigs``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op
from ella_app.api.v1 import params
from ella_app.services import filterconfigs

bp = Blueprint("filterconfigs", __name__)


@bp.get("/filterconfigs/<int:filterconfig_id>")
@login_required
def get_filterconfig(filterconfig_id: int) -> Any:
    return jsonify(filterconfigs.group_filterconfig(db(), params.user().group_id, filterconfig_id))


PATHS = {
    "/filterconfigs/{filterconfig_id}": {
        "get": op(
            "A filter config linked to the caller's group (active or not)",
            "workflows",
            params=[ID("filterconfig_id")],
            response={"type": "object"},
        )
    }
}
