"""``ppy``: changes in the polypyrimidine tract before a splice acceptor (ELLA's PolypyrimidineTractFilter).

Config: ``ppy_tract_region`` [from, to], both negative: bases upstream of each exon start of the panel's
transcripts, in the transcript's direction. As in ELLA, the tract of an exon is, in 0-based genomic
coordinates, [exon start + from, exon start + to] on the + strand and [exon end - to, exon end - from] on the
- strand, where exon end is the stored (exclusive) end.

An allele is matched when it touches a tract (its start inside it, its open end strictly inside it, or it
spans it) and is, for a + strand transcript, a C↔T SNP or a deletion of C, T, CC, CT, TC or TT whose VCF ALT
(the base before the deletion) is not A; for a - strand transcript the same on the other strand: an A↔G SNP
or a deletion of A, G, AA, AG, GA or GG whose ALT is not C. The base before a deletion is checked because
deleting pyrimidines after an A could make a new AG acceptor; the base after it is unknown (no reference
sequence), so that side is not checked.
"""

from __future__ import annotations

import bisect
from typing import Any

from ella_app.services.filters.context import AlleleData, FilterContext

NAME = "ppy"
SCOPE = "allele"

_RULES = {
    "+": ({"C", "T"}, {"C", "T", "CT", "CC", "TT", "TC"}, "A"),
    "-": ({"A", "G"}, {"G", "A", "GA", "GG", "AA", "AG"}, "C"),
}


def _change_matches(allele: AlleleData, strand: str) -> bool:
    rule = _RULES.get(strand)
    if rule is None:
        return False
    snp_bases, deletions, before = rule
    if allele.change_type == "SNP":
        return allele.change_from in snp_bases and allele.change_to in snp_bases
    if allele.change_type == "del":
        return allele.change_from in deletions and allele.vcf_alt != before
    return False


def tracts(ctx: FilterContext, region: list[int]) -> dict[str, list[tuple[int, int, str]]]:
    """(start, end, strand) of every tract of the panel, closed intervals, per chromosome, by start."""
    first, last = region
    found: dict[str, set[tuple[int, int, str]]] = {}
    for tx in ctx.panel.transcripts:
        for exon_start, exon_end in zip(tx.exon_starts, tx.exon_ends, strict=False):
            if tx.strand == "-":
                tract = (exon_end - last, exon_end - first, tx.strand)
            else:
                tract = (exon_start + first, exon_start + last, tx.strand)
            found.setdefault(tx.chromosome, set()).add(tract)
    return {chromosome: sorted(items) for chromosome, items in found.items()}


def _touches(allele: AlleleData, start: int, end: int) -> bool:
    s, e = allele.start_position, allele.open_end_position
    return start <= s <= end or start < e < end or (s <= start and e > end)


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    by_chromosome = tracts(ctx, config["ppy_tract_region"])
    starts = {chromosome: [t[0] for t in items] for chromosome, items in by_chromosome.items()}
    longest = {chromosome: max((t[1] - t[0] for t in items), default=0) for chromosome, items in by_chromosome.items()}
    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        if allele.change_type not in ("SNP", "del"):
            continue
        items = by_chromosome.get(allele.chromosome)
        if not items:
            continue
        # tracts that can touch the allele start at most `longest` before it and at most at its open end
        low = bisect.bisect_left(starts[allele.chromosome], allele.start_position - longest[allele.chromosome] - 1)
        high = bisect.bisect_right(starts[allele.chromosome], allele.open_end_position)
        for start, end, strand in items[low:high]:
            if _touches(allele, start, end) and _change_matches(allele, strand):
                filtered.add(allele_id)
                break
    return filtered
