"""``/api/v1/overviews/``: the worklists of analyses and variants, and the finalized ones (paged)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import PAGING, op, ref
from ella_app.api.v1 import params
from ella_app.services import overview, user_views

bp = Blueprint("overview", __name__)


def _revalidated() -> tuple[str, Response | None]:
    """The worklists' entity tag for this caller and URL, and a 304 answer when the client has it already."""
    tag = overview.analyses_version(db(), params.user(), request.full_path)
    if tag in request.if_none_match or request.headers.get("If-None-Match") == tag:
        return tag, _cache_headers(Response(status=304), tag)
    return tag, None


def _cache_headers(response: Response, tag: str) -> Response:
    # The answer stays ``no-store`` (api/headers.py: patient data never goes to the browser's HTTP cache); the web
    # UI keeps the body in memory and sends If-None-Match itself (webui/static/js/api.js).
    response.headers["ETag"] = tag
    response.headers["Vary"] = "Cookie"
    return response


@bp.get("/overviews/analyses/")
@login_required
def analyses() -> Any:
    tag, not_modified = _revalidated()
    if not_modified is not None:
        return not_modified
    body = overview.analyses_overview_answer(db(), params.user(), tag)
    return _cache_headers(Response(body, mimetype="application/json"), tag)


@bp.get("/overviews/analyses/finalized/")
@login_required
def analyses_finalized() -> Any:
    page, per_page = params.paging()
    tag, not_modified = _revalidated()
    if not_modified is not None:
        return not_modified
    body, total = overview.finalized_analyses_answer(db(), params.user(), page, per_page, tag)
    return _cache_headers(params.paged_json(body, total, page, per_page), tag)


@bp.get("/overviews/alleles/")
@login_required
def alleles() -> Any:
    return params.json_response(overview.alleles_overview(db(), params.app_config(), params.user()))


@bp.get("/overviews/alleles/finalized/")
@login_required
def alleles_finalized() -> Any:
    page, per_page = params.paging()
    items, total = overview.finalized_alleles(db(), params.app_config(), params.user(), page, per_page)
    return params.paged(items, total, page, per_page)


@bp.get("/overviews/userstats/")
@login_required
def userstats() -> Any:
    return params.json_response(user_views.user_stats(db(), params.user()))


PATHS = {
    "/overviews/userstats/": {
        "get": op(
            "How many analyses and variants the caller has worked on",
            "overview",
            response={
                "type": "object",
                "properties": {"analyses_cnt": {"type": "integer"}, "alleles_cnt": {"type": "integer"}},
            },
        )
    },
    "/overviews/analyses/": {
        "get": op("Analyses worklist by workflow category", "overview", response=ref("AnalysesOverview"))
    },
    "/overviews/analyses/finalized/": {
        "get": op(
            "Finalized analyses, most recent first (paged)",
            "overview",
            params=PAGING,
            response=ref("AnalysisList"),
            paged=True,
        )
    },
    "/overviews/alleles/": {
        "get": op("Variants worklist by workflow category", "overview", response=ref("AllelesOverview"))
    },
    "/overviews/alleles/finalized/": {
        "get": op(
            "Finalized variants (paged)",
            "overview",
            params=PAGING,
            response={"type": "array", "items": ref("AlleleOverviewItem")},
            paged=True,
        )
    },
}
