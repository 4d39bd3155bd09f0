"""``/api/v1/customannotations/``: annotation users add to a variant (``services/custom_annotations``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import INT_ID, PAGING, array, obj, op
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_body, json_query_param, list_paging
from ella_app.services import custom_annotations as service
from ella_app.services.list_filter import listed_ids

bp = Blueprint("customannotations", __name__)


@bp.get("/customannotations/")
@login_required
def list_custom_annotations() -> Any:
    q = json_arg("q", required=False)
    page, per_page = list_paging(listed_ids(q))
    items, total = service.list_annotations(db(), params.user(), q, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.post("/customannotations/")
@login_required
def create_custom_annotation() -> Any:
    new = service.parse_new(json_body())
    row = service.create(db(), params.user(), new)
    db().commit()
    return params.json_response(service.as_json([row])[0])


_ANNOTATION = obj(
    {
        "id": INT_ID,
        "allele_id": INT_ID,
        "user_id": {"anyOf": [INT_ID, {"type": "null"}]},
        "annotations": {"type": "object"},
        "date_created": {"type": "string"},
        "date_superceeded": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    ("id", "allele_id", "annotations", "date_created"),
)
_POST = op(
    "Add custom annotation to a variant (merged over its current one)",
    "customannotations",
    response=_ANNOTATION,
    description=service.__doc__,
)
_POST["requestBody"] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": obj(
                {"allele_id": INT_ID, "annotations": {"type": "object"}, "user_id": {}},
                ("allele_id", "annotations"),
                extra=False,
            )
        }
    },
}
_Q = json_query_param(
    "q",
    obj({k: {} for k in ("id", "allele_id", "user_id", "date_superceeded")}, extra=False),
    'ELLA\'s filter, e.g. {"id": [1, 2]} or {"allele_id": 5, "date_superceeded": null}',
)
PATHS = {
    "/customannotations/": {
        "get": op(
            "Custom annotations of the variants the caller may see (paged; listed ids on one page)",
            "customannotations",
            params=[_Q, *PAGING],
            response=array(_ANNOTATION),
            paged=True,
        ),
        "post": _POST,
    }
}
