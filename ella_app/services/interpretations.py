"""The interpretation workflow as the API offers it (``/workflows/{analyses,alleles}/<id>/``): rounds and their
state, the variant lists of a round (ids per filter, then rows for the ids asked), finishing with snapshots,
classifying a variant and the work log. The state machine itself is ``services/workflow.py``; the variant
read model ``services/variants.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    AlleleReport,
    Analysis,
    AnnotationShadowTranscript,
    GenePanelTranscript,
    InterpretationLog,
    Transcript,
    User,
)
from ella_app.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from ella_app.services import (
    access,
    attachments,
    classification,
    config_merge,
    filtering,
    overview,
    snapshots,
    user_views,
    variants,
    workflow,
)
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids
from ella_app.services.workflow import Subject

ACTIONS = ("start", "override", "finalize", "reopen", *workflow.ANALYSIS_TARGETS)
MAX_ROWS = 500  # rows of the variant list in one request


def subject(session: Session, user: UserLike, kind: str, subject_id: int) -> tuple[Subject, Analysis | None]:
    """The workflow subject after the access check (the analysis too, for ``analyses``)."""
    if kind == "analyses":
        analysis = access.get_analysis(session, user, subject_id)
        return Subject("analysis", analysis.id), analysis
    allele = access.get_allele(session, user, subject_id)
    return Subject("allele", allele.id), None


def analysis_subject(session: Session, user: UserLike, kind: str, subject_id: int) -> tuple[Subject, Analysis]:
    if kind != "analyses":
        raise NotFoundError("variant lists and filter configs exist for analyses only")
    found, analysis = subject(session, user, kind, subject_id)
    assert analysis is not None
    return found, analysis


def get_round(session: Session, of: Subject, interpretation_id: int) -> Any:
    if access.valid_id(interpretation_id):
        found = session.get(of.model, interpretation_id)
        owner = getattr(found, "analysis_id" if of.kind == "analysis" else "allele_id", None)
        if found is not None and owner == of.id:
            return found
    raise NotFoundError(f"no interpretation {interpretation_id} of this {of.kind}")


def round_json(session: Session, interpretation: Any) -> dict[str, Any]:
    users = {}
    if interpretation.user_id:
        found = session.get(User, interpretation.user_id)
        if found is not None:
            users[found.id] = found
    return {
        **overview.interpretation_json(interpretation, users),
        "state": interpretation.state,
        "user_state": interpretation.user_state,
    }


def rounds_json(session: Session, of: Subject) -> list[dict[str, Any]]:
    return [round_json(session, i) for i in workflow.interpretations(session, of)]


def save(
    session: Session,
    user: UserLike,
    of: Subject,
    analysis: Analysis | None,
    interpretation_id: int,
    state: dict[str, Any] | None,
    user_state: dict[str, Any] | None,
) -> dict[str, Any]:
    """Save the state of the caller's Ongoing round; re-included variants must be variants of the analysis."""
    if state is not None and analysis is not None:
        wanted = state.get(filtering.MANUALLY_ADDED) or []
        missing = variants.not_in_analysis(session, analysis.id, wanted)
        if missing:
            raise InputError(f"not variants of this analysis: {missing[:20]}", key="state.manuallyAddedAlleles")
    saved = workflow.save(session, of, interpretation_id, user, state, user_state)
    return round_json(session, saved)


# ------------------------------------------------------------------------------------------ variant lists


def round_context(
    session: Session, user: UserLike, kind: str, subject_id: int, interpretation_id: int
) -> variants.RoundContext:
    """An analysis round the user may see, with what its variant lists need (one query)."""
    if kind != "analyses":
        raise NotFoundError("variant lists and filter configs exist for analyses only")
    return variants.round_context(session, user.group_id, subject_id, interpretation_id)


def filter_view(
    session: Session, app_config: dict[str, Any], ctx: variants.RoundContext, filterconfig_id: int | None
) -> variants.FilterView:
    return variants.filter_view(session, app_config, ctx, filterconfig_id)


