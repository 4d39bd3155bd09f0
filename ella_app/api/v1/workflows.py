"""``/api/v1/workflows/{analyses,alleles}/<id>/``: interpretation rounds, the filtered variant list, the
workflow actions (ELLA's state machine in ``services/workflow.py``), classification and the work log.

The same routes serve both workflows: ``analyses/<analysis_id>`` (an analysis and its variants) and
``alleles/<allele_id>`` (one variant, ELLA's variant workflow, interpreted in a gene panel chosen at start).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, query_param, ref
from ella_app.api.v1 import params
from ella_app.db.models import (
    Analysis,
    FilterConfig,
    Genotype,
    InterpretationLog,
    Sample,
    User,
)
from ella_app.errors import InputError, NotFoundError
from ella_app.services import access, classification, config_merge, filtering, overview, workflow
from ella_app.services.filters.context import FilterContext, analysis_context, int_ids, load_alleles, load_samples
from ella_app.services.workflow import Subject

bp = params.install(Blueprint("workflows", __name__))
ACTIONS = ("start", "override", "finalize", "reopen", *workflow.ANALYSIS_TARGETS)


def _subject(kind: str, subject_id: int) -> tuple[Subject, Analysis | None]:
    """The workflow subject after the access check (the analysis too, for analyses)."""
    user = params.user()
    if kind == "analyses":
        analysis = access.get_analysis(db(), user, subject_id)
        return Subject("analysis", analysis.id), analysis
    allele = access.get_allele(db(), user, subject_id)
    return Subject("allele", allele.id), None


def _interpretation(subject: Subject, interpretation_id: int) -> Any:
    if access.valid_id(interpretation_id):
        found = db().get(subject.model, interpretation_id)
        owner = getattr(found, "analysis_id" if subject.kind == "analysis" else "allele_id", None)
        if found is not None and owner == subject.id:
            return found
    raise NotFoundError(f"no interpretation {interpretation_id} of this {subject.kind}")


def _full(interpretation: Any) -> dict[str, Any]:
    users = {}
    if interpretation.user_id:
        found = db().get(User, interpretation.user_id)
        if found is not None:
            users[found.id] = found
    return {
        **overview.interpretation_json(interpretation, users),
        "state": interpretation.state,
        "user_state": interpretation.user_state,
    }


# ------------------------------------------------------------------------------------------ rounds


def list_interpretations(kind: str, subject_id: int) -> Any:
    subject, _ = _subject(kind, subject_id)
    return jsonify([_full(i) for i in workflow.interpretations(db(), subject)])


def get_interpretation(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, _ = _subject(kind, subject_id)
    return jsonify(_full(_interpretation(subject, interpretation_id)))


def patch_interpretation(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, analysis = _subject(kind, subject_id)
    data = params.body("StatePatch")
    state = data.get("state")
    if state is not None and analysis is not None:
        _check_manually_added(db(), analysis.id, state)
    saved = workflow.save(db(), subject, interpretation_id, params.user(), state, data.get("user_state"))
    db().commit()
    return jsonify(_full(saved))


def _check_manually_added(session: Session, analysis_id: int, state: dict[str, Any]) -> None:
    wanted = state.get(filtering.MANUALLY_ADDED) or []
    if not wanted:
        return
    found = set(
        session.scalars(
            select(Genotype.allele_id)
            .join(Sample, Sample.id == Genotype.sample_id)
            .where(Sample.analysis_id == analysis_id, Genotype.allele_id == int_ids(wanted))
        )
    )
    missing = sorted(set(wanted) - found)
    if missing:
        raise InputError(f"not variants of this analysis: {missing[:20]}", key="state.manuallyAddedAlleles")


# ------------------------------------------------------------------------------------------ variants


def _view(
    analysis: Analysis, interpretation: Any, filterconfig_id: int | None
) -> tuple[FilterContext, filtering.FilterOutcome]:
    """The variants of a round with a filter config applied. A finished round shows what was recorded in its
    snapshot (annotation, classification, filtering) unless another filter config is asked for."""
    session = db()
    panel = (interpretation.genepanel_name, interpretation.genepanel_version)
    recorded = workflow.snapshots(session, interpretation.id) if interpretation.status == "Done" else []
    if recorded and filterconfig_id is None:
        ctx = analysis_context(
            session,
            params.app_config(),
            analysis.id,
            panel,
            annotation_ids={s.allele_id: s.annotation_id for s in recorded if s.annotation_id is not None},
            assessment_ids={s.allele_id: s.alleleassessment_id for s in recorded},
            allele_ids=[s.allele_id for s in recorded],
        )
        excluded: dict[str, list[int]] = {}
        for s in recorded:
            if s.filtered:
                excluded.setdefault(s.filtered, []).append(s.allele_id)
        saved = interpretation.state.get("filterconfig_id") if isinstance(interpretation.state, dict) else None
        fc = session.get(FilterConfig, saved) if isinstance(saved, int) and access.valid_id(saved) else None
        outcome = filtering.FilterOutcome(
            fc.id if fc else None,
            fc.name if fc else None,
            {s.allele_id for s in recorded if not s.filtered},
            excluded,
            filtering.unsupported_filters(fc.filterconfig) if fc else [],
        )
        return ctx, outcome
    return filtering.filter_interpretation(
        session,
        params.app_config(),
        params.user().group_id,
        analysis,
        interpretation.state,
        filterconfig_id=filterconfig_id,
        genepanel=panel,
    )


_CHROMOSOMES = {str(n): n for n in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25, "M": 25}


def _position(row: dict[str, Any]) -> tuple[int, str, int, int]:
    chrom = row["chromosome"].removeprefix("chr")
    return (_CHROMOSOMES.get(chrom, 99), chrom, row["vcf_pos"], row["id"])


def _rows(ctx: FilterContext, outcome: filtering.FilterOutcome, allele_ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        row = overview.allele_summary(allele, ctx.panel)
        probands = ctx.proband_genotypes(allele_id)
        row["genotype"] = {
            **(probands[0].as_dict() if probands else {}),
            "filter_status": allele.filter_status,
            "variant_quality": allele.variant_quality,
        }
        row["filtered"] = next((name for name, ids in outcome.excluded.items() if allele_id in ids), None)
        row["reincluded"] = allele_id in outcome.manually_added
        rows.append(row)
    return sorted(rows, key=_position)


def _analysis_round(kind: str, subject_id: int, interpretation_id: int) -> tuple[Analysis, Any]:
    if kind != "analyses":
        raise NotFoundError("variant lists exist for analyses only")
    subject, analysis = _subject(kind, subject_id)
    assert analysis is not None
    return analysis, _interpretation(subject, interpretation_id)


def interpretation_alleles(kind: str, subject_id: int, interpretation_id: int) -> Any:
    analysis, interpretation = _analysis_round(kind, subject_id, interpretation_id)
    ctx, outcome = _view(analysis, interpretation, params.int_arg("filterconfig_id"))
    return params.json_response({**outcome.as_dict(), "alleles": _rows(ctx, outcome, outcome.shown)})


def interpretation_filtered(kind: str, subject_id: int, interpretation_id: int) -> Any:
    analysis, interpretation = _analysis_round(kind, subject_id, interpretation_id)
    ctx, outcome = _view(analysis, interpretation, params.int_arg("filterconfig_id"))
    filtered = sorted({a for ids in outcome.excluded.values() for a in ids})
    return params.json_response({**outcome.as_dict(), "alleles": _rows(ctx, outcome, filtered)})


def finish_allowed(kind: str, subject_id: int, interpretation_id: int) -> Any:
    subject, analysis = _subject(kind, subject_id)
    interpretation = _interpretation(subject, interpretation_id)
    view = _view(analysis, interpretation, params.int_arg("filterconfig_id")) if analysis is not None else None
    problems = _finalize_problems(subject, interpretation, view)
    if interpretation.status != "Ongoing":
        problems.insert(0, f"the interpretation is '{interpretation.status}', not 'Ongoing'")
    return jsonify({"allowed": not problems, "problems": problems})


def filterconfigs(kind: str, subject_id: int) -> Any:
    _, analysis = _subject(kind, subject_id)
    if analysis is None:
        raise NotFoundError("filter configs apply to analyses only")
    samples = load_samples(db(), analysis.id)
    eligible = filtering.eligible_filterconfigs(db(), params.user().group_id, analysis, samples)
    return jsonify([filtering.describe(fc, default=index == 0) for index, fc in enumerate(eligible)])


# ------------------------------------------------------------------------------------------ actions


View = tuple[FilterContext, filtering.FilterOutcome]


def _finalize_problems(subject: Subject, interpretation: Any, view: View | None) -> list[str]:
    requirements = config_merge.finalize_requirements(params.app_config(), params.user(), subject.kind)
    if view is not None:
        return workflow.finalize_problems(requirements, interpretation, *view)
    problems = workflow.finalize_problems(requirements, interpretation, None, None)
    if subject.kind == "allele" and requirements.get("allow_unclassified", True) is False:
        [allele] = load_alleles(db(), [subject.id], params.app_config()).values()
        if allele.assessment is None or allele.assessment.outdated:
            problems.append("the variant is not classified")
    return problems


def _start_allele(subject: Subject) -> Any:
    data = params.body("AlleleWorkflowStart", optional=True)
    genepanel = None
    if "gp_name" in data or "gp_version" in data:
        if "gp_name" not in data or "gp_version" not in data:
            raise InputError("give both gp_name and gp_version", key="gp_name")
        access.require_panel(db(), params.user(), data["gp_name"], data["gp_version"])
        genepanel = (data["gp_name"], data["gp_version"])
    return workflow.start(db(), subject, params.user(), genepanel)


def action(kind: str, subject_id: int, name: str) -> Any:
    subject, analysis = _subject(kind, subject_id)
    user = params.user()
    session = db()
    if name == "start" and analysis is None:
        result = _start_allele(subject)
        session.commit()
        return jsonify(_full(result))
    data = params.body("WorkflowAction", optional=True)
    view: View | None = None
    if analysis is not None and (name == "finalize" or name in subject.targets):
        current = workflow.latest(session, subject)
        if current is not None and current.status == "Ongoing" and current.user_id == user.id:
            view = _view(analysis, current, data.get("filterconfig_id"))
    snapshot = workflow.snapshot_analysis(session, *view) if view is not None else None
    if name == "start":
        result = workflow.start(session, subject, user)
    elif name == "override":
        result = workflow.override(session, subject, user)
    elif name == "reopen":
        result = workflow.reopen(session, subject, user)
    elif name == "finalize":
        result = workflow.finalize(
            session, subject, user, lambda current: _finalize_problems(subject, current, view), snapshot
        )
    else:
        result = workflow.mark(session, subject, user, name, snapshot)
    session.commit()
    return jsonify(_full(result))


def finalize_allele(kind: str, subject_id: int) -> Any:
    subject, analysis = _subject(kind, subject_id)
    data = params.body("FinalizeAllele")
    user = params.user()
    session = db()
    current = workflow.latest(session, subject, lock=True)
    if current is None or current.status != "Ongoing" or current.user_id != user.id:
        raise workflow.WorkflowConflict("classify within your own Ongoing interpretation (start it first)")
    allele_id = data["allele_id"]
    if analysis is not None:
        in_analysis = session.scalar(
            select(Genotype.id)
            .join(Sample, Sample.id == Genotype.sample_id)
            .where(Sample.analysis_id == analysis.id, Genotype.allele_id == allele_id)
            .limit(1)
        )
        if in_analysis is None:
            raise NotFoundError(f"allele {allele_id} is not a variant of analysis {analysis.id}")
    elif allele_id != subject.id:
        raise NotFoundError(f"allele {allele_id} is not the variant of this workflow")
    assessment = data["alleleassessment"]
    report = data.get("allelereport", {})
    request = classification.Classification(
        allele_id=allele_id,
        classification=assessment.get("classification"),
        evaluation=assessment.get("evaluation", {}),
        report=report.get("evaluation", {}),
        presented_assessment_id=assessment.get("presented_alleleassessment_id"),
        presented_report_id=report.get("presented_allelereport_id"),
        reuse_assessment=bool(assessment.get("reuse", False)),
        reuse_report=bool(report.get("reuse", False)),
        annotation_id=data.get("annotation_id"),
        references=[(r["reference_id"], r["evaluation"]) for r in data.get("referenceassessments", [])],
    )
    where = classification.Context(
        user, (current.genepanel_name, current.genepanel_version), analysis.id if analysis else None
    )
    created = classification.classify(session, params.app_config(), where, request)
    session.commit()
    return jsonify(
        {
            **created,
            "alleleassessment": classification.assessments(session, params.app_config(), [allele_id])[0],
            "allelereport": classification.reports(session, [allele_id])[0],
        }
    )


# ------------------------------------------------------------------------------------------ work log


def _log_json(entry: InterpretationLog, users: dict[int, User]) -> dict[str, Any]:
    return {
        "id": entry.id,
        "user": overview.user_json(users.get(entry.user_id)) if entry.user_id else None,
        "date_created": entry.date_created.isoformat() if entry.date_created else None,
        "message": entry.message,
        "priority": entry.priority,
        "review_comment": entry.review_comment,
        "warning_cleared": entry.warning_cleared,
    }


def list_logs(kind: str, subject_id: int) -> Any:
    subject, _ = _subject(kind, subject_id)
    column = InterpretationLog.analysis_id if subject.kind == "analysis" else InterpretationLog.allele_id
    entries = list(db().scalars(select(InterpretationLog).where(column == subject.id).order_by(InterpretationLog.id)))
    ids = {e.user_id for e in entries if e.user_id}
    users = {u.id: u for u in db().scalars(select(User).where(User.id == int_ids(ids)))} if ids else {}
    return jsonify([_log_json(e, users) for e in entries])


def add_log(kind: str, subject_id: int) -> Any:
    subject, _ = _subject(kind, subject_id)
    data = params.body("LogCreate")
    user = params.user()
    entry = InterpretationLog(user_id=user.id, **data)
    if subject.kind == "analysis":
        entry.analysis_id = subject.id
    else:
        entry.allele_id = subject.id
    db().add(entry)
    db().commit()
    return jsonify(_log_json(entry, {user.id: user})), 201


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
                "Whether the round may be finalized, and what stands in the way",
                tag,
                params=iid,
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
                    "Variants shown with the filter config applied (plus re-included ones)",
                    tag,
                    params=[*iid, fcq],
                    response=ref("FilterResult"),
                )
            }
            paths[f"{base}/interpretations/{{interpretation_id}}/filteredalleles/"] = {
                "get": op(
                    "Variants removed by the filters, with the filter and whether re-included",
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
