"""``/api/v1/search/``: variants and analyses by position, HGVS name, gene, user or analysis name; and
``search/options/``, the gene and user suggestions while typing (``services/search``)."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import INT_ID, PAGING, array, obj, op, ref
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_query_param
from ella_app.services import search as search_service

bp = Blueprint("search", __name__)


def with_paging_headers(response: Response, total: int, page: int, per_page: int) -> Response:
    response.headers["Total-Count"] = str(total)
    response.headers["Total-Pages"] = str(max(1, math.ceil(total / per_page)))
    response.headers["Page"] = str(page)
    response.headers["Per-Page"] = str(per_page)
    return response


@bp.get("/search/")
@login_required
def search() -> Any:
    query = search_service.parse_query(json_arg("q"))
    page, per_page = params.paging()
    limit = params.int_arg("limit", None, maximum=search_service.MAX_LIMIT)
    result, total = search_service.search(
        db(), params.user(), params.app_config(), query, page=page, per_page=per_page, limit=limit
    )
    return with_paging_headers(params.json_response(result), total, page, per_page)


@bp.get("/search/options/")
@login_required
def search_options() -> Any:
    return params.json_response(search_service.options(db(), params.user(), json_arg("q")))


_Q = json_query_param(
    "q",
    obj(
        {
            "type": {"enum": list(search_service.TYPES)},
            "freetext": {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]},
            "gene": {"anyOf": [obj({"hgnc_id": INT_ID}, ("hgnc_id",)), {"type": "null"}]},
            "user": {
                "anyOf": [
                    obj({"username": {"type": "string", "maxLength": 200}}, ("username",)),
                    {"type": "null"},
                ]
            },
        },
        ("type",),
    ),
    'JSON: {"type": "alleles"|"analyses", "freetext": "13:32890607", "gene": {"hgnc_id": 1101}, '
    '"user": {"username": "..."}}',
    required=True,
)
_OPTIONS_Q = json_query_param(
    "q",
    obj(
        {
            "gene": {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]},
            "user": {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]},
        }
    ),
    'JSON: {"gene": "BRC"} and/or {"user": "Ad"}',
    required=True,
)
_LIMIT = {
    "name": "limit",
    "in": "query",
    "description": "count at most this many matches",
    "schema": {"type": "integer", "minimum": 1, "maximum": search_service.MAX_LIMIT},
}
_RESULTS = obj(
    {
        "alleles": array(
            obj(
                {
                    "allele": obj(
                        {
                            "id": INT_ID,
                            "chromosome": {"type": "string"},
                            "vcf_pos": {"type": "integer"},
                            "annotation": obj({"filtered_transcripts": array({"type": "string"})}),
                        },
                        ("id", "chromosome", "vcf_pos", "annotation"),
                    ),
                    "interpretations": array(ref("Interpretation")),
                },
                ("allele", "interpretations"),
            )
        ),
        "analyses": array(ref("Analysis")),
    },
    ("alleles", "analyses"),
)

PATHS = {
    "/search/": {
        "get": op(
            "Search variants or analyses",
            "search",
            params=[_Q, *PAGING, _LIMIT],
            response=_RESULTS,
            paged=True,
            description=search_service.__doc__,
        )
    },
    "/search/options/": {
        "get": op(
            "Gene and user suggestions for the search box",
            "search",
            params=[_OPTIONS_Q],
            response=obj(
                {
                    "gene": array(obj({"symbol": {"type": "string"}, "hgnc_id": INT_ID})),
                    "user": array(
                        obj(
                            {
                                "username": {"type": "string"},
                                "first_name": {"type": "string"},
                                "last_name": {"type": "string"},
                            }
                        )
                    ),
                }
            ),
        )
    },
}
