"""Conformance: the ``inheritancemodel`` filter.

Mirrors ELLA src/datalayer/tests/test_inheritancemodelfilter.py::TestInheritanceModelFilter
(``test_recessive_non_candidates`` and ``test_recessive_candidates``): a panel of three genes with generated
inheritance per transcript, alleles annotated with one or two of the genes (on a transcript that is not a
panel transcript: genes come from HGNC ids) and genotypes in up to three proband samples; the curated
examples and ELLA's parallel implementation as the oracle.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import hypothesis.strategies as st
from hypothesis import assume, example, given

from tests.filters.builders import CONFORMANCE, allele, context, genotype, panel, run, sample, transcript

GENES = ["GENE1", "GENE2", "GENE3"]
HGNC = {g: 1_000_000 * i for i, g in enumerate(GENES)}
APP_CONFIG = {"transcripts": {"inclusion_regex": "NM_.*"}}
HET, HOM = "Heterozygous", "Homozygous"


@st.composite
def data(draw: Any) -> tuple[tuple[list[str], ...], list[tuple[list[str], list[str | None]]]]:
    inheritance = tuple(
        draw(st.lists(st.sampled_from(["AD", "AR", "AD/AR", "XR", "XD", ""]), min_size=1, max_size=2)) for _ in GENES
    )
    alleles = []
    for _ in range(draw(st.integers(1, 5))):
        genes = draw(st.lists(st.sampled_from(GENES), min_size=1, max_size=2, unique=True))
        genotypes = draw(st.lists(st.sampled_from([HOM, HET, None]), min_size=3, max_size=3))
        assume(any(genotypes))
        alleles.append((genes, genotypes))
    return inheritance, alleles


def setup(case: Any) -> tuple[Any, list[int]]:
    inheritance, specs = case
    transcripts = []
    for gene, modes in zip(GENES, inheritance, strict=True):
        transcripts += [
            transcript(f"NM_{gene}_{i}", HGNC[gene], symbol=gene, inheritance=m) for i, m in enumerate(modes)
        ]
    alleles = []
    for genes, genotypes in specs:
        annotation = {"transcripts": [{"hgnc_id": HGNC[g], "symbol": g, "transcript": "NM_DUMMY"} for g in genes]}
        calls = [genotype(i + 1, gt) for i, gt in enumerate(genotypes) if gt is not None]
        alleles.append(allele(annotation=annotation, genotypes=calls))
    samples = [sample(i + 1) for i in range(3)]
    ctx = context(alleles, panel_data=panel(*transcripts), samples=samples, app_config=APP_CONFIG)
    return ctx, [a.id for a in alleles]


def oracle(case: Any, ids: list[int], mode: str) -> set[int]:
    inheritance, specs = case
    gene_alleles: dict[str, set[int]] = defaultdict(set)
    for allele_id, (genes, _) in zip(ids, specs, strict=True):
        for g in genes:
            gene_alleles[g].add(allele_id)
    genotypes = {allele_id: gts for allele_id, (_, gts) in zip(ids, specs, strict=True)}
    per_gene: dict[int, list[bool]] = defaultdict(list)
    for gene, modes in zip(GENES, inheritance, strict=True):
        members = gene_alleles.get(gene, set())
        for allele_id in members:
            if mode == "recessive_non_candidates":
                fits = (
                    all(m == "AR" for m in modes)
                    and len(members) == 1
                    and all(gt in (HET, None) for gt in genotypes[allele_id])
                )
            else:
                fits = not all(m == "AD" for m in modes) and (
                    (len(members) == 1 and HOM in genotypes[allele_id]) or len(members) > 1
                )
            per_gene[allele_id].append(fits)
    combine = all if mode == "recessive_non_candidates" else any
    return {a for a, results in per_gene.items() if combine(results)}


@CONFORMANCE
@example(((["AR"], [""], [""]), [(["GENE1"], [HET, None, None])]), [0])
@example(((["XR"], [""], [""]), [(["GENE1"], [HET, None, None])]), [])
@example(((["AD"], [""], [""]), [(["GENE1"], [HET, None, None])]), [])
@example(((["AR/AD"], [""], [""]), [(["GENE1"], [HET, None, None])]), [])
@example(((["AR"], [""], [""]), [(["GENE1"], [HOM, None, None])]), [])
@example(((["AD"], [""], [""]), [(["GENE1"], [HOM, None, None])]), [])
@example(((["AR/AD"], [""], [""]), [(["GENE1"], [HOM, None, None])]), [])
@example(((["AD"], ["AR"], [""]), [(["GENE1", "GENE2"], [HET, None, None])]), [])
@example(((["AR"], ["AD"], ["AR"]), [(["GENE2", "GENE3"], [HET, None, None])]), [])
@example(
    (
        (["XR"], ["AR", "AR"], ["XR", "AD"]),
        [
            (["GENE1", "GENE3"], [HET, None, None]),
            (["GENE1", "GENE3"], [HET, None, None]),
            (["GENE2"], [HET, None, None]),
        ],
    ),
    [2],
)
@example(((["AR"], [""], [""]), [(["GENE1"], [HET, HET, None])]), [0])
@example(((["AR"], [""], [""]), [(["GENE1"], [HOM, HET, None])]), [])
@given(data(), st.just(None))
def test_recessive_non_candidates(case, curated):
    """Mirrors ELLA test_inheritancemodelfilter.py::TestInheritanceModelFilter::test_recessive_non_candidates."""
    ctx, ids = setup(case)
    result = run("inheritancemodel", ctx, {"filter_mode": "recessive_non_candidates"})
    if curated is not None:
        assert result == {ids[i] for i in curated}
    assert result == oracle(case, ids, "recessive_non_candidates")


@CONFORMANCE
@example(((["AD"], [""], [""]), [(["GENE1"], [HOM, None, None])]), [])
@example(((["AD"], [""], [""]), [(["GENE1"], [HOM, None, None]), (["GENE1"], [HET, None, None])]), [])
@example(((["AD/AR"], [""], [""]), [(["GENE1"], [HOM, None, None])]), [0])
@example(((["AD/AR"], [""], [""]), [(["GENE1"], [HOM, None, None]), (["GENE1"], [HET, None, None])]), [0, 1])
@example(((["AD/AR"], [""], [""]), [(["GENE1"], [HOM, None, None]), (["GENE2"], [HET, None, None])]), [0])
@example(((["AD/AR"], [""], [""]), [(["GENE1"], [HET, None, None])]), [])
@example(((["AD"], ["AD"], [""]), [(["GENE1"], [HOM, None, None]), (["GENE2"], [HOM, None, None])]), [])
@example(((["AR"], [""], [""]), [(["GENE1"], [HET, HET, None])]), [])
@example(((["AR"], [""], [""]), [(["GENE1"], [HOM, HET, None])]), [0])
@given(data(), st.just(None))
def test_recessive_candidates(case, curated):
    """Mirrors ELLA test_inheritancemodelfilter.py::TestInheritanceModelFilter::test_recessive_candidates."""
    ctx, ids = setup(case)
    result = run("inheritancemodel", ctx, {"filter_mode": "recessive_candidates"})
    if curated is not None:
        assert result == {ids[i] for i in curated}
    assert result == oracle(case, ids, "recessive_candidates")


def test_transcripts_outside_the_inclusion_regex_do_not_place_an_allele_in_a_gene():
    ctx, _ = setup(((["AR"], [""], [""]), [(["GENE1"], [HET, None, None])]))
    for a in ctx.alleles.values():
        for t in a.annotation["transcripts"]:
            t["transcript"] = "ENST0001"
    assert run("inheritancemodel", ctx, {"filter_mode": "recessive_non_candidates"}) == set()
