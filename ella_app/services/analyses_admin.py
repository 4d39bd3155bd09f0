"""Administrative views and removal of analyses (``ella-cli analyses list``, ``ella-cli delete analysis``).

As in ELLA: the analysis goes with its samples, genotypes, interpretations, snapshots, state history and
work log (database cascades); allele, reference and gene assessments and allele reports stay, with
``analysis_id`` set to NULL (clinical judgements are never thrown away); alleles and annotations stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleAssessment,
    AlleleReport,
    Analysis,
    AnalysisInterpretation,
    GeneAssessment,
    Genotype,
    ReferenceAssessment,
    Sample,
)
from ella_app.errors import NotFoundError
from ella_app.services.results import ChangeReport


def analysis_overview(session: Session, analysis_id: int) -> dict[str, Any]:
    """What deleting the analysis removes and what it keeps (shown before the confirmation)."""
    analysis = session.get(Analysis, analysis_id)
    if analysis is None:
        raise NotFoundError(f"no analysis with id {analysis_id}")

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    sample_ids = select(Sample.id).where(Sample.analysis_id == analysis_id)
    kept = sum(
        count(model, model.analysis_id == analysis_id)
        for model in (AlleleAssessment, ReferenceAssessment, GeneAssessment, AlleleReport)
    )
    return {
        "id": analysis.id,
        "name": analysis.name,
        "genepanel": f"{analysis.genepanel_name}_{analysis.genepanel_version}",
        "samples": count(Sample, Sample.analysis_id == analysis_id),
        "genotypes": count(Genotype, Genotype.sample_id.in_(sample_ids)),
        "interpretations": count(AnalysisInterpretation, AnalysisInterpretation.analysis_id == analysis_id),
        "assessments_kept": kept,
    }


def delete_analysis(session: Session, analysis_id: int) -> ChangeReport:
    overview = analysis_overview(session, analysis_id)
    session.execute(delete(Analysis).where(Analysis.id == analysis_id))
    session.expire_all()
    report = ChangeReport(kind="analysis", deleted=[overview["name"]], extra=overview)
    if overview["assessments_kept"]:
        report.messages.append(
            f"{overview['assessments_kept']} assessment(s)/report(s) kept, no longer linked to an analysis"
        )
    return report


def list_analyses(session: Session, name: str | None = None) -> list[dict[str, Any]]:
    """Every analysis (or the one named) with its panel, sample count and latest interpretation round."""
    latest = (
        select(
            AnalysisInterpretation.analysis_id,
            func.max(AnalysisInterpretation.id).label("interpretation_id"),
        )
        .group_by(AnalysisInterpretation.analysis_id)
        .subquery()
    )
    samples = select(Sample.analysis_id, func.count().label("samples")).group_by(Sample.analysis_id).subquery()
    query = (
        select(
            Analysis.id,
            Analysis.name,
            Analysis.genepanel_name,
            Analysis.genepanel_version,
            Analysis.date_deposited,
            func.coalesce(samples.c.samples, 0),
            AnalysisInterpretation.workflow_status,
            AnalysisInterpretation.status,
        )
        .outerjoin(samples, samples.c.analysis_id == Analysis.id)
        .outerjoin(latest, latest.c.analysis_id == Analysis.id)
        .outerjoin(AnalysisInterpretation, AnalysisInterpretation.id == latest.c.interpretation_id)
        .order_by(Analysis.id)
    )
    if name is not None:
        query = query.where(Analysis.name == name)
    return [
        {
            "id": row[0],
            "name": row[1],
            "genepanel": f"{row[2]}_{row[3]}",
            "date_deposited": row[4].isoformat(),
            "samples": int(row[5]),
            "workflow_status": row[6],
            "status": row[7],
        }
        for row in session.execute(query)
    ]
