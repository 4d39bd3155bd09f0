"""``/api/v1/alleleassessments/``, ``allelereports/``, ``referenceassessments/``: classification history.

Read-only: assessments and reports are created by the workflow action ``finalizeallele`` only (as in ELLA).
Current ones by default; ``include_superseded=true`` gives the whole append-only history, newest first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.services import access, classification

bp = Blueprint("assessments", __name__)


def _allele_ids() -> list[int]:
    ids = params.id_list_arg("allele_ids", required=True)
    return access.require_alleles(db(), params.user(), ids)


@bp.get("/alleleassessments/")
@login_required
def list_assessments() -> Any:
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
    ids = _allele_ids()
    return jsonify(classification.reports(db(), ids, include_superseded=params.bool_arg("include_superseded")))


@bp.get("/referenceassessments/")
@login_required
def list_reference_assessments() -> Any:
    ids = _allele_ids()
    superseded = params.bool_arg("include_superseded")
    return jsonify(classification.reference_assessments(db(), ids, include_superseded=superseded))


_LIST = [
    query_param("allele_ids", "ids", "comma-separated allele ids", required=True),
    query_param("include_superseded", "boolean", "include superseded rows (the history)"),
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
    "/referenceassessments/": {
        "get": op(
            "Reference assessments of alleles",
            "assessments",
            params=_LIST,
            response={"type": "array", "items": {"type": "object"}},
        )
    },
}
