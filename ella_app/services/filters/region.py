"""``region``: filter alleles outside the regions of interest of the panel's transcripts (ELLA's RegionFilter).

Config: ``splice_region`` [upstream, downstream] and ``utr_region`` [upstream, downstream] (upstream values
are 0 or negative), in bases, in the transcript's direction.

Regions, per panel transcript, in 0-based closed coordinates:

* coding: each exon's part inside the coding region (none for a transcript without one);
* splice: ``splice_region`` bases of intron before each exon start and after each exon end;
* UTR: ``utr_region`` bases before the coding start and after the coding end (genomic bases, introns
  included), each only where the transcript has that end of a coding region.

An allele is inside when it touches a region: its start inside it, its open end strictly inside it, or its
span covering it. As in ELLA, an allele is compared only with transcripts whose range widened by the largest
padding holds its start or its open end (so an allele spanning a whole transcript is not inside it).

An allele outside every region is still kept when an annotation transcript paired with a panel transcript
(same name without version, same gene) puts it inside by HGVSc: its distance to the exon (``exon_distance``,
0 inside an exon) is within ``splice_region`` and, for exonic alleles in a UTR, its distance to the coding
region (``coding_region_distance``) within ``utr_region``. The distances are read from the annotation when
it has them, else computed from HGVSc as ELLA's VEP converter does (``c.100+4A>G`` → 4; ``c.-12A>G`` →
exonic, -12 from the coding region). Genomic and transcript positions can disagree after left-alignment.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from ella_app.services.filters.context import AlleleData, FilterContext, PanelTranscript

NAME = "region"
SCOPE = "allele"

Interval = tuple[int, int]  # closed

_HGVSC = re.compile(
    r"(?P<c>[cn])\."
    r"(?P<utr1>[*\-]?)(?P<p1>[0-9]+)(?P<pm1>[\-+]?)(?P<ed1>([0-9]+)?)"
    r"((?P<region>_)(?P<utr2>[*\-]?)(?P<p2>[0-9]+)(?P<pm2>[\-+]?)(?P<ed2>([0-9]+)?))?"
    r"([ACGT]|[BDHKMNRSVWY]|del|dup|ins|inv)"
)


def _signed_distance(sign1: str, d1: str, sign2: str, d2: str) -> int | None:
    if not (sign1 or sign2):
        return 0
    if d1 and not d2:
        return -int(d1) if sign1 == "-" else int(d1)
    if d1 and d2:
        nearest = min(int(d1), int(d2))
        sign = sign1 if int(d1) == nearest else sign2
        return -nearest if sign == "-" else nearest
    return None


def hgvsc_distances(hgvsc: str) -> tuple[int | None, int | None]:
    """(exon distance, coding region distance) of an HGVSc (``c.``/``n.``, transcript part optional)."""
    match = _HGVSC.match(hgvsc.split(":", 1)[-1])
    if match is None:
        return None, None
    ed1, ed2 = match["ed1"], match["ed2"]
    if match["region"] and (ed1 or ed2):
        ed1, ed2 = ed1 or "0", ed2 or "0"
    exon_distance = _signed_distance(match["pm1"], ed1, match["pm2"] or "", ed2 or "")
    coding_distance = None
    if exon_distance == 0:
        if (match["p1"] and not match["utr1"]) or (match["p2"] and not match["utr2"]):
            coding_distance = 0
        else:
            coding_distance = _signed_distance(match["utr1"], match["p1"], match["utr2"] or "", match["p2"] or "")
    return exon_distance, coding_distance


def _distances(transcript: dict[str, Any]) -> tuple[int | None, int | None]:
    if "exon_distance" in transcript:
        exon, coding = transcript.get("exon_distance"), transcript.get("coding_region_distance")
        return (
            exon if isinstance(exon, int) and not isinstance(exon, bool) else None,
            coding if isinstance(coding, int) and not isinstance(coding, bool) else None,
        )
    hgvsc = transcript.get("HGVSc")
    return hgvsc_distances(hgvsc) if isinstance(hgvsc, str) else (None, None)


def regions(tx: PanelTranscript, splice: Interval, utr: Interval) -> list[Interval]:
    """The transcript's regions of interest (closed intervals; empty ones left out)."""
    exon_up, exon_down = splice
    utr_up, utr_down = utr
    found: list[Interval] = []
    minus = tx.strand == "-"
    cds_start = tx.cds_start
    cds_end = tx.cds_end - 1 if tx.cds_end is not None else None
    for exon_start, exon_end_open in zip(tx.exon_starts, tx.exon_ends, strict=False):
        exon_end = exon_end_open - 1
        if cds_start is not None and cds_end is not None and exon_start <= cds_end and exon_end >= cds_start:
            found.append((max(exon_start, cds_start), min(exon_end, cds_end)))
        if minus:
            found += [(exon_end + 1, exon_end - exon_up), (exon_start - exon_down, exon_start - 1)]
        else:
            found += [(exon_start + exon_up, exon_start - 1), (exon_end + 1, exon_end + exon_down)]
    if minus:
        if cds_end is not None:
            found.append((cds_end + 1, cds_end - utr_up))
        if cds_start is not None:
            found.append((cds_start - utr_down, cds_start - 1))
    else:
        if cds_start is not None:
            found.append((cds_start + utr_up, cds_start - 1))
        if cds_end is not None:
            found.append((cds_end + 1, cds_end + utr_down))
    return [(start, end) for start, end in found if end >= start]


