"""Conformance: the ``frequency`` filter.

Mirrors ELLA src/datalayer/tests/test_frequencyfilter.py::TestFrequencyFilter: ``test_frequency_filtering``
(its positive and negative cases) and, of ``test_commonness``, what decides filtering: the "common" group
(at or above the filter threshold), with the same panel (an AD gene, an AR gene, an AD/AR gene with a
gene-specific threshold) and annotations.
"""

from __future__ import annotations

from typing import Any

from tests.filters.builders import allele, context, panel, run, transcript

PANEL = panel(
    transcript("NM_1AD.1", 100000, symbol="GENE1AD", inheritance="AD"),
    transcript("NM_1AR.1", 200000, symbol="GENE1AR", inheritance="AR"),
    transcript("NM_2.1", 300000, symbol="GENE2", chromosome="2", inheritance="AD/AR"),
)

CONFIG = {
    "groups": {"external": {"ExAC": ["G", "FIN"], "1000g": ["G"]}, "internal": {"internalDB": ["AF"]}},
    "thresholds": {"AD": {"external": 0.005, "internal": 0.05}, "default": {"external": 0.3, "internal": 0.05}},
    "num_thresholds": {"ExAC": {"G": 2000, "FIN": 2000}},
    "genes": {"300000": {"thresholds": {"external": 0.5, "internal": 0.7}}},
}


def tx(symbol: str, hgnc_id: int, name: str) -> dict[str, Any]:
    return {"symbol": symbol, "hgnc_id": hgnc_id, "transcript": name, "exon_distance": 0}


AD = tx("GENE1AD", 100000, "NM_1AD.1")
AR = tx("GENE1AR", 200000, "NM_1AR.1")
G2 = tx("GENE2", 300000, "NM_2.1")
NOGENE = tx("DOESNT_EXIST", 102923232, "DOESNT_EXIST")


def exac(g: float, num: int = 9000) -> dict[str, Any]:
    return {"ExAC": {"freq": {"G": g}, "num": {"G": num}}}


def filtered(*cases: tuple[dict[str, Any], list[dict[str, Any]]], config: dict[str, Any] | None = None) -> list[bool]:
    alleles = [allele(annotation={"frequencies": f, "transcripts": t}) for f, t in cases]
    result = run("frequency", context(alleles, panel_data=PANEL), config or CONFIG)
    return [a.id in result for a in alleles]


def test_frequency_filtering():
    """Mirrors ELLA test_frequencyfilter.py::TestFrequencyFilter::test_frequency_filtering."""
    positive = [
        (exac(0.0051), [AD]),  # AD gene: above 0.005
        (exac(0.31), [AR]),  # AR gene: default, above 0.30
        (exac(0.31), [NOGENE]),  # no panel gene: default
        ({"internalDB": {"freq": {"AF": 0.71}}}, [G2]),  # gene override, internal above 0.7
        ({**exac(0.0051), "internalDB": {"freq": {"AF": 0.000001}}}, [AD]),  # external decides
        (exac(0.005), [AD]),  # right on the threshold
        ({"ExAC": {"freq": {"G": 0.5}, "num": {"G": 9000}}}, []),  # no transcripts: default
    ]
    assert filtered(*positive) == [True] * len(positive)
    negative = [
        (exac(0.0049), [AD]),
        (exac(0.2999), [AR]),
        ({"internalDB": {"freq": {"AF": 0.69}}}, [G2]),
        ({}, [AD]),  # no frequency
        ({"ExAC": {"freq": {"G": 0}, "num": {"G": 9000}}}, [AD]),
        ({"ExAC": {"freq": {"G": 0.00001}, "num": {"G": 9000}}}, []),
    ]
    assert filtered(*negative) == [False] * len(negative)


def test_commonness_common_group():
    """Mirrors ELLA test_frequencyfilter.py::TestFrequencyFilter::test_commonness, its "common" group (the
    alleles the filter removes): thresholds by AD gene, default, gene override, several genes."""
    cases = [
        (exac(0.0051), [AD]),  # a1ad: common
        (exac(0.25), [AR]),  # a1ar: less common
        (exac(0.001), [NOGENE]),  # a1nogene: low
        ({}, [NOGENE]),  # a1nofreq: null
        (exac(0.3), [G2]),  # a1g2: below GENE2's 0.5
        (exac(0.006), [G2, AD]),  # a1adg2: GENE2's threshold, not AD's
    ]
    assert filtered(*cases) == [True, False, False, False, False, False]


def test_commonness_num_thresholds():
    """Mirrors the num threshold part of ELLA test_commonness: a frequency counts only when its allele
    number reaches the threshold; another source without a threshold still counts."""
    cases = [
        (exac(0.0051, num=1999), [AD]),  # anum1: below the num threshold
        ({"ExAC": {"freq": {"G": 0.0051, "FIN": 0.0051}, "num": {"G": 1999, "FIN": 2000}}}, [AD]),  # anum2
        ({**exac(0.0051, num=1999), "1000g": {"freq": {"G": 0.01}}}, [AD]),  # anum3
        (exac(0.6, num=2001), [tx("GENE2", 1234, "NM_2.1")]),  # anum4: HGNC id 1234 is no override: default
    ]
    assert filtered(*cases) == [False, True, True, True]


def test_commonness_ordering():
    """Mirrors the ordering part of ELLA test_commonness: one frequency at or above the threshold is enough."""
    cases = [
        ({**exac(0.0051), "1000g": {"freq": {"G": 0.0001}}}, [AD]),
        ({**exac(0.002), "1000g": {"freq": {"G": 0.0001}}}, [AD]),
        (exac(0.0001), [AD]),
    ]
    assert filtered(*cases) == [True, False, False]


def test_ad_means_every_panel_transcript_of_the_gene_is_ad():
    """ELLA's distinct_inheritance_hgnc_ids_for_genepanel: AD thresholds for genes whose panel transcripts
    all say exactly "AD" (not "AD/AR", and phenotypes do not count)."""
    mixed = panel(
        transcript("NM_1AD.1", 100000, inheritance="AD"),
        transcript("NM_1AD.2", 100000, inheritance="AD/AR"),
    )
    a = allele(annotation={"frequencies": exac(0.01), "transcripts": [AD]})
    assert run("frequency", context([a], panel_data=mixed), CONFIG) == set()
    assert run("frequency", context([a], panel_data=PANEL), CONFIG) == {a.id}


def test_gene_override_thresholds_replace_every_group_and_can_bring_num_thresholds():
    """ELLA updates the config with the gene's entry: its thresholds replace both groups (a group it leaves
    out is not checked), its num_thresholds replace the config's when given."""
    config = {**CONFIG, "genes": {"300000": {"thresholds": {"external": 0.5}}}}
    internal_only = allele(annotation={"frequencies": {"internalDB": {"freq": {"AF": 0.99}}}, "transcripts": [G2]})
    assert run("frequency", context([internal_only], panel_data=PANEL), config) == set()
    low_num = allele(annotation={"frequencies": exac(0.6, num=100), "transcripts": [G2]})
    assert run("frequency", context([low_num], panel_data=PANEL), config) == set()
    config["genes"]["300000"]["num_thresholds"] = {"ExAC": {"G": 50}}
    assert run("frequency", context([low_num], panel_data=PANEL), config) == {low_num.id}
