"""Append mode of an annotation job (feature I12): the annotated variants are added to an existing analysis as
a new sample, as ELLA's ``DepositAnalysis.import_vcf(append=True)`` does.

* the analysis must exist; a family analysis (a sample with a father or mother) cannot be appended to;
* a Done interpretation is reopened (a new "Not started" round that keeps the state), so the new variants are
  interpreted; an open one is left as it is;
* the user group's deposit rule (prefilters) applies as at import;
* the analysis' stored filter results are dropped, so they are computed again with the new variants.

Runs inside the caller's transaction (the poller's savepoint): any problem leaves nothing half-added.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis, Sample
from ella_app.errors import ConflictError, NotFoundError
from ella_app.formats.analysis_folder import DataEntry
from ella_app.services import filter_results, workflow
from ella_app.services.import_prefilters import deposit_rule
from ella_app.services.importer import (
    AnalysisLocked,
    _create_samples,
    _load_variants,
    _prepare,
    active_annotation_config,
    cnv_enabled,
    try_lock,
)
from ella_app.services.results import no_progress


def append_to_analysis(
    session: Session,
    analysis_name: str,
    vcf: Path,
    *,
    technology: str = "HTS",
    app_config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Add the VCF's sample and variants to the analysis; returns what was done."""
    analysis = session.scalars(select(Analysis).where(Analysis.name == analysis_name).with_for_update()).first()
    if analysis is None:
        raise NotFoundError(f"there is no analysis {analysis_name!r} to append to")
    if not try_lock(session, analysis.name):
        raise AnalysisLocked(f"analysis {analysis.name} is being imported by another process")
    family = session.scalar(
        select(Sample.id)
        .where(Sample.analysis_id == analysis.id)
        .where((Sample.father_id.is_not(None)) | (Sample.mother_id.is_not(None)))
        .limit(1)
    )
    if family is not None:
        raise ConflictError(f"analysis {analysis.name} is a family analysis: appending to it is not supported by ELLA")
    prepared = [_prepare(DataEntry(vcf, technology=technology))]
    subject = workflow.Subject("analysis", analysis.id)
    current = workflow.latest(session, subject, lock=True)
    reopened = current is not None and current.status == "Done"
    if reopened:
        workflow.reopen(session, subject, None)  # type: ignore[arg-type]
    sample_ids = _create_samples(session, analysis, prepared)
    rule = deposit_rule(session, analysis.name, (analysis.genepanel_name, analysis.genepanel_version))
    counts, _ = _load_variants(
        session,
        prepared,
        sample_ids,
        active_annotation_config(session),
        rule,
        cnv_enabled(app_config),
        no_progress,
    )
    filter_results.forget(session, [analysis.id])
    return {"analysis_id": analysis.id, "analysis": analysis.name, "reopened": reopened, **counts}