def _touches(allele: AlleleData, start: int, end: int) -> bool:
    s, e = allele.start_position, allele.open_end_position
    return start <= s <= end or start < e < end or (s <= start and e >= end)


def _joined(allele: AlleleData, tx: PanelTranscript, padding: int) -> bool:
    """ELLA's pairing of an allele with a transcript it is compared against."""
    s, e = allele.start_position, allele.open_end_position
    low, high = tx.tx_start - padding, tx.tx_end + padding
    return low <= s <= high - 1 or low < e < high


@dataclass
class _Chromosome:
    """The merged regions of one chromosome, for a quick "inside anything?" answer, and the transcripts."""

    starts: list[int]
    ends: list[int]
    single_bases: set[int]
    transcripts: list[tuple[PanelTranscript, list[Interval]]]
    shortest: int

    def intersects(self, first: int, last: int) -> bool:
        index = bisect.bisect_right(self.starts, last) - 1
        return index >= 0 and self.ends[index] >= first


def _index(ctx: FilterContext, splice: Interval, utr: Interval, padding: int) -> dict[str, _Chromosome]:
    per: dict[str, list[tuple[PanelTranscript, list[Interval]]]] = {}
    for tx in ctx.panel.transcripts:
        per.setdefault(tx.chromosome, []).append((tx, regions(tx, splice, utr)))
    index = {}
    for chromosome, transcripts in per.items():
        merged: list[list[int]] = []
        for start, end in sorted(r for _, rs in transcripts for r in rs):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        index[chromosome] = _Chromosome(
            [m[0] for m in merged],
            [m[1] for m in merged],
            {start for _, rs in transcripts for start, end in rs if start == end},
            transcripts,
            min(tx.tx_end - tx.tx_start + 2 * padding for tx, _ in transcripts),
        )
    return index


def _inside(allele: AlleleData, chromosome: _Chromosome, padding: int) -> bool:
    s, e = allele.start_position, allele.open_end_position
    if e - s < chromosome.shortest:
        # too short to span a whole (padded) transcript: touching a region means touching it for real,
        # which is intersecting it, except that a one-base region at the open end counts as touched
        return (e > s and chromosome.intersects(s, e - 1)) or (e in chromosome.single_bases and s <= e)
    return any(
        _joined(allele, tx, padding) and any(_touches(allele, start, end) for start, end in rs)
        for tx, rs in chromosome.transcripts
    )


def _rescued_by_hgvsc(ctx: FilterContext, allele_id: int, splice: Interval, utr: Interval) -> bool:
    for annotated, _ in ctx.genepanel_annotation(allele_id):
        exon, coding = _distances(annotated)
        if exon is None or not splice[0] <= exon <= splice[1]:
            continue
        if coding is None or utr[0] <= coding <= utr[1]:
            return True
    return False


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    splice = (config["splice_region"][0], config["splice_region"][1])
    utr = (config["utr_region"][0], config["utr_region"][1])
    padding = max(abs(v) for v in (*splice, *utr))
    index = _index(ctx, splice, utr, padding)
    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        chromosome = index.get(allele.chromosome)
        if chromosome is not None and _inside(allele, chromosome, padding):
            continue
        if _rescued_by_hgvsc(ctx, allele_id, splice, utr):
            continue
        filtered.add(allele_id)
    return filtered
