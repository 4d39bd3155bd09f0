"""``/api/v1/alleleassessments/``, ``allelereports/``, ``referenceassessments/``: classification history.

Assessments and reports are created by the workflow action ``finalizeallele`` only (as in ELLA); reference
assessments also by ``POST referenceassessments/`` (ELLA's).
Asked by ``allele_ids``: current ones by default; ``include_superseded=true`` gives the whole append-only history,
newest first. Asked by ELLA's ``q={"allele_id": 5}`` (its client's history dialog): every row matching, paged.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_query_param
from ella_app.services import access, classification

bp = Blueprint("assessments", __name__)


MAX_HISTORY = 1000  # rows of a q= list on one page (ELLA's client asks for a variant's history without paging)


def _allele_ids() -> list[int]:
    ids = params.id_list_arg("allele_ids", required=True)
    return access.require_alleles(db(), params.user(), ids)


def _matching(kind: str) -> Any:
    q = json_arg("q")
    page = params.int_arg("page", 1, maximum=1_000_000)
    per_page = params.int_arg("per_page", MAX_HISTORY, maximum=MAX_HISTORY)
    assert page is not None and per_page is not None
    items, total = classification.matching(db(), params.app_config(), params.user(), kind, q, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.get("/alleleassessments/")
@login_required
def list_assessments() -> Any:
    if "q" in request.args:
        return _matching("alleleassessments")
    ids = _allele_ids()
    superseded = params.bool_arg("include_superseded")
    return jsonify(classification.assessments(db(), params.app_config(), ids, include_superseded=superseded))


@bp.get("/alleleassessments/<int:assessment_id>/")
@login_required
def get_assessment(assessment_id: int) -> Any:
    return jsonify(classification.get_assessment(db(), params.app_config(), params.user(), assessment_id))


@bp.get("/allelereports/")
@login_required
def list_reports() -> Any:
    if "q" in request.args:
        return _matching("allelereports")
    ids = _allele_ids()
    return jsonify(classification.reports(db(), ids, include_superseded=params.bool_arg("include_superseded")))


@bp.get("/allelereports/<int:report_id>/")
@login_required
def get_report(report_id: int) -> Any:
    return jsonify(classification.get_report(db(), params.user(), report_id))


@bp.get("/referenceassessments/<int:referenceassessment_id>/")
@login_required
def get_reference_assessment(referenceassessment_id: int) -> Any:
    return jsonify(classification.get_reference_assessment(db(), params.user(), referenceassessment_id))


@bp.post("/referenceassessments/")
@login_required
def create_reference_assessment() -> Any:
    data = params.body("ReferenceAssessmentCreate")
    created = classification.assess_reference(db(), params.user(), data)
    db().commit()
    return jsonify(created)


@bp.get("/referenceassessments/")
@login_required
def list_reference_assessments() -> Any:
    if "q" in request.args:
        return _matching("referenceassessments")
    ids = _allele_ids()
    superseded = params.bool_arg("include_superseded")
    return jsonify(classification.reference_assessments(db(), ids, include_superseded=superseded))


_LIST = [
    query_param("allele_ids", "ids", "comma-separated allele ids (required unless q is given)"),
    query_param("include_superseded", "boolean", "include superseded rows (the history)"),
    json_query_param(
        "q",
        {"type": "object"},
        'ELLA\'s filter instead of allele_ids, e.g. {"allele_id": 5} or {"allele_id": [5, 6], '
        '"date_superceeded": null}: every matching row (current and superseded), newest first, paged',
    ),
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_HISTORY}},
]
PATHS = {
    "/alleleassessments/": {
        "get": op(
            "Allele assessments (classifications) of alleles",
            "assessments",
            params=_LIST,
            response={"type": "array", "items": ref("AlleleAssessment")},
        )
    },
    "/alleleassessments/{assessment_id}/": {
        "get": op(
            "One allele assessment", "assessments", params=[ID("assessment_id")], response=ref("AlleleAssessment")
        )
    },
    "/allelereports/": {
        "get": op(
            "Allele reports of alleles",
            "assessments",
            params=_LIST,
            response={"type": "array", "items": {"type": "object"}},
        )
    },
    "/allelereports/{report_id}/": {
        "get": op("One allele report", "assessments", params=[ID("report_id")], response={"type": "object"})
    },
    "/referenceassessments/": {
        "get": op(
            "Reference assessments of alleles",
            "assessments",
            params=_LIST,
            response={"type": "array", "items": {"type": "object"}},
        ),
        "post": op(
            "Assess a reference for a variant, superseding the current assessment of that reference",
            "assessments",
            body="ReferenceAssessmentCreate",
            response={"type": "object"},
        ),
    },
    "/referenceassessments/{referenceassessment_id}/": {
        "get": op(
            "One reference assessment",
            "assessments",
            params=[ID("referenceassessment_id")],
            response={"type": "object"},
        )
    },
}
