"""``/api/v1/geneassessments/``: gene comments, append-only with their history (``services/gene_assessments``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import INT_ID, PAGING, array, obj, op
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_body, json_query_param, list_paging
from ella_app.services import gene_assessments as service
from ella_app.services.list_filter import listed_ids

bp = Blueprint("geneassessments", __name__)


@bp.get("/geneassessments/")
@login_required
def list_gene_assessments() -> Any:
    q = json_arg("q", required=False)
    page, per_page = list_paging(listed_ids(q))
    items, total = service.list_assessments(db(), params.user(), q, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.post("/geneassessments/")
@login_required
def create_gene_assessment() -> Any:
    new = service.parse_new(json_body())
    row = service.create(db(), params.user(), new)
    db().commit()
    return params.json_response(service.as_json(db(), [row])[0])


_NULLABLE_ID = {"anyOf": [INT_ID, {"type": "null"}]}
_ASSESSMENT = obj(
    {
        "id": INT_ID,
        "gene_id": INT_ID,
        "genepanel_name": {"type": "string"},
        "genepanel_version": {"type": "string"},
        "analysis_id": _NULLABLE_ID,
        "previous_assessment_id": _NULLABLE_ID,
        "user_id": INT_ID,
        "usergroup_id": _NULLABLE_ID,
        "date_created": {"type": "string"},
        "date_superceeded": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "evaluation": obj({"comment": {"type": "string"}}),
    },
    ("id", "gene_id", "genepanel_name", "genepanel_version", "user_id", "date_created", "evaluation"),
)
_POST = op(
    "Comment on a gene (supersedes its current comment)",
    "geneassessments",
    response=_ASSESSMENT,
    description=service.__doc__,
)
_POST["requestBody"] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": obj(
                {
                    "gene_id": INT_ID,
                    "genepanel_name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "genepanel_version": {"type": "string", "minLength": 1, "maxLength": 200},
                    "analysis_id": _NULLABLE_ID,
                    "evaluation": obj({"comment": {"type": "string", "maxLength": 100_000}}, ("comment",), extra=False),
                    "presented_geneassessment_id": _NULLABLE_ID,
                },
                ("gene_id", "genepanel_name", "genepanel_version", "evaluation"),
                extra=False,
            )
        }
    },
}
_Q = json_query_param(
    "q",
    obj(
        {
            k: {}
            for k in (
                "id",
                "gene_id",
                "genepanel_name",
                "genepanel_version",
                "analysis_id",
                "user_id",
                "usergroup_id",
                "date_superceeded",
            )
        },
        extra=False,
    ),
    'ELLA\'s filter, e.g. {"gene_id": [1101], "date_superceeded": null}',
)
PATHS = {
    "/geneassessments/": {
        "get": op(
            "Gene comments of the caller's genes, oldest first (paged)",
            "geneassessments",
            params=[_Q, *PAGING],
            response=array(_ASSESSMENT),
            paged=True,
        ),
        "post": _POST,
    }
}
