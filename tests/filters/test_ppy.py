"""Conformance: the ``ppy`` (polypyrimidine tract) filter.

Mirrors ELLA src/datalayer/tests/test_ppytractfilter.py::TestPolypyrimidineTractFilter::test_ppy_filtering:
the same panel (a + strand transcript on chromosome 1, a - strand one on chromosome 2), the same VCF
records (alleles given ELLA's coordinates), the curated examples and ELLA's parallel implementation as the
oracle for generated cases.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import assume, example, given

from tests.filters.builders import CONFORMANCE, context, panel, run, transcript, vcf_allele

PANEL = panel(
    transcript("NM_1.1", 1_000_000, chromosome="1", strand="+"),
    transcript(
        "NM_2.1",
        2_000_000,
        chromosome="2",
        tx_start=2000,
        tx_end=2500,
        strand="-",
        cds_start=2230,
        cds_end=2430,
        exon_starts=(2100, 2200, 2300, 2400),
        exon_ends=(2160, 2260, 2360, 2460),
    ),
)
REGION = [-20, -3]


@st.composite
def positions(draw: Any, chromosome: str, start: int, end: int) -> tuple[str, int, str, str]:
    pos = draw(st.integers(min_value=start, max_value=end))
    ref = draw(st.text(alphabet="ACGT", min_size=1, max_size=3))
    alt = draw(st.text(alphabet="ACGT", min_size=1, max_size=2))
    assume(alt != ref)
    assume(ref[0] != alt[0] or len(alt) != len(ref))
    assume(not (ref[0] == alt[0] and len(alt) > 1 and len(ref) > 1))
    return chromosome, pos, ref, alt


WINDOWS = [
    ("1", 1075, 1105),
    ("1", 1175, 1205),
    ("1", 1275, 1305),
    ("1", 1375, 1405),
    ("2", 2155, 2185),
    ("2", 2255, 2285),
    ("2", 2355, 2385),
    ("2", 2455, 2485),
    ("1", 900, 1600),
    ("2", 1900, 2600),
]


def expected(allele: Any) -> bool:
    """ELLA's parallel implementation in its test."""
    if allele.change_type not in ("del", "SNP") or (allele.change_type == "del" and len(allele.change_from) > 2):
        return False
    tracts = []
    for tx in PANEL.transcripts:
        for es, ee in zip(tx.exon_starts, tx.exon_ends, strict=True):
            if tx.strand == "+":
                tracts.append((es + REGION[0], es + REGION[1], tx.strand))
            else:
                tracts.append((ee - REGION[1], ee - REGION[0], tx.strand))
    s, e = allele.start_position, allele.open_end_position
    chromosome = {"+": "1", "-": "2"}
    tract = next(
        (
            t
            for t in tracts
            if chromosome[t[2]] == allele.chromosome
            and ((t[0] <= s <= t[1]) or (t[0] < e < t[1]) or (s <= t[0] and e > t[1]))
        ),
        None,
    )
    if tract is None:
        return False
    strand = tract[2]
    changed = set(allele.change_from + allele.change_to)
    if allele.change_type == "SNP":
        return changed == (set("CT") if strand == "+" else set("GA"))
    if strand == "+":
        return set(allele.change_from) <= set("CT") and allele.vcf_alt != "A" and len(allele.change_from) <= 2
    return set(allele.change_from) <= set("GA") and allele.vcf_alt != "C" and len(allele.change_from) <= 2


@CONFORMANCE
@example(("1", 1291, "C", "T"), True)
@example(("1", 1291, "G", "T"), False)
@example(("1", 1281, "AC", "A"), False)
@example(("1", 1281, "CT", "C"), True)
@example(("1", 1398, "C", "T"), True)
@example(("2", 2364, "AG", "A"), True)
@example(("2", 2364, "A", "G"), True)
@example(("2", 2364, "G", "A"), True)
@example(("2", 2298, "C", "T"), False)
@example(("2", 2371, "C", "T"), False)
@example(("2", 2371, "AAG", "A"), True)
@given(st.one_of(*(positions(*w) for w in WINDOWS)), st.just(None))
def test_ppy_filtering(record, curated):
    """Mirrors ELLA test_ppytractfilter.py::TestPolypyrimidineTractFilter::test_ppy_filtering."""
    chromosome, pos, ref, alt = record
    allele = vcf_allele(chromosome, pos, ref, alt)
    result = run("ppy", context([allele], panel_data=PANEL), {"ppy_tract_region": REGION})
    if curated is not None:
        assert result == ({allele.id} if curated else set())
    assert result == ({allele.id} if expected(allele) else set())


def test_only_panel_transcripts_and_their_strand_count():
    """A C>T SNP in a - strand tract is not a pyrimidine change there (it is G>A on the transcript)."""
    minus = vcf_allele("2", 2371, "C", "T")
    plus_in_other_chromosome = vcf_allele("3", 1291, "C", "T")
    ctx = context([minus, plus_in_other_chromosome], panel_data=PANEL)
    assert run("ppy", ctx, {"ppy_tract_region": REGION}) == set()
