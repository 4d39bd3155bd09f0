"""Conformance: the ``region`` filter.

Mirrors ELLA src/datalayer/tests/test_regionfilter.py: ``test_genomic_region_filtering`` (six transcripts,
+ and - strand; curated examples and ELLA's parallel implementation for generated alleles),
``test_hgvsc_region_filtering`` (rescue by annotated distances) and ``test_regions`` (the coding, splice and
UTR regions of generated transcripts, ELLA's curated ones included).
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import assume, example, given

from ella_app.services.filters.context import PanelTranscript
from ella_app.services.filters.region import hgvsc_distances, regions
from tests.filters.builders import CONFORMANCE, allele, context, panel, run, transcript

CONFIG = {"splice_region": [-10, 5], "utr_region": [-12, 20]}

PANEL = panel(
    *(
        transcript(
            f"NM_{i}.1",
            i,
            chromosome=str(i),
            tx_start=i * 1000,
            tx_end=500 + i * 1000,
            strand="+" if i <= 4 else "-",
            cds_start=230 + i * 1000,
            cds_end=430 + i * 1000,
            exon_starts=[x + i * 1000 for x in (100, 200, 300, 400)],
            exon_ends=[x + i * 1000 for x in (160, 260, 360, 460)],
        )
        for i in range(1, 7)
    )
)


@st.composite
def positions(draw: Any, chromosome: str, start: int, end: int) -> tuple[str, int, int]:
    first = draw(st.integers(min_value=start, max_value=end))
    return chromosome, first, draw(st.integers(min_value=first + 1, max_value=first + 50))


def include_regions(tx: PanelTranscript, splice: list[int], utr: list[int]) -> list[tuple[int, int]]:
    """ELLA's parallel implementation in test_genomic_region_filtering."""
    found = []
    for es, ee in zip(tx.exon_starts, tx.exon_ends, strict=True):
        up = splice[0] if tx.strand == "+" else -splice[1]
        down = splice[1] if tx.strand == "+" else -splice[0]
        found += [(es + up, es - 1), (ee, ee - 1 + down)]
        assert tx.cds_start is not None and tx.cds_end is not None
        if es <= tx.cds_end - 1 and ee - 1 >= tx.cds_start:
            found.append((max(es, tx.cds_start), ee - 1 if ee < tx.cds_end else tx.cds_end - 1))
    assert tx.cds_start is not None and tx.cds_end is not None
    up = utr[0] if tx.strand == "+" else -utr[1]
    down = utr[1] if tx.strand == "+" else -utr[0]
    found += [(tx.cds_start + up, tx.cds_start - 1), (tx.cds_end, tx.cds_end - 1 + down)]
    return found


@CONFORMANCE
@example(("1", 1600, 1601), True)  # outside all panel transcripts
@example(("1", 1100, 1101), True)  # within transcript, outside coding region
@example(("1", 1451, 1452), True)
@example(("1", 1289, 1290), True)  # intronic (-11)
@example(("1", 1465, 1466), True)  # intronic (+6) in UTR
@example(("1", 1265, 1266), True)  # intronic (+6)
@example(("5", 5209, 5210), True)  # UTR [+21] on a reverse transcript
@example(("5", 5443, 5444), True)  # UTR (-13) on a reverse transcript
@example(("5", 5294, 5295), True)  # intronic (+6) on a reverse transcript
@example(("1", 1300, 1301), False)  # within a coding exon
@example(("1", 1290, 1291), False)  # splice region [-10]
@example(("1", 1090, 1091), False)  # splice region of a UTR exon [-10]
@example(("1", 1164, 1165), False)  # splice region of a UTR exon [+5]
@example(("1", 1449, 1450), False)  # UTR region [20]
@example(("1", 1218, 1219), False)  # UTR region [-12]
@example(("5", 5441, 5442), False)
@example(("5", 5210, 5211), False)
@example(("5", 5469, 5470), False)
@example(("5", 5095, 5096), False)
@example(("1", 1261, 1262), False)  # splice (+2)
@example(("1", 1260, 1261), False)  # intronic (+1)
@example(("1", 1259, 1260), False)  # last base of an exon
@example(("1", 1199, 1200), False)  # splice (-1)
@example(("1", 1198, 1199), False)  # splice (-2)
@example(("1", 1200, 1201), True)  # first base of a non-coding exon
@example(("5", 5398, 5399), False)
@example(("5", 5399, 5400), False)
@example(("5", 5400, 5401), False)
@example(("5", 5461, 5462), False)
@example(("5", 5460, 5461), False)
@example(("5", 5459, 5460), True)  # first base of a non-coding exon on a reverse transcript
@example(("5", 5359, 5460), False)
@example(("6", 6259, 6260), False)  # first base of the coding region
@example(("6", 6400, 6401), False)  # last base of the coding region
@given(
    st.one_of(positions("1", 800, 1700), positions("5", 4800, 5700), positions("6", 5800, 6700)),
    st.just(None),
)
def test_genomic_region_filtering(position, curated):
    """Mirrors ELLA test_regionfilter.py::TestRegionFilter::test_genomic_region_filtering."""
    chromosome, start, end = position
    a = allele(chromosome=chromosome, start=start, end=end)
    result = run("region", context([a], panel_data=PANEL), CONFIG)
    if curated is not None:
        assert result == ({a.id} if curated else set())
    included = [
        r
        for tx in PANEL.transcripts
        if tx.chromosome == chromosome
        for r in include_regions(tx, CONFIG["splice_region"], CONFIG["utr_region"])
    ]
    inside = any((r[0] <= start <= r[1]) or (r[0] < end < r[1]) or (start <= r[0] and end >= r[1]) for r in included)
    assert result == (set() if inside else {a.id})


