"""``/api/v1/analyses/``: the analyses of the caller's gene panels (list, paged, and one with its rounds)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, PAGING, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.db.models import Analysis
from ella_app.services import access, overview

bp = params.install(Blueprint("analyses", __name__))


@bp.get("/analyses/")
@login_required
def list_analyses() -> Any:
    page, per_page = params.paging()
    name = params.str_arg("name")
    query = select(Analysis).where(access.analysis_allowed(params.user()))
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Analysis.name.ilike(f"%{escaped}%", escape="\\"))
    total = int(db().scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(db().scalars(query.order_by(Analysis.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return params.paged(overview.analysis_summaries(db(), rows), total, page, per_page)


@bp.get("/analyses/<int:analysis_id>/")
@login_required
def get_analysis(analysis_id: int) -> Any:
    analysis = access.get_analysis(db(), params.user(), analysis_id)
    [summary] = overview.analysis_summaries(db(), [analysis])
    summary["report"] = analysis.report
    summary["properties"] = analysis.properties
    return jsonify(summary)


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
