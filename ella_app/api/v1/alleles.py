"""``/api/v1/alleles/``: variant detail — annotation (transcripts and HGVS, consequences, frequencies, ClinVar,
references), genotype and quality per sample of an analysis, and the classification history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import select

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.db.models import Analysis, Genotype, Reference, Sample
from ella_app.errors import InputError
from ella_app.services import access, classification, overview
from ella_app.services.filters.context import (
    AlleleData,
    PanelData,
    int_ids,
    load_alleles,
    load_panel,
    load_samples,
    match_panel,
)

bp = params.install(Blueprint("alleles", __name__))
MAX_ALLELES = 200


def _context() -> tuple[Analysis | None, tuple[str, str] | None]:
    """The analysis (for genotypes) and gene panel (for transcripts) given in the query string."""
    user = params.user()
    analysis_id = params.int_arg("analysis_id")
    gp_name, gp_version = params.str_arg("gp_name"), params.str_arg("gp_version")
    analysis = access.get_analysis(db(), user, analysis_id) if analysis_id is not None else None
    if gp_name or gp_version:
        if not (gp_name and gp_version):
            raise InputError("give both gp_name and gp_version", key="gp_name")
        access.require_panel(db(), user, gp_name, gp_version)
        return analysis, (gp_name, gp_version)
    if analysis is not None:
        return analysis, (analysis.genepanel_name, analysis.genepanel_version)
    return None, None


def _clinvar(external: dict[str, Any]) -> dict[str, Any] | None:
    """A summary of ClinVar (the JSON of the clinvarjson converter, or the VCF fields), tolerant of gaps."""
    data = external.get("CLINVAR")
    vcf = external.get("CLINVAR_VCF")
    if not isinstance(data, dict) and not isinstance(vcf, dict):
        return None
    summary: dict[str, Any] = {"variant_id": None, "significance": [], "review_status": [], "submissions": []}
    if isinstance(data, dict):
        summary["variant_id"] = data.get("variant_id")
        items = data.get("items")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                summary["submissions"].append(
                    {
                        "significance": item.get("clinical_significance_descr"),
                        "status": item.get("clinical_significance_status"),
                        "submitter": item.get("submitter"),
                        "last_evaluated": item.get("last_evaluated"),
                        "traitnames": item.get("traitnames"),
                        "rcv": item.get("rcv"),
                    }
                )
        summary["significance"] = sorted({s["significance"] for s in summary["submissions"] if s["significance"]})
        if isinstance(data.get("num_stars"), int):
            summary["num_stars"] = data["num_stars"]
    if isinstance(vcf, dict):
        for key, target in (("clnsig", "significance"), ("revstat", "review_status")):
            value = vcf.get(key)
            if isinstance(value, list):
                summary[target] = sorted({*summary[target], *[v for v in value if isinstance(v, str)]})
        if summary["variant_id"] is None and isinstance(vcf.get("accessions"), list):
            summary["accessions"] = vcf["accessions"]
    return summary


def _annotation(allele: AlleleData, panel: PanelData | None) -> dict[str, Any]:
    in_panel = {t["transcript"] for t, _ in match_panel(allele, panel)} if panel is not None else set()
    references = allele.annotation.get("references")
    return {
        "annotation_id": allele.annotation_id,
        "transcripts": [{**t, "in_genepanel": t["transcript"] in in_panel} for t in allele.transcripts()],
        "frequencies": allele.frequencies(),
        "external": allele.external(),
        "clinvar": _clinvar(allele.external()),
        "references": [r for r in references if isinstance(r, dict)] if isinstance(references, list) else [],
        "raw": allele.annotation,
    }


def _references(pubmed_ids: set[int], reference_ids: set[int]) -> list[dict[str, Any]]:
    conditions = []
    if pubmed_ids:
        conditions.append(Reference.pubmed_id == int_ids(pubmed_ids))
    if reference_ids:
        conditions.append(Reference.id == int_ids(reference_ids))
    if not conditions:
        return []
    query = select(Reference).where(conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1])
    return [reference_json(r) for r in db().scalars(query.order_by(Reference.id))]


def reference_json(ref_: Reference) -> dict[str, Any]:
    return {
        "id": ref_.id,
        "pubmed_id": ref_.pubmed_id,
        "title": ref_.title,
        "authors": ref_.authors,
        "journal": ref_.journal,
        "year": ref_.year,
        "abstract": ref_.abstract,
        "published": ref_.published,
    }


def details(
    allele_ids: list[int], analysis: Analysis | None, panel_key: tuple[str, str] | None
) -> list[dict[str, Any]]:
    session = db()
    config = params.app_config()
    samples = load_samples(session, analysis.id) if analysis is not None else []
    alleles = load_alleles(session, allele_ids, config, sample_ids=[s.id for s in samples])
    panel = load_panel(session, *panel_key) if panel_key else None
    history: dict[int, list[dict[str, Any]]] = {}
    for item in classification.assessments(session, config, allele_ids, include_superseded=True):
        history.setdefault(item["allele_id"], []).append(item)
    reports = {r["allele_id"]: r for r in classification.reports(session, allele_ids)}
    ref_assessments: dict[int, list[dict[str, Any]]] = {}
    for item in classification.reference_assessments(session, allele_ids):
        ref_assessments.setdefault(item["allele_id"], []).append(item)
    result = []
    for allele_id in allele_ids:
        allele = alleles[allele_id]
        annotation = _annotation(allele, panel)
        pubmed_ids = {r["pubmed_id"] for r in annotation["references"] if isinstance(r.get("pubmed_id"), int)}
        assessed = {r["reference_id"] for r in ref_assessments.get(allele_id, [])}
        current = [a for a in history.get(allele_id, []) if a["date_superceeded"] is None]
        result.append(
            {
                **overview.allele_summary(allele, panel),
                "genepanel": {"name": panel.name, "version": panel.version} if panel else None,
                "annotation": annotation,
                "filter_status": allele.filter_status,
                "variant_quality": allele.variant_quality,
                "samples": [
                    {
                        **{
                            k: getattr(s, k)
                            for k in (
                                "id",
                                "identifier",
                                "proband",
                                "affected",
                                "sex",
                                "sample_type",
                                "family_id",
                                "father_id",
                                "mother_id",
                            )
                        },
                        "genotype": allele.genotypes[s.id].as_dict() if s.id in allele.genotypes else None,
                    }
                    for s in samples
                ],
                "allele_assessment": current[0] if current else None,
                "allele_report": reports.get(allele_id),
                "reference_assessments": ref_assessments.get(allele_id, []),
                "history": history.get(allele_id, []),
                "references": _references(pubmed_ids, assessed),
            }
        )
    return result


@bp.get("/alleles/")
@login_required
def list_alleles() -> Any:
    ids = params.id_list_arg("allele_ids", required=True)
    if len(ids) > MAX_ALLELES:
        raise InputError(f"at most {MAX_ALLELES} alleles at a time", key="allele_ids")
    analysis, panel = _context()
    access.require_alleles(db(), params.user(), ids)
    return params.json_response(details(ids, analysis, panel))


@bp.get("/alleles/<int:allele_id>/")
@login_required
def get_allele(allele_id: int) -> Any:
    access.get_allele(db(), params.user(), allele_id)
    analysis, panel = _context()
    return params.json_response(details([allele_id], analysis, panel)[0])


@bp.get("/alleles/<int:allele_id>/analyses/")
@login_required
def allele_analyses(allele_id: int) -> Any:
    user = params.user()
    access.get_allele(db(), user, allele_id)
    query = (
        select(Analysis)
        .join(Sample, Sample.analysis_id == Analysis.id)
        .join(Genotype, Genotype.sample_id == Sample.id)
        .where(Genotype.allele_id == allele_id, access.analysis_allowed(user))
        .distinct()
        .order_by(Analysis.id)
    )
    analyses = list(db().scalars(query))
    return jsonify(overview.analysis_summaries(db(), analyses))


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
