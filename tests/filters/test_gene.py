"""Conformance: the ``gene`` filter.

Mirrors ELLA src/datalayer/tests/test_genefilter.py::TestGeneFilter::test_gene_filter: generated panels
(genes with one transcript each) and annotations, each mode with and without ``inverse``, the curated
examples and ELLA's expected outcome (an allele's genes are those of annotation transcripts that are panel
transcripts).
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import example, given

from tests.filters.builders import CONFORMANCE, allele, context, panel, run, transcript

HGNC = st.integers(min_value=1_000_000, max_value=1_000_020)


@st.composite
def gene_transcripts(draw: Any) -> tuple[int, str]:
    hgnc_id = draw(HGNC)
    return hgnc_id, f"NM_{hgnc_id}.1"


@st.composite
def annotations(draw: Any) -> dict[str, Any]:
    ids = draw(st.lists(HGNC, max_size=4))
    return {"transcripts": [{"hgnc_id": i, "transcript": f"NM_{i}.1"} for i in ids]}


@CONFORMANCE
@example(
    [(1, "NM_1.1")], [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}]}], {"genes": [1], "mode": "all"}, [0]
)
@example(
    [(1, "NM_alternative1.1")],
    [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}]}],
    {"genes": [1], "mode": "one"},
    [],
)
@example(
    [(1, "NM_1.1"), (2, "NM_2.1")],
    [{"transcripts": [{"hgnc_id": 2, "transcript": "NM_2.1"}]}],
    {"genes": [1], "mode": "all"},
    [],
)
@example(
    [(1, "NM_1.1"), (2, "NM_2.1")],
    [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}]}],
    {"genes": [1], "mode": "one"},
    [0],
)
@example(
    [(1, "NM_1.1"), (2, "NM_2.1")],
    [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}]}],
    {"genes": [1], "mode": "all"},
    [0],
)
@example(
    [(1, "NM_1.1"), (2, "NM_2.1")],
    [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}, {"hgnc_id": 2, "transcript": "NM_2.1"}]}],
    {"genes": [1], "mode": "all"},
    [],
)
@example(
    [(1, "NM_1.1"), (2, "NM_2.1")],
    [{"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}, {"hgnc_id": 2, "transcript": "NM_2.1"}]}],
    {"genes": [1, 2], "mode": "all"},
    [0],
)
@given(
    st.lists(gene_transcripts(), min_size=1, unique=True),
    st.lists(annotations(), min_size=5),
    st.fixed_dictionaries({"genes": st.lists(HGNC, unique=True, min_size=1)}),
    st.just(None),
)
def test_gene_filter(genes, annotation_list, config, curated):
    """Mirrors ELLA test_genefilter.py::TestGeneFilter::test_gene_filter."""
    panel_data = panel(*(transcript(name, hgnc_id) for hgnc_id, name in dict(genes).items()))
    names = [tx.name for tx in panel_data.transcripts]
    alleles = [allele(annotation=a) for a in annotation_list]
    ctx = context(alleles, panel_data=panel_data)
    if curated is not None:
        assert run("gene", ctx, config) == {alleles[i].id for i in curated}
    allele_genes = {
        a.id: {t["hgnc_id"] for t in ann["transcripts"] if t["transcript"] in names}
        for a, ann in zip(alleles, annotation_list, strict=True)
    }
    for mode in ("all", "one"):
        if mode == "one":
            want = {a for a, g in allele_genes.items() if g and g & set(config["genes"])}
        else:
            want = {a for a, g in allele_genes.items() if g and g <= set(config["genes"])}
        assert run("gene", ctx, {**config, "mode": mode, "inverse": False}) == want
        assert run("gene", ctx, {**config, "mode": mode, "inverse": True}) == set(allele_genes) - want


def test_default_mode_is_all():
    panel_data = panel(transcript("NM_1.1", 1), transcript("NM_2.1", 2))
    both = allele(
        annotation={"transcripts": [{"hgnc_id": 1, "transcript": "NM_1.1"}, {"hgnc_id": 2, "transcript": "NM_2.1"}]}
    )
    assert run("gene", context([both], panel_data=panel_data), {"genes": [1]}) == set()
