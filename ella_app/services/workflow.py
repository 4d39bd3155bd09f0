"""ELLA's interpretation workflow: one state machine for analyses and for single variants (feature A04).

An analysis (or allele) has rounds of interpretation; only the latest is live.

=================  ====================  =========================================================
action             latest round must be  effect
=================  ====================  =========================================================
start              Not started           → Ongoing, owned by the caller
override           Ongoing               ownership passes to the caller
save (PATCH)       Ongoing, caller owns  state/user_state replaced; each change kept in
                                         ``interpretationstatehistory``
mark<status>       Ongoing, caller owns  round → Done (snapshot of what was shown), a new round
                                         "Not started" with the target workflow status and the state
finalize           Ongoing, caller owns  requirements of the merged config checked; round → Done,
                                         finalized (snapshot)
reopen             Done                  a new round "Not started" with the same workflow status
=================  ====================  =========================================================

Anything else is a :class:`WorkflowConflict` (409). Actions lock the latest round (``SELECT … FOR UPDATE``)
so that two users pressing START at once get one success and one 409.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleInterpretation,
    AnalysisInterpretation,
    AnalysisInterpretationSnapshot,
    InterpretationStateHistory,
)
from ella_app.errors import ConflictError, NotFoundError
from ella_app.services.current_user import UserLike

Interpretation = AnalysisInterpretation | AlleleInterpretation

ANALYSIS_TARGETS = {
    "marknotready": "Not ready",
    "markinterpretation": "Interpretation",
    "markreview": "Review",
    "markmedicalreview": "Medical review",
}
ALLELE_TARGETS = {"markinterpretation": "Interpretation", "markreview": "Review"}


class WorkflowConflict(ConflictError):
    """The action does not fit the current state of the workflow (or the round belongs to someone else).

    ``details`` (optional) is added to the API's error body, e.g. the variants that block finalizing."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Subject:
    """What a workflow is about: an analysis or an allele."""

    kind: str  # analysis | allele
    id: int

    @property
    def model(self) -> type[AnalysisInterpretation] | type[AlleleInterpretation]:
        return AnalysisInterpretation if self.kind == "analysis" else AlleleInterpretation

    @property
    def targets(self) -> dict[str, str]:
        return ANALYSIS_TARGETS if self.kind == "analysis" else ALLELE_TARGETS

    def where(self) -> Any:
        if self.kind == "analysis":
            return AnalysisInterpretation.analysis_id == self.id
        return AlleleInterpretation.allele_id == self.id


def interpretations(session: Session, subject: Subject) -> list[Any]:
    model = subject.model
    return list(session.scalars(select(model).where(subject.where()).order_by(model.id)))


def latest(session: Session, subject: Subject, *, lock: bool = False) -> Any | None:
    model = subject.model
    query = select(model).where(subject.where()).order_by(model.id.desc()).limit(1)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def _require_latest(session: Session, subject: Subject) -> Any:
    found = latest(session, subject, lock=True)
    if found is None:
        raise WorkflowConflict(f"the {subject.kind} has no interpretation yet; start one first")
    return found


def _require_owner(interpretation: Any, user: UserLike, action: str) -> None:
    if interpretation.status != "Ongoing":
        raise WorkflowConflict(f"cannot {action}: the interpretation is '{interpretation.status}', not 'Ongoing'")
    if interpretation.user_id != user.id:
        raise WorkflowConflict(f"cannot {action}: the interpretation is owned by another user")


def _touch(interpretation: Any) -> None:
    interpretation.date_last_update = _now()


def _next_round(session: Session, subject: Subject, previous: Any, workflow_status: str) -> Any:
    values: dict[str, Any] = {
        "genepanel_name": previous.genepanel_name,
        "genepanel_version": previous.genepanel_version,
        "status": "Not started",
        "workflow_status": workflow_status,
        "state": copy.deepcopy(previous.state or {}),
        "user_state": {},
    }
    if subject.kind == "analysis":
        values["analysis_id"] = subject.id
    else:
        values["allele_id"] = subject.id
    nxt = subject.model(**values)
    session.add(nxt)
    session.flush()
    return nxt


# ------------------------------------------------------------------------------------------ actions


