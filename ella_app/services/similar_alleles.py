"""Similar alleles (feature A13, ELLA's "VarDB SNV" box): classified variants near each variant asked about.

ELLA's rule (``workflows/similar_alleles``): for each variant, the variants with a current classification on
the same chromosome whose region overlaps the variant's region widened by ``similar_alleles.
max_genomic_distance`` bases on each side (either one containing the other, or an end of the classified one
inside the widened region), the variant itself excluded; nearest first by the distance between the regions'
midpoints (then by id), at most ``similar_alleles.max_variants`` per variant.

Both the variants asked about and the ones found are limited to what the caller may see; the panel (for the
transcripts shown) must be one of the caller's group's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ella_app.db.models import Allele, AlleleAssessment
from ella_app.services import access, overview
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids, load_alleles, load_panel

DEFAULT_MAX_VARIANTS = 10
DEFAULT_MAX_DISTANCE = 100


def settings(app_config: Mapping[str, Any]) -> tuple[int, int]:
    """(max_variants, max_genomic_distance) from ``similar_alleles`` (ELLA's example values by default)."""
    section = app_config.get("similar_alleles") or {}
    max_variants = section.get("max_variants", DEFAULT_MAX_VARIANTS)
    max_distance = section.get("max_genomic_distance", DEFAULT_MAX_DISTANCE)
    return int(max_variants), int(max_distance)


def nearby_allele_ids(
    session: Session, user: UserLike, allele_ids: Sequence[int], max_distance: int, max_variants: int
) -> dict[int, list[int]]:
    """Per allele id, the ids of the classified alleles near it (nearest first, at most ``max_variants``)."""
    result: dict[int, list[int]] = {a: [] for a in allele_ids}
    if not allele_ids or max_variants <= 0:
        return result
    found = aliased(Allele)
    classified = (AlleleAssessment.allele_id == found.id) & AlleleAssessment.date_superceeded.is_(None)
    # How far before a region a classified allele may start and still reach into it (bounds the index scan).
    longest = session.scalar(
        select(func.max(found.open_end_position - found.start_position))
        .join(AlleleAssessment, classified)
        .where(found.chromosome.in_(select(Allele.chromosome).where(Allele.id == int_ids(allele_ids))))
    )
    if longest is None:
        return result
    distance = func.abs(
        (found.start_position + found.open_end_position) / 2 - (Allele.start_position + Allele.open_end_position) / 2
    )
    ranked = (
        select(
            Allele.id.label("allele_id"),
            found.id.label("found_id"),
            func.row_number().over(partition_by=Allele.id, order_by=(distance, found.id)).label("rank"),
        )
        .join(
            found,
            (found.chromosome == Allele.chromosome)
            & (found.id != Allele.id)
            & (found.start_position >= Allele.start_position - max_distance - longest)
            & (found.start_position < Allele.open_end_position + max_distance)
            & (found.open_end_position > Allele.start_position - max_distance),
        )
        .join(AlleleAssessment, classified)
        .where(Allele.id == int_ids(allele_ids), access.allele_allowed(user, found.id))
        .subquery()
    )
    query = (
        select(ranked.c.allele_id, ranked.c.found_id)
        .where(ranked.c.rank <= max_variants)
        .order_by(ranked.c.allele_id, ranked.c.rank)
    )
    for allele_id, found_id in session.execute(query).tuples():
        result[allele_id].append(found_id)
    return result


def similar_alleles(
    session: Session,
    user: UserLike,
    app_config: Mapping[str, Any],
    genepanel: tuple[str, str],
    allele_ids: Sequence[int],
) -> dict[str, list[dict[str, Any]]]:
    """``{"<allele id>": [allele, ...]}`` in the order asked, each allele as the variant lists show it (its
    transcripts in ``genepanel``, its current classification)."""
    access.require_panel(session, user, *genepanel)
    ordered = access.require_alleles(session, user, allele_ids)
    max_variants, max_distance = settings(app_config)
    nearby = nearby_allele_ids(session, user, ordered, max_distance, max_variants)
    wanted = sorted({a for found in nearby.values() for a in found})
    loaded = load_alleles(session, wanted, app_config)
    panel = load_panel(session, *genepanel)
    shown = {a: overview.allele_summary(loaded[a], panel) for a in wanted if a in loaded}
    return {str(a): [shown[f] for f in nearby[a] if f in shown] for a in ordered}
