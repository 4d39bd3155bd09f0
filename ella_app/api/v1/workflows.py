"""``/api/v1/workflows/{analyses,alleles}/<id>/``: interpretation rounds, the filtered variant list, the
workflow actions (ELLA's state machine in ``services/workflow.py``), classification and the work log.

The same routes serve both workflows: ``analyses/<analysis_id>`` (an analysis and its variants) and
``alleles/<allele_id>`` (one variant, ELLA's variant workflow, interpreted in a gene panel chosen at start).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, PAGING, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.errors import InputError
from ella_app.services import interpretations

bp = Blueprint("workflows", __name__)
ACTIONS = interpretations.ACTIONS


# ------------------------------------------------------------------------------------------ rounds


def list_interpretations(kind: str, subject_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    return jsonify(interpretations.rounds_json(db(), subject))


def get_interpretation(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    return jsonify(interpretations.round_json(db(), interpretations.get_round(db(), subject, interpretation_id)))


def patch_interpretation(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, analysis = interpretations.subject(db(), params.user(), kind, subject_id)
    data = params.body("StatePatch")
    saved = interpretations.save(
        db(), params.user(), subject, analysis, interpretation_id, data.get("state"), data.get("user_state")
    )
    db().commit()
    return jsonify(saved)


# ------------------------------------------------------------------------------------------ variants


def interpretation_alleles(kind: str, subject_id: int, interpretation_id: int) -> Any:
    ctx = interpretations.round_context(db(), params.user(), kind, subject_id, interpretation_id)
    ids = params.id_list_arg("allele_ids") or None
    page = params.int_arg("page", 1, maximum=1_000_000)
    per_page = params.int_arg("per_page", 100, maximum=interpretations.MAX_ROWS)
    assert page is not None and per_page is not None
    rows, total, _ = interpretations.rows(
        db(), params.app_config(), ctx, params.int_arg("filterconfig_id"), ids, page, per_page
    )
    return params.paged(rows, total, page if ids is None else 1, per_page if ids is None else max(1, total))


def interpretation_filtered(kind: str, subject_id: int, interpretation_id: int) -> Any:
    ctx = interpretations.round_context(db(), params.user(), kind, subject_id, interpretation_id)
    view = interpretations.filter_view(db(), params.app_config(), ctx, params.int_arg("filterconfig_id"))
    classified = interpretations.classified(db(), params.app_config(), ctx, view)
    return params.json_response({**view.as_dict(), "classifications": classified})


def _sample_ids() -> list[int] | None:
    """The samples the caller shows: ELLA's ``q={"sample_ids": [...]}`` or ``sample_ids=1,2``."""
    raw = params.str_arg("q", max_length=10_000)
    if raw is None:
        return params.id_list_arg("sample_ids") or None
    try:
        query = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError("must be a JSON object", key="q") from None
    ids = query.get("sample_ids") if isinstance(query, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InputError('must be {"sample_ids": [ids]}', key="q")
    return ids


def finish_allowed(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, analysis = interpretations.subject(db(), params.user(), kind, subject_id)
    interpretation = interpretations.get_round(db(), subject, interpretation_id)
    answer = interpretations.finish_allowed(
        db(),
        params.app_config(),
        params.user(),
        subject,
        analysis,
        interpretation,
        params.int_arg("filterconfig_id"),
        _sample_ids(),
    )
    return jsonify(answer)


def filterconfigs(kind: str, subject_id: int) -> Any:
    _, analysis = interpretations.analysis_subject(db(), params.user(), kind, subject_id)
    return jsonify(interpretations.filterconfigs(db(), params.user(), analysis))


# ------------------------------------------------------------------------------------------ actions


def action(kind: str, subject_id: int, name: str) -> Any:
    subject, analysis = interpretations.subject(db(), params.user(), kind, subject_id)
    schema = "AlleleWorkflowStart" if name == "start" and analysis is None else "WorkflowAction"
    data = params.body(schema, optional=True)
    result = interpretations.act(db(), params.app_config(), params.user(), subject, analysis, name, data)
    db().commit()
    return jsonify(result)


def finalize_allele(kind: str, subject_id: int) -> Any:
    subject, analysis = interpretations.subject(db(), params.user(), kind, subject_id)
    data = params.body("FinalizeAllele")
    result = interpretations.finalize_allele(db(), params.app_config(), params.user(), subject, analysis, data)
    db().commit()
    return jsonify(result)


# ------------------------------------------------------------------------------------------ work log


def list_logs(kind: str, subject_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    return jsonify(interpretations.logs(db(), subject))


def add_log(kind: str, subject_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    data = params.body("LogCreate")
    entry = interpretations.add_log(db(), params.user(), subject, data)
    db().commit()
    return jsonify(entry), 201


# ------------------------------------------------------------------------------------------ routes


def _route(
    rule: str,
    name: str,
    view: Any,
    methods: tuple[str, ...] = ("GET",),
    kinds: tuple[str, ...] = ("analyses", "alleles"),
) -> None:
    for prefix in kinds:
        label = "analysis_id" if prefix == "analyses" else "allele_id"
        full = f"/workflows/{prefix}/<int:{label}>{rule}"

        def bound(view: Any = view, prefix: str = prefix, label: str = label, **kwargs: Any) -> Any:
            subject_id = kwargs.pop(label)
            return view(prefix, subject_id, **kwargs)

        bp.add_url_rule(full, f"{name}_{prefix}", login_required(bound), methods=list(methods))


ANALYSES_ONLY = ("analyses",)
_route("/interpretations/", "interpretations", list_interpretations)
_route("/interpretations/<int:interpretation_id>/", "interpretation", get_interpretation)
_route("/interpretations/<int:interpretation_id>/", "save", patch_interpretation, ("PATCH",))
_route("/interpretations/<int:interpretation_id>/alleles/", "alleles", interpretation_alleles, kinds=ANALYSES_ONLY)
_route(
    "/interpretations/<int:interpretation_id>/filteredalleles/",
    "filteredalleles",
    interpretation_filtered,
    kinds=ANALYSES_ONLY,
)
_route("/interpretations/<int:interpretation_id>/finishallowed/", "finishallowed", finish_allowed)
_route("/filterconfigs/", "filterconfigs", filterconfigs, kinds=ANALYSES_ONLY)
_route("/actions/finalizeallele/", "finalizeallele", finalize_allele, ("POST",))
_route("/actions/<any(" + ",".join(ACTIONS) + "):name>/", "action", action, ("POST",))
_route("/logs/", "logs", list_logs)
_route("/logs/", "addlog", add_log, ("POST",))


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for prefix, label, tag in (
        ("analyses", "analysis_id", "workflow (analyses)"),
        ("alleles", "allele_id", "workflow (variants)"),
    ):
        base = f"/workflows/{prefix}/{{{label}}}"
        sid = ID(label)
        iid = [sid, ID("interpretation_id")]
        fcq = query_param("filterconfig_id", "integer", "filter config to apply (default: state, else group default)")
        paths[f"{base}/interpretations/"] = {
            "get": op(
                "Interpretation rounds, oldest first",
                tag,
                params=[sid],
                response={"type": "array", "items": ref("Interpretation")},
            )
        }
        paths[f"{base}/interpretations/{{interpretation_id}}/"] = {
            "get": op("One interpretation round with its state", tag, params=iid, response=ref("Interpretation")),
            "patch": op(
                "Save the state of the caller's Ongoing round (409 otherwise)",
                tag,
                params=iid,
                body="StatePatch",
                response=ref("Interpretation"),
            ),
        }
        paths[f"{base}/interpretations/{{interpretation_id}}/finishallowed/"] = {
            "get": op(
                "Per finish target (mark actions, finalize) whether it is allowed and why not; the variants that "
                "block finalizing (409 when sample_ids differ from the analysis' samples: data was appended)",
                tag,
                params=[
                    *iid,
                    fcq,
                    {
                        "name": "q",
                        "in": "query",
                        "schema": {"type": "string", "maxLength": 10_000},
                        "description": 'ELLA\'s {"sample_ids": [ids]}: the samples the caller shows',
                    },
                    query_param("sample_ids", "ids", "the samples the caller shows"),
                ],
                response={"type": "object"},
            )
        }
        paths[f"{base}/actions/finalizeallele/"] = {
            "post": op(
                "Classify a variant (append-only allele assessment and report)",
                tag,
                params=[sid],
                body="FinalizeAllele",
                response={"type": "object"},
            )
        }
        for action_name in ACTIONS:
            if prefix == "alleles" and action_name in ("marknotready", "markmedicalreview"):
                continue
            paths[f"{base}/actions/{action_name}/"] = {
                "post": op(
                    f"Workflow action '{action_name}'",
                    tag,
                    params=[sid],
                    body="AlleleWorkflowStart" if prefix == "alleles" and action_name == "start" else "WorkflowAction",
                    body_optional=True,
                    response=ref("Interpretation"),
                )
            }
        paths[f"{base}/logs/"] = {
            "get": op("Work log", tag, params=[sid], response={"type": "array", "items": ref("LogEntry")}),
            "post": op(
                "Add to the work log (message, priority, overview comment, warning cleared)",
                tag,
                params=[sid],
                body="LogCreate",
                response=ref("LogEntry"),
                status="201",
            ),
        }
        if prefix == "analyses":
            paths[f"{base}/interpretations/{{interpretation_id}}/alleles/"] = {
                "get": op(
                    "Rows of the variant list: of the variants asked (allele_ids), else a page of those shown",
                    tag,
                    params=[
                        *iid,
                        query_param("allele_ids", "ids", f"at most {interpretations.MAX_ROWS} allele ids"),
                        fcq,
                        PAGING[0],
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": interpretations.MAX_ROWS},
                        },
                    ],
                    response={"type": "array", "items": ref("AlleleSummary")},
                    paged=True,
                )
            }
            paths[f"{base}/interpretations/{{interpretation_id}}/filteredalleles/"] = {
                "get": op(
                    "Allele ids shown and removed per filter (genomic order), re-included ids, and the "
                    "classifications of those shown",
                    tag,
                    params=[*iid, fcq],
                    response=ref("FilterResult"),
                )
            }
            paths[f"{base}/filterconfigs/"] = {
                "get": op(
                    "Filter configs available for the analysis (first = default)",
                    tag,
                    params=[sid],
                    response={"type": "array", "items": ref("FilterConfigChoice")},
                )
            }
    return paths


PATHS = _paths()