def start(session: Session, subject: Subject, user: UserLike, genepanel: tuple[str, str] | None = None) -> Any:
    """Begin the next round. For a variant without any round yet, one is created on ``genepanel``."""
    current = latest(session, subject, lock=True)
    if current is None:
        if genepanel is None:
            raise WorkflowConflict(f"the {subject.kind} has no interpretation to start")
        values: dict[str, Any] = {
            "genepanel_name": genepanel[0],
            "genepanel_version": genepanel[1],
            "workflow_status": "Interpretation",
            "state": {},
            "user_state": {},
        }
        values["analysis_id" if subject.kind == "analysis" else "allele_id"] = subject.id
        current = subject.model(**values)
        session.add(current)
    elif current.status != "Not started":
        raise WorkflowConflict(f"cannot start: the interpretation is '{current.status}', not 'Not started'")
    elif genepanel is not None and subject.kind == "allele":
        current.genepanel_name, current.genepanel_version = genepanel
    current.status = "Ongoing"
    current.user_id = user.id
    _touch(current)
    session.flush()
    return current


def override(session: Session, subject: Subject, user: UserLike) -> Any:
    current = _require_latest(session, subject)
    if current.status != "Ongoing":
        raise WorkflowConflict(f"cannot reassign: the interpretation is '{current.status}', not 'Ongoing'")
    current.user_id = user.id
    _touch(current)
    session.flush()
    return current


def save(
    session: Session,
    subject: Subject,
    interpretation_id: int,
    user: UserLike,
    state: dict[str, Any] | None,
    user_state: dict[str, Any] | None,
) -> Any:
    """Replace the state of the live round (the caller's, Ongoing); keep the change in the history."""
    current = _require_latest(session, subject)
    if current.id != interpretation_id:
        raise WorkflowConflict("only the latest interpretation can be saved; reload to get it")
    _require_owner(current, user, "save")
    if state is not None and state != current.state:
        current.state = state
        history: dict[str, Any] = {"state": state, "user_id": user.id}
        if subject.kind == "analysis":
            history["analysisinterpretation_id"] = current.id
        else:
            history["alleleinterpretation_id"] = current.id
        session.add(InterpretationStateHistory(**history))
    if user_state is not None:
        current.user_state = user_state
    _touch(current)
    session.flush()
    return current


SnapshotFn = Callable[[Any], None]


def mark(session: Session, subject: Subject, user: UserLike, action: str, snapshot: SnapshotFn | None = None) -> Any:
    """Finish the round and queue the next one with the target workflow status; returns the new round."""
    target = subject.targets.get(action)
    if target is None:
        raise NotFoundError(f"no workflow action '{action}' for {subject.kind}s")
    current = _require_latest(session, subject)
    _require_owner(current, user, action)
    if snapshot is not None:
        snapshot(current)
    current.status = "Done"
    current.finalized = False
    _touch(current)
    return _next_round(session, subject, current, target)


def finalize(
    session: Session,
    subject: Subject,
    user: UserLike,
    check: Callable[[Any], None],
    snapshot: SnapshotFn | None = None,
) -> Any:
    """Finish the round as final; ``check(round)`` raises a :class:`WorkflowConflict` when it may not be."""
    current = _require_latest(session, subject)
    _require_owner(current, user, "finalize")
    check(current)
    if snapshot is not None:
        snapshot(current)
    current.status = "Done"
    current.finalized = True
    _touch(current)
    session.flush()
    return current


def reopen(session: Session, subject: Subject, user: UserLike) -> Any:
    current = _require_latest(session, subject)
    if current.status != "Done":
        raise WorkflowConflict(f"cannot reopen: the interpretation is '{current.status}', not 'Done'")
    return _next_round(session, subject, current, current.workflow_status)


# ------------------------------------------------------------------------------------------ analysis helpers


def allele_state(state: Any, allele_id: int) -> dict[str, Any]:
    """``state.allele[<id>]`` (ELLA's per-variant interpretation state), {} when absent."""
    alleles = state.get("allele") if isinstance(state, dict) else None
    entry = alleles.get(str(allele_id)) if isinstance(alleles, dict) else None
    return entry if isinstance(entry, dict) else {}


