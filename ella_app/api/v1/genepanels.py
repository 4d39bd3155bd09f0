"""``/api/v1/genepanels/``: the gene panels of the caller's group, and one panel with genes and transcripts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import op, path_param, ref
from ella_app.api.v1 import params
from ella_app.services import genepanel_views

bp = Blueprint("genepanels", __name__)


@bp.get("/genepanels/")
@login_required
def list_genepanels() -> Any:
    return jsonify(genepanel_views.list_panels(db(), params.user()))


@bp.get("/genepanels/<name>/<version>/")
@login_required
def get_genepanel(name: str, version: str) -> Any:
    return jsonify(genepanel_views.panel_detail(db(), params.user(), name, version))


PATHS = {
    "/genepanels/": {
        "get": op(
            "Gene panels of the caller's group", "genepanels", response={"type": "array", "items": ref("GenePanel")}
        )
    },
    "/genepanels/{name}/{version}/": {
        "get": op(
            "A gene panel with genes, transcripts and phenotypes",
            "genepanels",
            params=[path_param("name", "string"), path_param("version", "string")],
            response=ref("GenePanel"),
        )
    },
}
