"""ELLA's postprocessors: what a user group's deposit rule does to an analysis right after its import.

They run in the import's transaction, in the order the rule lists them, on the variants the group's default
filter config lets through (the first of the group's filter configs whose requirements the analysis meets;
none is an error, as in ELLA). ELLA: ``vardb/deposit/postprocessors.py``.

* ``analysis_not_ready_warnings``: workflow status "Not ready" when the analysis has pipeline warnings or a
  proband genotype of a shown variant needs verification (ELLA's QC: not a SNP, FILTER not PASS, depth
  below 20 or unknown, allele ratio outside 0.3-0.7 for heterozygous or not above 0.9 for homozygous calls;
  HTS samples only).
* ``analysis_finalize_without_findings``: no warnings and every shown variant has a valid classification
  that is not a finding (``classification.options[].include_analysis_with_findings`` not set): the round is
  finalized (a snapshot, state with the filter config, a work-log message).
* ``analysis_tag_all_classified``: a work-log overview comment "NO VARIANTS" when nothing is shown, "ALL
  CLASSIFIED" when every shown variant has a valid classification.

A valid classification is a current one (not superseded) whose class is one of ``classification.options``
and not older than that option's ``outdated_after_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import AlleleAssessment, Analysis, AnalysisInterpretation, InterpretationLog
from ella_app.errors import MissingDependencyError
from ella_app.services.filtering import FilterOutcome, eligible_filterconfigs, outcome_for
from ella_app.services.filters.context import FilterContext, analysis_context, int_ids
from ella_app.services.import_prefilters import DepositRule
from ella_app.services.workflow import snapshot_analysis

NO_FINDINGS_MESSAGE = "Analysis had no findings at time of import. Automatically finalized by system."
MIN_DEPTH = 20


@dataclass
class Postprocessing:
    """What the postprocessors work on: the analysis, its first round and the default filter's outcome."""

    session: Session
    app_config: dict[str, Any]
    analysis: Analysis
    interpretation: AnalysisInterpretation
    ctx: FilterContext
    outcome: FilterOutcome

    @property
    def shown(self) -> set[int]:
        return set(self.outcome.passed)


def valid_classified(
    session: Session, app_config: Mapping[str, Any], allele_ids: Iterable[int], classes: Iterable[str] | None = None
) -> set[int]:
    """Alleles among ``allele_ids`` with a valid classification (ELLA ``valid_alleleassessments_filter``),
    optionally only of the given classes."""
    ids = set(allele_ids)
    if not ids:
        return set()
    now = dt.datetime.now(dt.UTC)
    by_option = []
    for option in (app_config.get("classification") or {}).get("options") or []:
        if not isinstance(option, Mapping) or "value" not in option:
            continue
        condition = AlleleAssessment.classification == str(option["value"])
        days = option.get("outdated_after_days")
        if isinstance(days, int):
            condition = and_(condition, AlleleAssessment.date_created > now - dt.timedelta(days=days))
        by_option.append(condition)
    query = select(AlleleAssessment.allele_id).where(
        AlleleAssessment.allele_id == int_ids(ids),
        AlleleAssessment.date_superceeded.is_(None),
        or_(*by_option) if by_option else false(),
    )
    if classes is not None:
        query = query.where(AlleleAssessment.classification.in_(list(classes)))
    return set(session.scalars(query))


def needs_verification(
    change_type: str,
    vcf_alt: str,
    sample_type: str,
    filter_status: str | None,
    genotype_type: str,
    sequencing_depth: int | None,
    allele_depth: Any,
) -> bool:
    """ELLA's ``genotype_calculate_qc`` needs_verification for one sample's genotype of an allele."""
    ratio = None
    if (
        isinstance(allele_depth, dict)
        and allele_depth
        and all(isinstance(v, int) for v in allele_depth.values())
        and any(v > 0 for v in allele_depth.values())
        and len(allele_depth) > 1
        and vcf_alt in allele_depth
    ):
        ratio = allele_depth[vcf_alt] / sum(allele_depth.values())
    if ratio:
        if genotype_type == "Homozygous":
            ratio_ok = ratio > 0.9
        elif genotype_type == "Heterozygous":
            ratio_ok = 0.3 < ratio < 0.7
        else:
            ratio_ok = genotype_type == "Reference"
    else:
        ratio_ok = genotype_type == "Reference"
    checks = (
        change_type == "SNP",
        filter_status == "PASS",
        sequencing_depth is not None and sequencing_depth >= MIN_DEPTH,
        ratio_ok,
    )
    return not all(checks) and sample_type == "HTS"


