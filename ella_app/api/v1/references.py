"""``/api/v1/references/``: literature references — by id or PubMed id, full-text search, and adding one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import func, literal_column, select

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import PAGING, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.api.v1.alleles import reference_json
from ella_app.db.models import Reference
from ella_app.services.filters.context import int_ids

bp = params.install(Blueprint("references", __name__))
_SEARCH = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(authors, '') || ' ' || coalesce(journal, ''))"


@bp.get("/references/")
@login_required
def list_references() -> Any:
    ids = params.id_list_arg("ids")
    pubmed_ids = params.id_list_arg("pubmed_ids")
    text = params.str_arg("q")
    page, per_page = params.paging()
    query = select(Reference)
    if ids:
        query = query.where(Reference.id == int_ids(ids))
    if pubmed_ids:
        query = query.where(Reference.pubmed_id == int_ids(pubmed_ids))
    if text and text.strip():
        query = query.where(literal_column(_SEARCH).bool_op("@@")(func.plainto_tsquery("english", text)))
    total = int(db().scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db().scalars(query.order_by(Reference.id).offset((page - 1) * per_page).limit(per_page))
    return params.paged([reference_json(r) for r in rows], total, page, per_page)


@bp.post("/references/")
@login_required
def create_reference() -> Any:
    data = params.body("ReferenceCreate")
    pubmed_id = data.get("pubmed_id")
    if pubmed_id is not None:
        existing = db().scalar(select(Reference).where(Reference.pubmed_id == pubmed_id))
        if existing is not None:
            return jsonify(reference_json(existing)), 200
    reference = Reference(published=data.pop("published", pubmed_id is not None), **data)
    db().add(reference)
    db().commit()
    return jsonify(reference_json(reference)), 201


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
