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
from ella_app.api.openapi import ID, PAGING, obj, op, path_param, query_param, ref
from ella_app.api.v1 import params
from ella_app.errors import InputError
from ella_app.services import allele_genepanels, interpretations, overview, snapshots

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
    return jsonify(interpretations.logs(db(), subject, params.user()))


def add_log(kind: str, subject_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    data = params.body("LogCreate")
    entry = interpretations.add_log(db(), params.user(), subject, data)
    db().commit()
    return jsonify(entry), 201


def edit_log(kind: str, subject_id: int, log_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    data = params.body("LogPatch")
    entry = interpretations.edit_log(db(), params.user(), subject, log_id, data["message"])
    db().commit()
    return jsonify(entry)


def delete_log(kind: str, subject_id: int, log_id: int) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    interpretations.delete_log(db(), params.user(), subject, log_id)
    db().commit()
    return jsonify(None)


# ------------------------------------------------------------------------------------------ ELLA's other views


def list_snapshots(kind: str, subject_id: int) -> Any:
    if kind == "analyses":
        return params.json_response(snapshots.analysis_snapshots(db(), params.user(), subject_id))
    return params.json_response(snapshots.allele_snapshots(db(), params.user(), subject_id))


def finalize(kind: str, subject_id: int) -> Any:
    """``POST snapshots/``: ELLA serves its finalize action at this URL too."""
    return action(kind, subject_id, "finalize")


def round_alleles(kind: str, subject_id: int, interpretation_id: int) -> Any:
    """The variant of a variant-workflow round with its details in the round's gene panel (ELLA's client asks
    with ``allele_ids`` = the workflow's variant); a finished round as its snapshot recorded it unless ``current``."""
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    interpretation = interpretations.get_round(db(), subject, interpretation_id)
    ids = params.id_list_arg("allele_ids") or [subject.id]
    current = params.bool_arg("current")
    return params.json_response(
        interpretations.round_alleles(db(), params.app_config(), subject, interpretation, ids, current=current)
    )


def genepanels(kind: str, subject_id: int) -> Any:
    return jsonify(allele_genepanels.covering_panels(db(), params.user(), subject_id))


def genepanel(kind: str, subject_id: int, gp_name: str, gp_version: str) -> Any:
    subject, _ = interpretations.subject(db(), params.user(), kind, subject_id)
    if kind == "alleles":
        ids = [subject.id]
    else:
        ids = params.id_list_arg("allele_ids")
        if len(ids) > MAX_PANEL_ALLELES:
            raise InputError(f"at most {MAX_PANEL_ALLELES} alleles at a time", key="allele_ids")
        interpretations.require_in_analysis(db(), subject.id, ids)
    return jsonify(allele_genepanels.panel_for_alleles(db(), params.user(), ids, gp_name, gp_version))


def stats(kind: str, subject_id: int) -> Any:
    return jsonify(overview.analysis_stats(db(), params.user(), subject_id))


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
ALLELES_ONLY = ("alleles",)
MAX_PANEL_ALLELES = 10_000
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
_route("/logs/<int:log_id>/", "editlog", edit_log, ("PATCH",))
_route("/logs/<int:log_id>/", "deletelog", delete_log, ("DELETE",))
_route("/snapshots/", "snapshots", list_snapshots)
_route("/actions/finalize/", "finalize_snapshots", list_snapshots)  # ELLA: one resource, both URLs
_route("/snapshots/", "snapshots_finalize", finalize, ("POST",))
_route("/interpretations/<int:interpretation_id>/alleles/", "alleles", round_alleles, kinds=ALLELES_ONLY)
_route(
    "/interpretations/<int:interpretation_id>/finishallowed",  # ELLA's URL (no trailing slash)
    "finishallowed_ella",
    finish_allowed,
    kinds=ANALYSES_ONLY,
)
_route("/genepanels/", "genepanels", genepanels, kinds=ALLELES_ONLY)
_route("/genepanels/<gp_name>/<gp_version>/", "genepanel", genepanel)
_route("/stats/", "stats", stats, kinds=ANALYSES_ONLY)


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
            "get": op(
                "Work log: {logs, users}; each entry says whether the caller may edit it, a classification's entry "
                "names the variant and its new and previous class",
                tag,
                params=[sid],
                response=ref("WorkLog"),
            ),
            "post": op(
                "Add to the work log (message, priority, overview comment, warning cleared)",
                tag,
                params=[sid],
                body="LogCreate",
                response=ref("LogEntry"),
                status="201",
            ),
        }
        lid = [sid, ID("log_id")]
        paths[f"{base}/logs/{{log_id}}/"] = {
            "patch": op(
                "Change the message of one's own work log entry of the latest round (403 for another user's, "
                "409 for an older round's)",
                tag,
                params=lid,
                body="LogPatch",
                response=ref("LogEntry"),
            ),
            "delete": op("Delete one's own work log entry of the latest round", tag, params=lid),
        }
        snapshot_list = op(
            "What each finished round showed: per variant the annotation, custom annotation, classification and "
            "report ids (ELLA serves this at actions/finalize/ too)",
            tag,
            params=[sid],
            response={"type": "array", "items": ref("Snapshot")},
            description=snapshots.__doc__,
        )
        paths[f"{base}/snapshots/"] = {
            "get": snapshot_list,
            "post": op(
                "Finalize the round (ELLA serves its finalize action at this URL too)",
                tag,
                params=[sid],
                body="WorkflowAction",
                body_optional=True,
                response=ref("Interpretation"),
            ),
        }
        paths[f"{base}/actions/finalize/"]["get"] = snapshot_list
        gp = [sid, path_param("gp_name", "string"), path_param("gp_version", "string")]
        paths[f"{base}/genepanels/{{gp_name}}/{{gp_version}}/"] = {
            "get": op(
                "The gene panel cut down to the genes and transcripts of the variants (the workflow's variant, or "
                "allele_ids of the analysis), with inheritance, phenotypes and current gene assessments",
                tag,
                params=gp
                + ([query_param("allele_ids", "ids", "variants of the analysis")] if prefix == "analyses" else []),
                response=ref("AlleleGenePanel"),
                description=allele_genepanels.__doc__,
            )
        }
        if prefix == "alleles":
            paths[f"{base}/genepanels/"] = {
                "get": op(
                    "The caller's official gene panels with a transcript overlapping the variant",
                    tag,
                    params=[sid],
                    response={"type": "array", "items": ref("GenePanel")},
                )
            }
            paths[f"{base}/interpretations/{{interpretation_id}}/alleles/"] = {
                "get": op(
                    "The workflow's variant with its details in the round's gene panel (a finished round: as its "
                    "snapshot recorded them, unless current=true)",
                    tag,
                    params=[
                        *iid,
                        query_param("allele_ids", "ids", "the workflow's variant (default)"),
                        query_param(
                            "current", "boolean", "today's data instead of what a finished round's snapshot recorded"
                        ),
                    ],
                    response={"type": "array", "items": ref("AlleleDetail")},
                )
            }
        if prefix == "analyses":
            paths[f"{base}/interpretations/{{interpretation_id}}/finishallowed"] = paths[
                f"{base}/interpretations/{{interpretation_id}}/finishallowed/"
            ]
            paths[f"{base}/stats/"] = {
                "get": op(
                    "Number of variants called in the analysis",
                    tag,
                    params=[sid],
                    response=obj({"allele_count": {"type": "integer"}}, ("allele_count",)),
                )
            }
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