def rows(
    session: Session,
    app_config: dict[str, Any],
    ctx: variants.RoundContext,
    filterconfig_id: int | None,
    allele_ids: Sequence[int] | None,
    page: int = 1,
    per_page: int = 100,
) -> tuple[list[dict[str, Any]], int, variants.FilterView]:
    """Side-list rows of a round: of ``allele_ids`` (each a variant of the analysis), else a page of the
    variants shown. Returns (rows, total, view)."""
    view = filter_view(session, app_config, ctx, filterconfig_id)
    reasons = view.reasons()
    if allele_ids is None:
        total = len(view.shown)
        wanted = view.shown[(page - 1) * per_page : page * per_page]
    else:
        if len(allele_ids) > MAX_ROWS:
            raise InputError(f"at most {MAX_ROWS} alleles at a time", key="allele_ids")
        unknown = [a for a in allele_ids if a not in reasons and not view.is_shown(a)]
        if unknown:
            raise NotFoundError(f"not variants of this analysis: {', '.join(map(str, unknown[:20]))}")
        wanted, total = list(allele_ids), len(allele_ids)
    interpretation = ctx.interpretation
    found = variants.list_rows(
        session,
        app_config,
        wanted,
        analysis_id=ctx.analysis.id,
        genepanel=(interpretation.genepanel_name, interpretation.genepanel_version),
        reasons=reasons,
        manually_added=view.manually_added,
        interpretation_id=interpretation.id if view.snapshot else None,
        samples=ctx.samples,
    )
    return found, total, view


def classified(
    session: Session, app_config: dict[str, Any], ctx: variants.RoundContext, view: variants.FilterView
) -> dict[int, dict[str, Any]]:
    """{allele id: {classification, outdated}} of the shown variants that have one (the list's sections)."""
    current = variants.classifications(
        session,
        app_config,
        view.shown,
        interpretation_id=ctx.interpretation.id if view.snapshot else None,
        analysis_id=ctx.analysis.id,
        changes=ctx.counts.classification,
    )
    return {a: {"classification": c.classification, "outdated": c.outdated} for a, c in current.items()}


def round_alleles(
    session: Session,
    app_config: dict[str, Any],
    of: Subject,
    interpretation: Any,
    allele_ids: Sequence[int],
    *,
    current: bool = False,
) -> list[dict[str, Any]]:
    """ELLA's ``workflows/alleles/<id>/interpretations/<iid>/alleles/``: the details of the workflow's variant in
    the round's gene panel (the variant workflow has one variant: other ids are not found). ``of`` and
    ``interpretation`` come from :func:`subject` and :func:`get_round` (the access checks).

    As in ELLA, a finished round shows what its snapshot recorded (annotation, classification, report) unless
    ``current`` asks for today's data."""
    other = [a for a in allele_ids if a != of.id]
    if other:
        raise NotFoundError(f"not the variant of this workflow: {', '.join(map(str, other[:20]))}")
    panel = (interpretation.genepanel_name, interpretation.genepanel_version)
    pins = None
    if not current and interpretation.status == "Done":
        recorded = snapshots.allele_round_snapshot(session, interpretation.id, of.id)
        if recorded is not None:
            pins = {of.id: recorded}
    return variants.details(session, app_config, [of.id], analysis_id=None, genepanel=panel, pins=pins)


def require_in_analysis(session: Session, analysis_id: int, allele_ids: Sequence[int]) -> None:
    missing = variants.not_in_analysis(session, analysis_id, allele_ids)
    if missing:
        raise NotFoundError(f"not variants of this analysis: {', '.join(map(str, missing[:20]))}")


def filterconfigs(session: Session, user: UserLike, analysis: Analysis) -> list[dict[str, Any]]:
    samples = variants.load_samples(session, analysis.id)
    eligible = filtering.eligible_filterconfigs(session, user.group_id, analysis, samples)
    return [filtering.describe(fc, default=index == 0) for index, fc in enumerate(eligible)]


