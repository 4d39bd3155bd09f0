"""``/api/v1/alleles/``: variant details in the context of an analysis and/or gene panel, with the access checks
(the read model is ``services/variants.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, Analysis, AnnotationShadowTranscript, GenotypeAllele, Sample
from ella_app.errors import InputError
from ella_app.services import access, overview, variants
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids


@dataclass(frozen=True)
class Where:
    """Where a variant is looked at: the analysis (genotypes of its samples) and the gene panel (transcripts)."""

    analysis_id: int | None
    genepanel: tuple[str, str] | None


def where(
    session: Session, user: UserLike, analysis_id: int | None, gp_name: str | None, gp_version: str | None
) -> Where:
    """Check access to the analysis and panel asked for; the panel defaults to the analysis'."""
    panel = access.analysis_panel(session, user, analysis_id) if analysis_id is not None else None
    return _with_panel(session, user, analysis_id, panel, gp_name, gp_version)


def where_for_allele(
    session: Session,
    user: UserLike,
    allele_id: int,
    analysis_id: int | None,
    gp_name: str | None,
    gp_version: str | None,
) -> Where:
    """The access check of one variant and :func:`where` (its detail): with an analysis, in one round trip."""
    if analysis_id is None:
        access.require_allele(session, user, allele_id)
        return _with_panel(session, user, None, None, gp_name, gp_version)
    panel = access.allele_in_analysis(session, user, allele_id, analysis_id)
    return _with_panel(session, user, analysis_id, panel, gp_name, gp_version)


def _with_panel(
    session: Session,
    user: UserLike,
    analysis_id: int | None,
    panel: tuple[str, str] | None,
    gp_name: str | None,
    gp_version: str | None,
) -> Where:
    if gp_name or gp_version:
        if not (gp_name and gp_version):
            raise InputError("give both gp_name and gp_version", key="gp_name")
        access.require_panel(session, user, gp_name, gp_version)
        return Where(analysis_id, (gp_name, gp_version))
    return Where(analysis_id, panel)


def details(
    session: Session,
    app_config: dict[str, Any],
    user: UserLike,
    allele_ids: Sequence[int],
    at: Where,
    *,
    checked: bool = False,
) -> list[dict[str, Any]]:
    """Details of visible alleles (404 naming those that are not; ``checked``: the caller checked already)."""
    if not checked:
        access.require_alleles(session, user, allele_ids)
    return variants.details(session, app_config, allele_ids, analysis_id=at.analysis_id, genepanel=at.genepanel)


def analyses_with(session: Session, user: UserLike, allele_id: int) -> list[dict[str, Any]]:
    """The caller's analyses in which the allele is called."""
    access.require_allele(session, user, allele_id)
    query = (
        select(*overview.ANALYSIS_COLUMNS)
        .join(Sample, Sample.analysis_id == Analysis.id)
        .join(GenotypeAllele, GenotypeAllele.c.sample_id == Sample.id)
        .where(GenotypeAllele.c.allele_id == allele_id, access.analysis_allowed(user))
        .distinct()
        .order_by(Analysis.id)
    )
    return overview.analysis_summaries(session, list(session.execute(query)))


def by_gene(
    session: Session, app_config: dict[str, Any], user: UserLike, allele_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """ELLA's ``alleles/by-gene/``: the genes of the variants' current annotation (transcripts matching
    ``transcripts.inclusion_regex`` when configured), each with its variants in genomic order; by symbol."""
    ids = access.require_alleles(session, user, allele_ids)
    if not ids:
        return []
    shadow = AnnotationShadowTranscript
    conditions = [shadow.allele_id == int_ids(ids)]
    regex = (app_config.get("transcripts") or {}).get("inclusion_regex")
    if regex:
        conditions.append(shadow.transcript.regexp_match(regex))
    pairs = (
        select(shadow.symbol, shadow.hgnc_id, Allele.id.label("allele_id"), Allele.chromosome, Allele.start_position)
        .join(Allele, Allele.id == shadow.allele_id)
        .where(*conditions)
        .distinct()
        .subquery()
    )
    query = (
        select(
            pairs.c.symbol,
            pairs.c.hgnc_id,
            func.array_agg(
                aggregate_order_by(pairs.c.allele_id, pairs.c.chromosome.asc(), pairs.c.start_position.asc())
            ).label("allele_ids"),
        )
        .group_by(pairs.c.symbol, pairs.c.hgnc_id)
        .order_by(pairs.c.symbol, pairs.c.hgnc_id)
    )
    return [
        {"symbol": r.symbol, "hgnc_id": r.hgnc_id, "allele_ids": list(r.allele_ids)} for r in session.execute(query)
    ]
