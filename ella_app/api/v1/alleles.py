"""``/api/v1/alleles/``: variant detail — annotation (transcripts and HGVS, consequences, frequencies, ClinVar,
references), genotype and quality per sample of an analysis, and the classification history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.errors import InputError
from ella_app.services import allele_views

bp = Blueprint("alleles", __name__)
MAX_ALLELES = 200
MAX_BY_GENE = 10_000


def _place() -> tuple[int | None, str | None, str | None]:
    """The analysis (for genotypes) and gene panel (for transcripts) given in the query string."""
    return params.int_arg("analysis_id"), params.str_arg("gp_name"), params.str_arg("gp_version")


def _where() -> allele_views.Where:
    return allele_views.where(db(), params.user(), *_place())


@bp.get("/alleles/")
@login_required
def list_alleles() -> Any:
    ids = params.id_list_arg("allele_ids", required=True)
    if len(ids) > MAX_ALLELES:
        raise InputError(f"at most {MAX_ALLELES} alleles at a time", key="allele_ids")
    where = _where()
    return params.json_response(allele_views.details(db(), params.app_config(), params.user(), ids, where))


@bp.get("/alleles/by-gene/")
@login_required
def by_gene() -> Any:
    ids = params.id_list_arg("allele_ids", required=True)
    if len(ids) > MAX_BY_GENE:
        raise InputError(f"at most {MAX_BY_GENE} alleles at a time", key="allele_ids")
    return params.json_response(allele_views.by_gene(db(), params.app_config(), params.user(), ids))


@bp.get("/alleles/<int:allele_id>/")
@login_required
def get_allele(allele_id: int) -> Any:
    where = allele_views.where_for_allele(db(), params.user(), allele_id, *_place())
    found = allele_views.details(db(), params.app_config(), params.user(), [allele_id], where, checked=True)
    return params.json_response(found[0])


@bp.get("/alleles/<int:allele_id>/analyses/")
@login_required
def allele_analyses(allele_id: int) -> Any:
    return jsonify(allele_views.analyses_with(db(), params.user(), allele_id))


_CONTEXT = [
    query_param("analysis_id", "integer", "analysis whose samples' genotypes to include"),
    query_param("gp_name", "string", "gene panel for transcripts (default: the analysis')"),
    query_param("gp_version", "string"),
]
PATHS = {
    "/alleles/": {
        "get": op(
            "Variant details of up to 200 alleles",
            "alleles",
            params=[query_param("allele_ids", "ids", "comma-separated allele ids", required=True), *_CONTEXT],
            response={"type": "array", "items": ref("AlleleDetail")},
        )
    },
    "/alleles/by-gene/": {
        "get": op(
            "The genes of the variants' current annotation, each with its variants in genomic order",
            "alleles",
            params=[query_param("allele_ids", "ids", f"at most {MAX_BY_GENE} allele ids", required=True)],
            response={
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "symbol": {"type": ["string", "null"]},
                        "hgnc_id": {"type": ["integer", "null"]},
                        "allele_ids": {"type": "array", "items": {"type": "integer"}},
                    },
                },
            },
        )
    },
    "/alleles/{allele_id}/": {
        "get": op(
            "Variant detail: annotation, genotypes, classifications",
            "alleles",
            params=[ID("allele_id"), *_CONTEXT],
            response=ref("AlleleDetail"),
        )
    },
    "/alleles/{allele_id}/analyses/": {
        "get": op(
            "The caller's analyses with this variant", "alleles", params=[ID("allele_id")], response=ref("AnalysisList")
        )
    },
}