# ------------------------------------------------------------------------------------------ finishing


MAX_LABELLED = 200  # variants of a refusal described by gene and HGVS (one query); the rest by id
MAX_NAMED = 20  # variants named in a refusal's message


def variant_label(row: dict[str, Any]) -> str:
    """``BRCA2 c.1275A>G (13:32906889 A>G)``: gene and HGVSc on the panel transcript, then the position."""
    transcripts = row.get("transcripts") or []
    gene = next((g["symbol"] for g in row.get("genes") or [] if g.get("symbol")), None) or next(
        (t["symbol"] for t in transcripts if t.get("symbol")), None
    )
    hgvs = transcripts[0].get("hgvsc") if transcripts else None
    position = f"{row['chromosome']}:{row['vcf_pos']} {row['vcf_ref']}>{row['vcf_alt']}"
    name = " ".join(x for x in (gene, hgvs) if x)
    return f"{name} ({position})" if name else position


def _finish_check(
    session: Session,
    app_config: dict[str, Any],
    user: UserLike,
    of: Subject,
    interpretation: Any,
    view: variants.FilterView | None,
) -> workflow.FinishCheck:
    """The finalize requirements checked against the variants shown (the analysis' list, or the variant)."""
    requirements = config_merge.finalize_requirements(app_config, user, of.kind)
    if view is not None:
        shown = view.shown
        current = variants.classifications(session, app_config, shown, analysis_id=interpretation.analysis_id)
    else:
        shown = [of.id]
        current = variants.classifications(session, app_config, shown)
    return workflow.finalize_check(requirements, of.kind, interpretation, shown, current)


def _blocking(
    session: Session, app_config: dict[str, Any], of: Subject, interpretation: Any, check: workflow.FinishCheck
) -> list[dict[str, Any]]:
    """The variants that block finalizing: id, label (the first MAX_LABELLED), reason."""
    if not check.blockers:
        return []
    ids = [b.allele_id for b in check.blockers[:MAX_LABELLED]]
    rows = variants.list_rows(
        session,
        app_config,
        ids,
        analysis_id=of.id if of.kind == "analysis" else None,
        genepanel=(interpretation.genepanel_name, interpretation.genepanel_version),
    )
    labels = {r["id"]: variant_label(r) for r in rows}
    return [{"allele_id": b.allele_id, "variant": labels.get(b.allele_id), "reason": b.reason} for b in check.blockers]


def _messages(check: workflow.FinishCheck, blocking: list[dict[str, Any]], *, name: bool = True) -> list[str]:
    """The problems, then one line for the blocking variants (naming the first MAX_NAMED when ``name``)."""
    messages = list(check.problems)
    if blocking and not name:
        messages.append(f"{len(blocking)} variant(s) block finalizing")
    elif blocking:
        named = "; ".join(
            f"{b['variant'] or 'allele ' + str(b['allele_id'])}: {b['reason']}" for b in blocking[:MAX_NAMED]
        )
        more = f"; and {len(blocking) - MAX_NAMED} more" if len(blocking) > MAX_NAMED else ""
        messages.append(f"{len(blocking)} variant(s) block finalizing: {named}{more}")
    return messages


SAMPLES_CHANGED = "Can not finish interpretation. Additional data have been added to this analysis. Please refresh."