def test_hgvsc_region_filtering():
    """Mirrors ELLA test_regionfilter.py::TestRegionFilter::test_hgvsc_region_filtering: alleles outside every
    transcript, annotated on a panel transcript with a distance inside the padding, are kept."""

    def annotated(name: str, exon: int, coding: int | None) -> Any:
        t = {"symbol": "GENE1", "hgnc_id": 1, "transcript": name, "exon_distance": exon}
        t["coding_region_distance"] = coding
        return allele(chromosome="X", start=10, annotation={"transcripts": [t]})

    kept = [annotated("NM_1.1", -10, None), annotated("NM_1.1", 5, None), annotated("NM_1.1", 0, -12)]
    kept.append(annotated("NM_1.1", 0, 20))
    other = annotated("TRANSCRIPT_NOT_FOR_FILTERING", 0, 0)
    ctx = context([*kept, other], panel_data=PANEL)
    ids = {a.id for a in [*kept, other]}
    assert run("region", ctx, {"splice_region": [0, 0], "utr_region": [0, 0]}) == ids
    assert run("region", ctx, CONFIG) == {other.id}


@example("c.279G>A", (0, 0))
@example("n.1901_1904delAAGT", (0, 0))
@example("c.248-1_248insA", (0, 0))
@example("c.11712-20dupT", (-20, None))
@example("c.1624+24T>A", (24, None))
@example("c.*14G>A", (0, 14))
@example("c.-315_-314delAC", (0, -314))
@given(st.just("NM_000059.3:c.67+2T>A"), st.just((2, None)))
def test_hgvsc_distances(hgvsc, distances):
    """The distances ELLA's VEP converter computes (vardb/deposit/annotationconverters/vepconverter.py,
    calculate_distances, its docstring's table) from HGVSc, which we compute when the annotation has none."""
    assert hgvsc_distances(hgvsc) == distances


def test_rescue_by_hgvsc_when_the_annotation_has_no_distances():
    near = allele(
        chromosome="X",
        start=10,
        annotation={"transcripts": [{"transcript": "NM_1.2", "HGVSc": "NM_1.2:c.100+4A>G", "hgnc_id": 1}]},
    )
    other_gene = allele(
        chromosome="X",
        start=10,
        annotation={"transcripts": [{"transcript": "NM_1.2", "HGVSc": "c.100+4A>G", "hgnc_id": 2}]},
    )
    far = allele(
        chromosome="X", start=10, annotation={"transcripts": [{"transcript": "NM_1.1", "HGVSc": "c.100+40A>G"}]}
    )
    ctx = context([near, other_gene, far], panel_data=PANEL)
    assert run("region", ctx, CONFIG) == {other_gene.id, far.id}


# ------------------------------------------------------------------------------------------ regions


@st.composite
def transcripts(draw: Any) -> PanelTranscript:
    tx_start = draw(st.integers(1000, 2000))
    tx_end = draw(st.integers(3000, 4000))
    n = draw(st.integers(1, 7))
    bounds = sorted(draw(st.lists(st.integers(tx_start, tx_end), min_size=2 * n, max_size=2 * n, unique=True)))
    starts, ends = bounds[::2], bounds[1::2]
    first, last = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
    cds_start = draw(st.one_of(st.integers(starts[first], ends[first] - 1), st.none()))
    cds_end = draw(st.one_of(st.integers(starts[last] + 1, ends[last]), st.none()))
    if cds_start is not None and cds_end is not None:
        assume(cds_end > cds_start)
    return transcript(
        "NM_REGION_TEST.1",
        10_000_000,
        tx_start=tx_start,
        tx_end=tx_end,
        strand=draw(st.sampled_from("+-")),
        cds_start=cds_start,
        cds_end=cds_end,
        exon_starts=starts,
        exon_ends=ends,
    )


