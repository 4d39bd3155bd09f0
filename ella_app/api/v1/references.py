"""``/api/v1/references/``: literature references — by id or PubMed id, full-text search, and adding one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import PAGING, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.services import references

bp = Blueprint("references", __name__)


@bp.get("/references/")
@login_required
def list_references() -> Any:
    ids = params.id_list_arg("ids")
    pubmed_ids = params.id_list_arg("pubmed_ids")
    words = params.str_arg("q")
    page, per_page = params.paging()
    items, total = references.search(db(), ids, pubmed_ids, words, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.post("/references/")
@login_required
def create_reference() -> Any:
    data = params.body("ReferenceCreate")
    reference, created = references.get_or_create(db(), data)
    db().commit()
    return jsonify(reference), 201 if created else 200


PATHS = {
    "/references/": {
        "get": op(
            "References by id, PubMed id or full-text search (paged)",
            "references",
            params=[
                query_param("ids", "ids", "comma-separated reference ids"),
                query_param("pubmed_ids", "ids", "comma-separated PubMed ids"),
                query_param("q", "string", "words to search in title, authors and journal"),
                *PAGING,
            ],
            response={"type": "array", "items": ref("Reference")},
            paged=True,
        ),
        "post": op(
            "Add a reference (an existing PubMed id answers the stored one with 200)",
            "references",
            body="ReferenceCreate",
            response=ref("Reference"),
            status="201",
        ),
    }
}