def finish_allowed(
    session: Session,
    app_config: dict[str, Any],
    user: UserLike,
    of: Subject,
    analysis: Analysis | None,
    interpretation: Any,
    filterconfig_id: int | None,
    sample_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """What the finish dialog shows before the click: per target (the mark actions, finalize) whether it is
    allowed and why not, the variants that block finalizing and the requirements applied.

    ``sample_ids`` (ELLA's ``finishallowed?q={"sample_ids": [...]}``): the samples the caller has on screen; when
    the analysis has others now (data was appended), a :class:`ConflictError` as in ELLA."""
    if sample_ids is not None and analysis is not None:
        actual = sorted(s.id for s in variants.load_samples(session, analysis.id))
        if sorted(set(sample_ids)) != actual:
            raise ConflictError(SAMPLES_CHANGED)
    view = (
        filter_view(
            session,
            app_config,
            variants.round_context(session, user.group_id, analysis.id, interpretation.id),
            filterconfig_id,
        )
        if analysis is not None
        else None
    )
    check = _finish_check(session, app_config, user, of, interpretation, view)
    blocking = _blocking(session, app_config, of, interpretation, check)
    latest = workflow.latest(session, of)
    if interpretation.status != "Ongoing":
        not_yours = f"the interpretation is '{interpretation.status}', not 'Ongoing'"
    elif latest is not None and latest.id != interpretation.id:
        not_yours = "this is not the latest interpretation"
    elif interpretation.user_id != user.id:
        not_yours = "the interpretation is owned by another user"
    else:
        not_yours = ""
    finalize = ([not_yours] if not_yours else []) + _messages(check, blocking, name=False)
    reasons = [not_yours] if not_yours else []
    targets = [
        {"action": action, "workflow_status": status, "allowed": not reasons, "reasons": reasons}
        for action, status in of.targets.items()
    ]
    targets.append({"action": "finalize", "workflow_status": "Finalized", "allowed": not finalize, "reasons": finalize})
    return {
        "allowed": not finalize,
        "problems": finalize,
        "blocking": blocking,
        "targets": targets,
        "finalize_requirements": config_merge.finalize_requirements(app_config, user, of.kind),
    }


def act(
    session: Session,
    app_config: dict[str, Any],
    user: UserLike,
    of: Subject,
    analysis: Analysis | None,
    name: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """A workflow action; finishing an analysis round records a snapshot of what it showed."""
    if name == "start" and analysis is None:
        genepanel = None
        if "gp_name" in data or "gp_version" in data:
            if "gp_name" not in data or "gp_version" not in data:
                raise InputError("give both gp_name and gp_version", key="gp_name")
            access.require_panel(session, user, data["gp_name"], data["gp_version"])
            genepanel = (data["gp_name"], data["gp_version"])
        return round_json(session, workflow.start(session, of, user, genepanel))
    view: variants.FilterView | None = None
    if analysis is not None and (name == "finalize" or name in of.targets):
        current = workflow.latest(session, of)
        if current is not None and current.status == "Ongoing" and current.user_id == user.id:
            ctx = variants.round_context(session, user.group_id, analysis.id, current.id)
            view = filter_view(session, app_config, ctx, data.get("filterconfig_id"))
    snapshot = (
        workflow.snapshot_analysis(session, analysis.id, view.recorded_reasons())
        if view is not None and analysis is not None
        else None
    )
    if analysis is None and (name == "finalize" or name in of.targets):
        snapshot = workflow.snapshot_allele(session, of.id)
    if name == "start":
        result = workflow.start(session, of, user)
    elif name == "override":
        result = workflow.override(session, of, user)
    elif name == "reopen":
        result = workflow.reopen(session, of, user)
    elif name == "finalize":

        def check(round_: Any) -> None:
            found = _finish_check(session, app_config, user, of, round_, view)
            if not found.allowed:
                blocking = _blocking(session, app_config, of, round_, found)
                message = "cannot finalize: " + "; ".join(_messages(found, blocking))
                raise workflow.WorkflowConflict(message, {"blocking": blocking})

        result = workflow.finalize(session, of, user, check, snapshot)
    else:
        result = workflow.mark(session, of, user, name, snapshot)
    return round_json(session, result)


def finalize_allele(
    session: Session,
    app_config: dict[str, Any],
    user: UserLike,
    of: Subject,
    analysis: Analysis | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Classify a variant within the caller's Ongoing round (``finalizeallele``)."""
    current = workflow.latest(session, of, lock=True)
    if current is None or current.status != "Ongoing" or current.user_id != user.id:
        raise workflow.WorkflowConflict("classify within your own Ongoing interpretation (start it first)")
    allele_id = data["allele_id"]
    if analysis is not None:
        if variants.not_in_analysis(session, analysis.id, [allele_id]):
            raise NotFoundError(f"allele {allele_id} is not a variant of analysis {analysis.id}")
    elif allele_id != of.id:
        raise NotFoundError(f"allele {allele_id} is not the variant of this workflow")
    assessment = data["alleleassessment"]
    report = data.get("allelereport", {})
    if not assessment.get("reuse", False) or data.get("referenceassessments"):
        # ELLA: a new classification (or reference assessments) only in the workflow statuses that allow
        # finalizing; report texts may always be updated.
        requirements = config_merge.finalize_requirements(app_config, user, of.kind)
        if requirements is None:
            raise workflow.WorkflowConflict(workflow.missing_requirements(of.kind))
        problem = workflow.status_problem(requirements, current, "saving a classification")
        if problem:
            raise workflow.WorkflowConflict(f"cannot classify: {problem}")
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
    report_before = session.scalar(
        select(AlleleReport.id).where(AlleleReport.allele_id == allele_id, AlleleReport.date_superceeded.is_(None))
    )
    created = classification.classify(session, app_config, where, request)
    attachments.link_to_assessment(session, user, created["alleleassessment_id"], assessment.get("attachment_ids", []))
    _log_classification(session, user, of, current, created, report_before)
    return {
        **created,
        "alleleassessment": classification.assessments(session, app_config, [allele_id])[0],
        "allelereport": classification.reports(session, [allele_id])[0],
    }


def _log_classification(
    session: Session, user: UserLike, of: Subject, current: Any, created: dict[str, Any], report_before: int | None
) -> None:
    """ELLA's work log entry of a classification: the new allele assessment and/or report of the round (none
    when both were reused)."""
    new_assessment = None if created["reused_alleleassessment"] else created["alleleassessment_id"]
    new_report = created["allelereport_id"] if created["allelereport_id"] != report_before else None
    if new_assessment is None and new_report is None:
        return
    entry = InterpretationLog(user_id=user.id, alleleassessment_id=new_assessment, allelereport_id=new_report)
    if of.kind == "analysis":
        entry.analysis_id, entry.analysisinterpretation_id = of.id, current.id
    else:
        entry.allele_id, entry.alleleinterpretation_id = of.id, current.id
    session.add(entry)
    session.flush()


# ------------------------------------------------------------------------------------------ work log


def _log_json(entry: InterpretationLog, editable: bool) -> dict[str, Any]:
    """One entry as ELLA's ``InterpretationLogSchema`` shows it, with ``editable``; the author is ``user_id``
    (the list's ``users`` describe them)."""
    return {
        "id": entry.id,
        "user_id": entry.user_id,
        "date_created": entry.date_created.isoformat() if entry.date_created else None,
        "message": entry.message,
        "priority": entry.priority,
        "review_comment": entry.review_comment,
        "warning_cleared": entry.warning_cleared,
        "alleleassessment_id": entry.alleleassessment_id,
        "allelereport_id": entry.allelereport_id,
        "editable": editable,
    }


def _variant_names(session: Session, allele_ids: set[int], panel: tuple[str, str] | None) -> dict[int, list[str]]:
    """ELLA's names of variants in a work log: per allele, sorted, ``SYMBOL c.…`` on each annotated transcript of
    the panel (transcripts compared without version, in the same gene), else ``chr:pos ref>alt``."""
    if not allele_ids:
        return {}
    shadow = AnnotationShadowTranscript
    panel_name, panel_version = panel if panel is not None else ("", "")  # no round, no panel: positions
    on_panel = (
        select(shadow.allele_id, shadow.symbol, shadow.hgvsc)
        .join(Transcript, Transcript.gene_id == shadow.hgnc_id)
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .where(
            shadow.allele_id == int_ids(allele_ids),
            GenePanelTranscript.genepanel_name == panel_name,
            GenePanelTranscript.genepanel_version == panel_version,
            Transcript.transcript_name.startswith(func.split_part(shadow.transcript, ".", 1), autoescape=False),
        )
        .subquery()
    )
    rows = session.execute(
        select(
            Allele.id,
            Allele.chromosome,
            Allele.vcf_pos,
            Allele.vcf_ref,
            Allele.vcf_alt,
            on_panel.c.symbol,
            on_panel.c.hgvsc,
        )
        .outerjoin(on_panel, on_panel.c.allele_id == Allele.id)
        .where(Allele.id == int_ids(allele_ids))
    ).tuples()
    names: dict[int, list[str]] = {}
    for allele_id, chromosome, pos, ref, alt, symbol, hgvsc in rows:
        name = f"{symbol} {hgvsc}" if hgvsc else f"{chromosome}:{pos} {ref}>{alt}"
        names.setdefault(allele_id, []).append(name)
    return {allele_id: sorted(found) for allele_id, found in names.items()}


def _log_changes(session: Session, items: list[dict[str, Any]], panel: tuple[str, str] | None) -> None:
    """Replace each entry's ``alleleassessment_id`` / ``allelereport_id`` by what ELLA's work log shows of them:
    the variant, and for a classification the new and the previous class."""
    assessment_ids = {i["alleleassessment_id"] for i in items if i["alleleassessment_id"]}
    report_ids = {i["allelereport_id"] for i in items if i["allelereport_id"]}
    previous = aliased(AlleleAssessment)
    assessments = (
        {
            row.id: row
            for row in session.execute(
                select(
                    AlleleAssessment.id,
                    AlleleAssessment.allele_id,
                    AlleleAssessment.classification,
                    previous.classification.label("previous_classification"),
                )
                .outerjoin(previous, previous.id == AlleleAssessment.previous_assessment_id)
                .where(AlleleAssessment.id == int_ids(assessment_ids))
            )
        }
        if assessment_ids
        else {}
    )
    reports: dict[int, int] = {}
    if report_ids:
        query = select(AlleleReport.id, AlleleReport.allele_id).where(AlleleReport.id == int_ids(report_ids))
        reports = {report_id: allele_id for report_id, allele_id in session.execute(query).tuples()}
    names = _variant_names(session, {a.allele_id for a in assessments.values()} | set(reports.values()), panel)
    for item in items:
        assessment_id = item.pop("alleleassessment_id")
        if assessment_id:
            found = assessments[assessment_id]
            item["alleleassessment"] = {
                "allele_id": found.allele_id,
                "hgvsc": names.get(found.allele_id, []),
                "classification": found.classification,
                "previous_classification": found.previous_classification,
            }
        report_id = item.pop("allelereport_id")
        if report_id:
            item["allelereport"] = {"allele_id": reports[report_id], "hgvsc": names.get(reports[report_id], [])}


def _log_round(entry: InterpretationLog, of: Subject) -> int | None:
    return entry.analysisinterpretation_id if of.kind == "analysis" else entry.alleleinterpretation_id


def _edit_problem(session: Session, user: UserLike, of: Subject, entry: InterpretationLog, latest: Any) -> str:
    """Why the caller may not edit or delete the entry ('' if they may). ELLA's rule: a message of the caller's,
    written in the latest round, while that round is not finished as final. An entry written before the
    variant had any round belongs to its first round (ELLA creates that round for it)."""
    if entry.user_id != user.id:
        return "only its author can change a work log entry"
    if entry.message is None:
        return "only messages can be changed (priority, review comment and warning entries stay)"
    round_id = _log_round(entry, of)
    if round_id is None and latest is not None:  # rare: a variant's message written before its first round
        round_id = session.scalar(select(func.min(of.model.id)).where(of.where()))
    if latest is not None and round_id != latest.id:
        return "only entries of the latest interpretation round can be changed"
    if latest is not None and latest.finalized and latest.status == "Done":
        return "the interpretation is finalized"
    return ""


def logs(session: Session, of: Subject, user: UserLike) -> dict[str, Any]:
    """ELLA's work log, ``{"logs": [...], "users": [...]}``: the entries oldest first, each with ``editable``
    (whether ``user`` may change or delete it) and what a classification or report change was about (variant
    names in the latest round's gene panel); the authors as ELLA's user schema. Empty with no round and no entry
    (ELLA creates the first round of a variant with its first entry, so an entry always has one there)."""
    column = InterpretationLog.analysis_id if of.kind == "analysis" else InterpretationLog.allele_id
    entries = list(
        session.scalars(
            select(InterpretationLog)
            .where(column == of.id)
            .order_by(InterpretationLog.date_created, InterpretationLog.id)
        )
    )
    latest = workflow.latest(session, of) if entries else None
    items = [_log_json(e, not _edit_problem(session, user, of, e, latest)) for e in entries]
    panel = (latest.genepanel_name, latest.genepanel_version) if latest is not None else None
    _log_changes(session, items, panel)
    return {"logs": items, "users": user_views.colleagues(session, {e.user_id for e in entries if e.user_id})}


def _one_log(session: Session, entry: InterpretationLog, editable: bool, latest: Any) -> dict[str, Any]:
    """One entry as the list shows it (the answer of POST and PATCH)."""
    item = _log_json(entry, editable)
    _log_changes(session, [item], (latest.genepanel_name, latest.genepanel_version) if latest is not None else None)
    return item


def add_log(session: Session, user: UserLike, of: Subject, data: dict[str, Any]) -> dict[str, Any]:
    """A new work log entry, in the latest round (ELLA: warnings belong to analyses only)."""
    if of.kind == "allele" and data.get("warning_cleared") is not None:
        raise InputError("variants have no warnings to clear (analyses only)", key="warning_cleared")
    entry = InterpretationLog(user_id=user.id, **data)
    latest = workflow.latest(session, of)
    if of.kind == "analysis":
        entry.analysis_id = of.id
        entry.analysisinterpretation_id = latest.id if latest is not None else None
    else:
        entry.allele_id = of.id
        entry.alleleinterpretation_id = latest.id if latest is not None else None
    session.add(entry)
    session.flush()
    return _one_log(session, entry, not _edit_problem(session, user, of, entry, latest), latest)


def _own_log(session: Session, user: UserLike, of: Subject, log_id: int) -> InterpretationLog:
    column = InterpretationLog.analysis_id if of.kind == "analysis" else InterpretationLog.allele_id
    entry = (
        session.scalar(
            select(InterpretationLog).where(InterpretationLog.id == log_id, column == of.id).with_for_update()
        )
        if access.valid_id(log_id)
        else None
    )
    if entry is None:
        raise NotFoundError(f"no work log entry {log_id} of this {of.kind}")
    problem = _edit_problem(session, user, of, entry, workflow.latest(session, of))
    if problem:
        error = ForbiddenError if entry.user_id != user.id else ConflictError
        raise error(f"cannot change work log entry {log_id}: {problem}")
    return entry


def edit_log(session: Session, user: UserLike, of: Subject, log_id: int, message: str) -> dict[str, Any]:
    """Change the message of one of the caller's entries of the latest round (``PATCH logs/<id>/``)."""
    entry = _own_log(session, user, of, log_id)
    entry.message = message
    session.flush()
    return _one_log(session, entry, True, workflow.latest(session, of))


def delete_log(session: Session, user: UserLike, of: Subject, log_id: int) -> None:
    """Delete one of the caller's entries of the latest round (``DELETE logs/<id>/``)."""
    session.delete(_own_log(session, user, of, log_id))
    session.flush()