_PROBAND_CALLS = text(
    """
    SELECT a.change_type, a.vcf_alt, s.sample_type, g.filter_status, d.type, d.sequencing_depth, d.allele_depth
    FROM genotype g
    JOIN sample s ON s.id = g.sample_id
    JOIN genotypesampledata d ON d.genotype_id = g.id AND d.sample_id = s.id
    JOIN allele a ON (a.id = g.allele_id AND NOT d.secondallele) OR (a.id = g.secondallele_id AND d.secondallele)
    WHERE s.analysis_id = :analysis AND s.proband AND a.id = ANY(:ids)
    """
)


def analysis_not_ready_warnings(p: Postprocessing) -> str:
    if p.analysis.warnings:
        p.interpretation.workflow_status = "Not ready"
        return "Not ready: the analysis has warnings"
    rows = p.session.execute(_PROBAND_CALLS, {"analysis": p.analysis.id, "ids": sorted(p.shown)}).all()
    if any(needs_verification(*row) for row in rows):
        p.interpretation.workflow_status = "Not ready"
        return "Not ready: a proband genotype needs verification"
    return "ready"


def analysis_tag_all_classified(p: Postprocessing) -> str:
    shown = p.shown
    if not shown:
        comment = "NO VARIANTS"
    elif shown <= valid_classified(p.session, p.app_config, shown):
        comment = "ALL CLASSIFIED"
    else:
        return "not tagged: some shown variants are not classified"
    p.session.add(InterpretationLog(analysis_id=p.analysis.id, review_comment=comment))
    return f"tagged {comment}"


def analysis_finalize_without_findings(p: Postprocessing) -> str:
    options = (p.app_config.get("classification") or {}).get("options") or []
    no_finding = [str(o["value"]) for o in options if "value" in o and not o.get("include_analysis_with_findings")]
    shown = p.shown
    if shown - valid_classified(p.session, p.app_config, shown, no_finding):
        return "not finalized: findings or unclassified variants"
    if p.analysis.warnings:
        return "not finalized: the analysis has warnings"
    p.session.add(InterpretationLog(analysis_id=p.analysis.id, message=NO_FINDINGS_MESSAGE))
    p.session.flush()
    snapshot_analysis(p.session, p.analysis.id, p.outcome.reasons())(p.interpretation)
    interpretation = p.interpretation
    interpretation.state = {"filterconfig_id": p.outcome.filterconfig_id}
    interpretation.status = "Done"
    interpretation.finalized = True
    interpretation.user_id = None  # ELLA assigns its user id 1; here "by the system" is the work-log message
    interpretation.date_last_update = dt.datetime.now(dt.UTC)
    return "finalized: no findings"


POSTPROCESSORS: dict[str, Callable[[Postprocessing], str]] = {
    "analysis_not_ready_warnings": analysis_not_ready_warnings,
    "analysis_finalize_without_findings": analysis_finalize_without_findings,
    "analysis_tag_all_classified": analysis_tag_all_classified,
}


def prepare(
    session: Session,
    usergroup_id: int,
    analysis: Analysis,
    interpretation: AnalysisInterpretation,
    app_config: dict[str, Any],
    *,
    who: str = "the deposit rule",
) -> Postprocessing:
    """Filter the analysis with the group's default filter config (ELLA ``get_valid_filter_configs().first()``)."""
    session.flush()
    ctx = analysis_context(session, app_config, analysis.id, (analysis.genepanel_name, analysis.genepanel_version))
    eligible = eligible_filterconfigs(session, usergroup_id, analysis, ctx.samples)
    if not eligible:
        raise MissingDependencyError(
            f"{who} postprocesses analysis {analysis.name}, but the group has no active filter config whose "
            "requirements the analysis meets (deposit one with ella-cli filterconfigs update)"
        )
    return Postprocessing(session, app_config, analysis, interpretation, ctx, outcome_for(ctx, eligible[0], None))


def run_postprocessors(
    session: Session,
    rule: DepositRule,
    analysis: Analysis,
    interpretation: AnalysisInterpretation,
    app_config: dict[str, Any],
) -> list[str]:
    """Run the rule's postprocessors in order; returns one line per postprocessor saying what it did."""
    work = prepare(session, rule.usergroup_id, analysis, interpretation, app_config, who=rule.describe())
    done = []
    for name in rule.postprocess:
        done.append(f"{name}: {POSTPROCESSORS[name](work)}")
        session.flush()
    return done