def default_transcript(strand: str = "+") -> PanelTranscript:
    return transcript(
        "NM_REGION_TEST.1",
        10_000_000,
        tx_start=1000,
        tx_end=4000,
        strand=strand,
        cds_start=1100,
        cds_end=2900,
        exon_starts=(500, 1050, 1700, 2300, 2800, 3500),
        exon_ends=(800, 1150, 2000, 2500, 2990, 3700),
    )


CODING = {(1100, 1149), (1700, 1999), (2300, 2499), (2800, 2899)}


@CONFORMANCE
@example(default_transcript(), (0, 0), (0, 0), CODING)
@example(
    default_transcript(),
    (-1, 0),
    (-1, 0),
    CODING | {(499, 499), (1049, 1049), (1699, 1699), (2299, 2299), (2799, 2799), (3499, 3499)} | {(1099, 1099)},
)
@example(
    default_transcript(),
    (0, 2),
    (0, 1),
    CODING | {(800, 801), (1150, 1151), (2000, 2001), (2500, 2501), (2990, 2991), (3700, 3701)} | {(2900, 2900)},
)
@example(default_transcript("-"), (0, 0), (0, 0), CODING)
@example(
    default_transcript("-"),
    (-1, 0),
    (-1, 0),
    CODING | {(800, 800), (1150, 1150), (2000, 2000), (2500, 2500), (2990, 2990), (3700, 3700)} | {(2900, 2900)},
)
@example(
    default_transcript("-"),
    (0, 2),
    (0, 1),
    CODING | {(498, 499), (1048, 1049), (1698, 1699), (2298, 2299), (2798, 2799), (3498, 3499)} | {(1099, 1099)},
)
@given(
    transcripts(),
    st.tuples(st.integers(-20, 0), st.integers(0, 20)),
    st.tuples(st.integers(-20, 0), st.integers(0, 20)),
    st.just(None),
)
def test_regions(tx, splice, utr, curated):
    """Mirrors ELLA test_regionfilter.py::test_regions (its curated transcripts and its expected coding,
    splice and UTR regions for generated transcripts and paddings)."""
    found = set(regions(tx, splice, utr))
    if curated is not None:
        assert found == curated
    coding = set()
    if tx.cds_start is not None and tx.cds_end is not None:
        for es, ee in zip(tx.exon_starts, tx.exon_ends, strict=True):
            if ee - 1 < tx.cds_start or es > tx.cds_end - 1:
                continue
            coding.add((max(es, tx.cds_start), min(ee - 1, tx.cds_end - 1)))
    utr_pad = [abs(x) for x in utr]
    splice_pad = [abs(x) for x in splice]
    if tx.strand == "-":
        utr_pad, splice_pad = utr_pad[::-1], splice_pad[::-1]
    utr_regions = set()
    if tx.cds_start and utr_pad[0]:
        utr_regions.add((tx.cds_start - utr_pad[0], tx.cds_start - 1))
    if tx.cds_end and utr_pad[1]:
        utr_regions.add((tx.cds_end, tx.cds_end - 1 + utr_pad[1]))
    splice_regions = set()
    if splice_pad[0]:
        splice_regions |= {(es - splice_pad[0], es - 1) for es in tx.exon_starts}
    if splice_pad[1]:
        splice_regions |= {(ee, ee - 1 + splice_pad[1]) for ee in tx.exon_ends}
    assert found == coding | utr_regions | splice_regions


def test_non_coding_transcripts_have_no_coding_region():
    """ELLA: exons of a transcript without a coding region are no region of interest (only splice regions)."""
    non_coding = transcript("NR_1.1", 7, cds_start=None, cds_end=None)
    inside_exon = allele(start=1320)
    splice = allele(start=1295)
    ctx = context([inside_exon, splice], panel_data=panel(non_coding))
    assert run("region", ctx, CONFIG) == {inside_exon.id}


def test_an_allele_spanning_a_whole_transcript_is_not_compared_with_it():
    """ELLA pairs an allele with the transcripts whose range (widened by the largest padding) holds its start
    or its open end; a deletion spanning all of it is outside (as long as no HGVSc rescues it)."""
    spanning = allele(start=900, end=1600, change_type="del")
    into = allele(start=900, end=1101, change_type="del")
    ctx = context([spanning, into], panel_data=panel(transcript("NM_1.1", 1)))
    assert run("region", ctx, CONFIG) == {spanning.id}


def test_a_one_base_region_at_the_open_end_counts_as_touched():
    """ELLA's overlap test (start <= region start and open end >= region end) also holds for a one-base
    region sitting just past the allele's last base; we keep that."""
    touching = allele(start=1090, end=1099)  # bases 1090..1098; the -1 splice base of the exon at 1100 is 1099
    clear = allele(start=1090, end=1098)
    ctx = context([touching, clear], panel_data=panel(transcript("NM_1.1", 1)))
    assert run("region", ctx, {"splice_region": [-1, 0], "utr_region": [0, 0]}) == {clear.id}