def _draft_class(entry: dict[str, Any]) -> str | None:
    """The class chosen in the state for a variant and not (yet) saved as its classification: ELLA's state keeps
    it in ``alleleassessment.classification``; ``reuse: true`` means the existing classification is kept."""
    assessment = entry.get("alleleassessment")
    if not isinstance(assessment, dict) or assessment.get("reuse") is True:
        return None
    value = assessment.get("classification")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None


def _reevaluating(entry: dict[str, Any]) -> bool:
    """Re-evaluate was pressed (``reuse: false``) and no class chosen yet: ELLA's client then sends no assessment
    id for the variant when finalizing, so its earlier classification does not count as one."""
    assessment = entry.get("alleleassessment")
    return isinstance(assessment, dict) and assessment.get("reuse") is False and _draft_class(entry) is None


def _flags(state: Any, allele_id: int) -> tuple[bool, bool, str | None, bool]:
    """(marked technical, marked not relevant, class chosen in the state, re-evaluated without a class yet)."""
    entry = allele_state(state, allele_id)
    analysis: dict[str, Any] = entry["analysis"] if isinstance(entry.get("analysis"), dict) else {}
    technical, not_relevant = analysis.get("verification") == "technical", analysis.get("notrelevant") is True
    return technical, not_relevant, _draft_class(entry), _reevaluating(entry)


@dataclass(frozen=True)
class Blocker:
    """A variant that stands in the way of finalizing, and why."""

    allele_id: int
    reason: str


@dataclass
class FinishCheck:
    """What stands in the way of finalizing a round: general problems and the variants that block it."""

    problems: list[str]
    blockers: list[Blocker]

    @property
    def allowed(self) -> bool:
        return not self.problems and not self.blockers


FINALIZING = "finalizing"


def missing_requirements(kind: str) -> str:
    return (
        f"your user group has no finalize requirements for {kind} workflows "
        f"(workflows.{kind}.finalize_requirements of ella_config.yml or the group's config): ask an administrator"
    )


def status_problem(requirements: Mapping[str, Any], interpretation: Any, doing: str) -> str | None:
    """ELLA's ``workflow_status`` requirement: when given, the round's workflow status must be one of them.
    Finalizing the round and saving a new classification (``doing``) are both bound by it; an empty list allows
    no finalizing but, as in ELLA's ``finalizeallele`` (which tests the list for truth), any classification."""
    statuses = requirements.get("workflow_status")
    if not isinstance(statuses, list) or (not statuses and doing != FINALIZING):
        return None
    if interpretation.workflow_status in statuses:
        return None
    if not statuses:
        return f"{doing} is not allowed in any workflow status (finalize_requirements.workflow_status is empty)"
    return f"the workflow status is '{interpretation.workflow_status}'; {doing} needs {' or '.join(statuses)}"


def finalize_check(
    requirements: Mapping[str, Any] | None,
    kind: str,
    interpretation: Any,
    shown: Sequence[int],
    current: Mapping[int, Any],
) -> FinishCheck:
    """What stands in the way of finalizing, by ``workflows.<kind>.finalize_requirements`` (ELLA's rules, its API
    and its finish dialog together; see docs/workflow.md):

    * no requirements in the merged config: finalizing is refused (ELLA: "missing valid configuration");
    * ``workflow_status``: see :func:`status_problem`;
    * ``allow_unclassified`` unless true: every variant shown needs a valid classification (current and not
      outdated) unless it is marked technical or not relevant;
    * ``allow_technical`` / ``allow_notrelevant`` (ELLA up to 1.16; 1.17 removed them and treats them as true):
      when false, a variant marked technical / not relevant blocks;
    * always: a class chosen in the state but not saved as the variant's classification blocks (save or undo it).

    ``shown``: the variants shown; ``current``: their current classifications (objects with ``classification``
    and ``outdated``).
    """
    if requirements is None:
        return FinishCheck([missing_requirements(kind)], [])
    problems = []
    found = status_problem(requirements, interpretation, FINALIZING)
    if found:
        problems.append(found)
    need_class = requirements.get("allow_unclassified") is not True
    blockers = []
    for allele_id in shown:
        technical, not_relevant, draft, reevaluating = _flags(interpretation.state, allele_id)
        assessment = current.get(allele_id)
        if draft is not None and (assessment is None or str(assessment.classification) != draft):
            blockers.append(Blocker(allele_id, f"class {draft} is chosen but not saved as its classification"))
        elif technical and requirements.get("allow_technical") is False:
            blockers.append(Blocker(allele_id, "marked technical (allow_technical is false)"))
        elif not_relevant and requirements.get("allow_notrelevant") is False:
            blockers.append(Blocker(allele_id, "marked not relevant (allow_notrelevant is false)"))
        elif not need_class or technical or not_relevant:
            continue
        elif assessment is None:
            blockers.append(Blocker(allele_id, "not classified"))
        elif reevaluating:
            blockers.append(Blocker(allele_id, "re-evaluated, but no class chosen yet (choose one or undo)"))
        elif assessment.outdated:
            blockers.append(Blocker(allele_id, f"its classification (class {assessment.classification}) is outdated"))
    return FinishCheck(problems, blockers)


