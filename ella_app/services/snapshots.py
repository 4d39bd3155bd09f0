"""What each finished round of a workflow showed (``workflows/{analyses,alleles}/<id>/snapshots/``): per variant,
the annotation, custom annotation, classification and report the interpreter saw when the round was marked or
finalized (tables ``analysisinterpretationsnapshot`` and ``alleleinterpretationsnapshot``, written by
``services/workflow.py``). ELLA's fields; for analyses also ``filtered``, the filter that had removed the variant;
and ``referenceassessment_ids``, the reference assessments the recorded classification was made with (ELLA keeps
them with the classification, ``alleleassessmentreferenceassessment``, and shows them for a finished round).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleAssessmentReferenceAssessment,
    AlleleInterpretation,
    AlleleInterpretationSnapshot,
    AnalysisInterpretation,
    AnalysisInterpretationSnapshot,
)
from ella_app.services import access, variants
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids

_COMMON = ("allele_id", "annotation_id", "customannotation_id", "alleleassessment_id", "allelereport_id")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _with_references(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each snapshot with the ids of the reference assessments its classification was made with."""
    assessment_ids = {r["alleleassessment_id"] for r in rows if r["alleleassessment_id"] is not None}
    linked: dict[int, list[int]] = {}
    if assessment_ids:
        link = AlleleAssessmentReferenceAssessment.c
        query = (
            select(link.alleleassessment_id, link.referenceassessment_id)
            .where(link.alleleassessment_id == int_ids(assessment_ids))
            .order_by(link.referenceassessment_id)
        )
        for assessment_id, reference_assessment_id in session.execute(query).tuples():
            linked.setdefault(assessment_id, []).append(reference_assessment_id)
    return [{**r, "referenceassessment_ids": linked.get(r["alleleassessment_id"], [])} for r in rows]


def analysis_snapshots(session: Session, user: UserLike, analysis_id: int) -> list[dict[str, Any]]:
    """Snapshots of every finished round of an analysis the caller may see (404 otherwise), by round and allele."""
    access.get_analysis(session, user, analysis_id)
    s = AnalysisInterpretationSnapshot
    query = (
        select(s.id, s.date_created, s.analysisinterpretation_id, *(getattr(s, c) for c in _COMMON), s.filtered)
        .join(AnalysisInterpretation, AnalysisInterpretation.id == s.analysisinterpretation_id)
        .where(AnalysisInterpretation.analysis_id == analysis_id)
        .order_by(s.analysisinterpretation_id, s.allele_id, s.id)
    )
    return _with_references(
        session, [{**row._asdict(), "date_created": _iso(row.date_created)} for row in session.execute(query)]
    )


def allele_snapshots(session: Session, user: UserLike, allele_id: int) -> list[dict[str, Any]]:
    """Snapshots of the finished rounds of a variant workflow on the caller's gene panels (ELLA's rule)."""
    access.require_allele(session, user, allele_id)
    s = AlleleInterpretationSnapshot
    query = (
        select(s.id, s.date_created, s.alleleinterpretation_id, *(getattr(s, c) for c in _COMMON))
        .join(AlleleInterpretation, AlleleInterpretation.id == s.alleleinterpretation_id)
        .where(
            AlleleInterpretation.allele_id == allele_id,
            access.panel_allowed(
                AlleleInterpretation.genepanel_name, AlleleInterpretation.genepanel_version, user.group_id
            ),
        )
        .order_by(s.alleleinterpretation_id, s.id)
    )
    return _with_references(
        session, [{**row._asdict(), "date_created": _iso(row.date_created)} for row in session.execute(query)]
    )


def allele_round_snapshot(session: Session, interpretation_id: int, allele_id: int) -> variants.Pin | None:
    """What a finished round of a variant workflow recorded for its variant (None: no snapshot)."""
    s = AlleleInterpretationSnapshot
    row = session.execute(
        select(s.annotation_id, s.alleleassessment_id, s.allelereport_id)
        .where(s.alleleinterpretation_id == interpretation_id, s.allele_id == allele_id)
        .order_by(s.id.desc())
        .limit(1)
    ).first()
    return None if row is None else variants.Pin(*row)
