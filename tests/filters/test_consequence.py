"""Conformance: the ``consequence`` filter.

Mirrors ELLA src/datalayer/tests/test_consequencefilter.py::TestConsequenceFilter::test_consequence_filter:
generated transcripts (GENE1 or another gene; a panel transcript, another RefSeq one or a non-RefSeq one)
with generated consequences, the application's inclusion regex ``NM_.*`` and ELLA's expected outcome.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import given

from tests.filters.builders import CONFORMANCE, allele, context, panel, run, transcript

CONSEQUENCES = [
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "initiator_codon_variant",
    "transcript_amplification",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_region_variant",
    "splice_donor_5th_base_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "feature_elongation",
    "regulatory_region_variant",
    "feature_truncation",
    "intergenic_variant",
]
APP_CONFIG = {"transcripts": {"inclusion_regex": "NM_.*"}}
PANEL = panel(transcript("NM_1", 1_000_000, symbol="GENE1"))


@st.composite
def annotated_transcripts(draw: Any) -> list[dict[str, Any]]:
    return [
        {
            "symbol": draw(st.sampled_from(["GENE1", "SOME_RANDOM_GENE"])),
            "transcript": draw(st.sampled_from(["NM_1.1", "NM_SOMETHING", "SOME_OTHER_TRANSCRIPT"])),
            "consequences": draw(st.lists(st.sampled_from(CONSEQUENCES), min_size=1)),
        }
        for _ in range(draw(st.integers(1, 10)))
    ]


@CONFORMANCE
@given(
    st.fixed_dictionaries(
        {"consequences": st.lists(st.sampled_from(CONSEQUENCES), min_size=1), "genepanel_only": st.booleans()}
    ),
    st.lists(annotated_transcripts(), min_size=1),
)
def test_consequence_filter(config, transcripts):
    """Mirrors ELLA test_consequencefilter.py::TestConsequenceFilter::test_consequence_filter."""
    alleles = [allele(annotation={"transcripts": t}) for t in transcripts]
    result = run("consequence", context(alleles, panel_data=PANEL, app_config=APP_CONFIG), config)
    want = set()
    for a, txs in zip(alleles, transcripts, strict=True):
        included = [t for t in txs if t["transcript"].startswith("NM_")]
        if config["genepanel_only"]:
            included = [t for t in included if t["symbol"] == "GENE1"]
        if set(config["consequences"]) & {c for t in included for c in t["consequences"]}:
            want.add(a.id)
    assert result == want


def test_inclusion_regex_is_searched_like_postgresql():
    """ELLA filters transcripts with PostgreSQL's ``transcript ~ regex``: a search, not a match at the start."""
    inside = allele(annotation={"transcripts": [{"transcript": "XNM_1", "consequences": ["intron_variant"]}]})
    ctx = context([inside], panel_data=PANEL, app_config=APP_CONFIG)
    assert run("consequence", ctx, {"consequences": ["intron_variant"]}) == {inside.id}
