"""Workflow helpers outside the workflow blueprint: ``workflows/similar_alleles/<gp>/<v>/`` (classified variants
near each variant, ``services/similar_alleles``) and ``workflows/{analyses,alleles}/<id>/collisions/`` (the same
variants being worked on elsewhere, ``services/collisions``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, INT_ID, array, obj, op, path_param, query_param, ref
from ella_app.api.v1 import params
from ella_app.errors import InputError
from ella_app.services import collisions, similar_alleles

bp = Blueprint("workflow_extras", __name__)
MAX_ALLELES = 10_000


def _allele_ids(*, required: bool) -> list[int]:
    ids = params.id_list_arg("allele_ids", required=required)
    if len(ids) > MAX_ALLELES:
        raise InputError(f"at most {MAX_ALLELES} alleles at a time", key="allele_ids")
    return ids


@bp.get("/workflows/similar_alleles/<genepanel_name>/<genepanel_version>/")
@login_required
def similar(genepanel_name: str, genepanel_version: str) -> Any:
    ids = _allele_ids(required=True)
    result = similar_alleles.similar_alleles(
        db(), params.user(), params.app_config(), (genepanel_name, genepanel_version), ids
    )
    return params.json_response(result)


@bp.get("/workflows/analyses/<int:analysis_id>/collisions/")
@login_required
def analysis_collisions(analysis_id: int) -> Any:
    if "allele_ids" not in request.args:
        raise InputError("is required (comma-separated ids)", key="allele_ids")
    ids = _allele_ids(required=False)  # ELLA: an empty list answers []
    return params.json_response(
        collisions.analysis_collisions(db(), params.user(), params.app_config(), analysis_id, ids)
    )


@bp.get("/workflows/alleles/<int:allele_id>/collisions/")
@login_required
def allele_collisions(allele_id: int) -> Any:
    _allele_ids(required=False)  # checked, as ELLA's client sends them; the variant is the workflow's own
    return params.json_response(collisions.allele_collisions(db(), params.user(), params.app_config(), allele_id))


_COLLISION = obj(
    {
        "type": {"enum": ["analysis", "allele"]},
        "allele_id": INT_ID,
        "analysis_id": {"anyOf": [INT_ID, {"type": "null"}]},
        "analysis_name": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "workflow_status": {"type": "string"},
        "user": {"anyOf": [{"type": "object"}, {"type": "null"}]},
    },
    ("type", "allele_id", "analysis_id", "analysis_name", "workflow_status", "user"),
)
_IDS = query_param("allele_ids", "ids", "comma-separated allele ids", required=True)
PATHS = {
    "/workflows/similar_alleles/{genepanel_name}/{genepanel_version}/": {
        "get": op(
            "Classified variants near each variant",
            "workflows",
            params=[path_param("genepanel_name", "string"), path_param("genepanel_version", "string"), _IDS],
            response={"type": "object", "additionalProperties": array(ref("AlleleSummary"))},
            description=similar_alleles.__doc__,
        )
    },
    "/workflows/analyses/{analysis_id}/collisions/": {
        "get": op(
            "Other workflows working on these variants of the analysis",
            "workflows",
            params=[ID("analysis_id"), _IDS],
            response=array(_COLLISION),
            description=collisions.__doc__,
        )
    },
    "/workflows/alleles/{allele_id}/collisions/": {
        "get": op(
            "Other workflows working on this variant",
            "workflows",
            params=[ID("allele_id"), {**_IDS, "required": False}],
            response=array(_COLLISION),
            description=collisions.__doc__,
        )
    },
}