_SNAPSHOT = text(
    """
    INSERT INTO analysisinterpretationsnapshot
        (analysisinterpretation_id, allele_id, annotation_id, alleleassessment_id, allelereport_id, filtered)
    SELECT :interpretation, x.allele_id,
           (SELECT an.id FROM annotation an WHERE an.allele_id = x.allele_id AND an.date_superceeded IS NULL),
           (SELECT aa.id FROM alleleassessment aa WHERE aa.allele_id = x.allele_id AND aa.date_superceeded IS NULL),
           (SELECT ar.id FROM allelereport ar WHERE ar.allele_id = x.allele_id AND ar.date_superceeded IS NULL
            ORDER BY ar.id DESC LIMIT 1),
           r.filtered
    FROM (SELECT DISTINCT g.allele_id FROM genotypeallele g JOIN sample s ON s.id = g.sample_id
          WHERE s.analysis_id = :analysis) x
    LEFT JOIN unnest(CAST(:filtered_ids AS int[]), CAST(:filters AS text[])) AS r(allele_id, filtered)
           ON r.allele_id = x.allele_id
    """
)


def snapshot_analysis(session: Session, analysis_id: int, reasons: Mapping[int, str]) -> SnapshotFn:
    """A snapshot function recording, per variant of the analysis, the annotation and classification shown and
    the filter that removed it (``reasons``; none for the variants shown). One statement."""

    def write(interpretation: Any) -> None:
        ids = list(reasons)
        session.execute(
            _SNAPSHOT,
            {
                "interpretation": interpretation.id,
                "analysis": analysis_id,
                "filtered_ids": ids,
                "filters": [reasons[a] for a in ids],
            },
        )

    return write


_ALLELE_SNAPSHOT = text(
    """
    INSERT INTO alleleinterpretationsnapshot
        (alleleinterpretation_id, allele_id, annotation_id, customannotation_id, alleleassessment_id, allelereport_id)
    SELECT :interpretation, :allele,
           (SELECT an.id FROM annotation an WHERE an.allele_id = :allele AND an.date_superceeded IS NULL),
           (SELECT ca.id FROM customannotation ca WHERE ca.allele_id = :allele AND ca.date_superceeded IS NULL),
           (SELECT aa.id FROM alleleassessment aa WHERE aa.allele_id = :allele AND aa.date_superceeded IS NULL),
           (SELECT ar.id FROM allelereport ar WHERE ar.allele_id = :allele AND ar.date_superceeded IS NULL
            ORDER BY ar.id DESC LIMIT 1)
    """
)


def snapshot_allele(session: Session, allele_id: int) -> SnapshotFn:
    """A snapshot function for a round of the variant workflow: the annotation, custom annotation,
    classification and report of the variant when the round was finished (ELLA's alleleinterpretationsnapshot)."""

    def write(interpretation: Any) -> None:
        session.execute(_ALLELE_SNAPSHOT, {"interpretation": interpretation.id, "allele": allele_id})

    return write


def snapshots(session: Session, interpretation_id: int) -> list[AnalysisInterpretationSnapshot]:
    query = select(AnalysisInterpretationSnapshot).where(
        AnalysisInterpretationSnapshot.analysisinterpretation_id == interpretation_id
    )
    return list(session.scalars(query.order_by(AnalysisInterpretationSnapshot.allele_id)))
