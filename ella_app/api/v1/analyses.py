"""``/api/v1/analyses/``: the analyses of the caller's gene panels (list, paged, and one with its rounds)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, PAGING, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.services import overview

bp = Blueprint("analyses", __name__)


@bp.get("/analyses/")
@login_required
def list_analyses() -> Any:
    page, per_page = params.paging()
    items, total = overview.list_analyses(db(), params.user(), params.str_arg("name"), page, per_page)
    return params.paged(items, total, page, per_page)


@bp.get("/analyses/<int:analysis_id>/")
@login_required
def get_analysis(analysis_id: int) -> Any:
    return jsonify(overview.analysis_detail(db(), params.user(), analysis_id))


PATHS = {
    "/analyses/": {
        "get": op(
            "Analyses of the caller's gene panels, newest first (paged)",
            "analyses",
            params=[*PAGING, query_param("name", "string", "case-insensitive part of the analysis name")],
            response=ref("AnalysisList"),
            paged=True,
        )
    },
    "/analyses/{analysis_id}/": {
        "get": op(
            "One analysis with samples, rounds, priority and report",
            "analyses",
            params=[ID("analysis_id")],
            response=ref("Analysis"),
        )
    },
}
