"""``region``: filter alleles outside the regions of interest of the panel's transcripts.

Regions: the coding part of each exon, plus ``splice_region`` [upstream, downstream] bases of intron around
every exon and ``utr_region`` [upstream, downstream] bases of UTR around the coding region (both in the
transcript's direction; upstream values are negative). Transcripts without a coding region count with
their whole exons. Coordinates are 0-based with exclusive ends, as stored.

An allele outside every region is still kept when the HGVSc of one of its panel transcripts puts it inside
(``c.123+5``, ``c.-40``, ``c.*12``): genomic and transcript positions can disagree after left-alignment.
"""

from __future__ import annotations

import re
from typing import Any

from ella_app.services.filters.base import interval
from ella_app.services.filters.context import FilterContext, PanelTranscript

NAME = "region"
SCOPE = "allele"
_HGVSC = re.compile(r"^(?:[^:]*:)?c\.(?P<utr>[-*])?(?P<pos>\d+)(?:(?P<sign>[+-])(?P<offset>\d+))?")

Interval = tuple[int, int]  # closed


def _regions(tx: PanelTranscript, splice: Interval, utr: Interval) -> list[Interval]:
    regions: list[Interval] = []
    exons = [(s, e - 1) for s, e in zip(tx.exon_starts, tx.exon_ends, strict=False) if e > s]
    plus = tx.strand != "-"
    up, down = splice
    for start, end in exons:
        if plus:
            regions += [(start + up, start - 1), (end + 1, end + down)]
        else:
            regions += [(end + 1, end - up), (start - down, start - 1)]
    if tx.cds_start is None or tx.cds_end is None or tx.cds_end <= tx.cds_start:
        return regions + exons
    cds_start, cds_end = tx.cds_start, tx.cds_end - 1
    for start, end in exons:
        if start <= cds_end and end >= cds_start:
            regions.append((max(start, cds_start), min(end, cds_end)))
    up, down = utr
    if plus:
        regions += [(cds_start + up, cds_start - 1), (cds_end + 1, cds_end + down)]
    else:
        regions += [(cds_end + 1, cds_end - up), (cds_start - down, cds_start - 1)]
    return [(s, e) for s, e in regions if e >= s]


def _hgvsc_inside(hgvsc: Any, splice: Interval, utr: Interval) -> bool:
    if not isinstance(hgvsc, str):
        return False
    match = _HGVSC.match(hgvsc)
    if match is None:
        return False
    exon_distance = 0
    if match["sign"]:
        exon_distance = int(match["offset"]) * (1 if match["sign"] == "+" else -1)
    if not splice[0] <= exon_distance <= splice[1]:
        return False
    if match["utr"] == "-":
        return utr[0] <= -int(match["pos"]) <= utr[1]
    if match["utr"] == "*":
        return utr[0] <= int(match["pos"]) <= utr[1]
    return True


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    splice = interval(config, "splice_region", NAME)
    utr = interval(config, "utr_region", NAME)
    by_chromosome: dict[str, list[tuple[PanelTranscript, list[Interval]]]] = {}
    for tx in ctx.panel.transcripts:
        by_chromosome.setdefault(tx.chromosome, []).append((tx, _regions(tx, splice, utr)))
    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        first, last = allele.start_position, max(allele.start_position, allele.open_end_position - 1)
        inside = any(
            first <= end and last >= start
            for _, regions in by_chromosome.get(allele.chromosome, ())
            for start, end in regions
        )
        if inside:
            continue
        if any(
            _hgvsc_inside(t.get("HGVSc_short") or t.get("HGVSc"), splice, utr)
            for t, _ in ctx.panel_transcripts(allele_id)
        ):
            continue
        filtered.add(allele_id)
    return filtered
