"""What the rules read about an allele: gene-panel values from the group's acmg config, the frequency
commonness, the one panel transcript.

Mirrors ELLA src/datalayer/tests/test_acmgconfig.py (the resolver of gene values) and the commonness part of
src/datalayer/tests/test_frequencyfilter.py (``get_commonness_groups``, which ELLA's ACMG data loader uses
for REQ_hi_freq/REQ_less_common/REQ_no_freq). ELLA's tests run on a database; the same configs and
annotations are given here directly.
"""

from __future__ import annotations

from typing import Any

import pytest

from ella_app.formats.acmg_config import AcmgSettings, Cutoffs, FrequencySettings, GeneOverride, parse_acmg_config
from ella_app.services.acmg.facts import ReferenceEvaluation, allele_data, commonness, genepanel_facts, in_last_exon
from ella_app.services.filters.context import PanelData, PanelTranscript


def transcript(name: str, gene: int, inheritance: str, chromosome: str = "1") -> PanelTranscript:
    return PanelTranscript(
        name, gene, f"G{gene}", chromosome, 1000, 1500, "+", 1230, 1430, (1100,), (1460,), inheritance
    )


# ------------------------------------------------------------------------------------------ test_acmgconfig.py


def _thresholds(values: dict[str, dict[str, float]]) -> dict[str, Cutoffs]:
    return {group: Cutoffs(v["hi_freq_cutoff"], v["lo_freq_cutoff"]) for group, v in values.items()}


ELLA_THRESHOLDS = {
    "AD": {
        "external": {"hi_freq_cutoff": 0.123, "lo_freq_cutoff": 0.321},
        "internal": {"hi_freq_cutoff": 0.456, "lo_freq_cutoff": 0.654},
    },
    "default": {
        "external": {"hi_freq_cutoff": 0.789, "lo_freq_cutoff": 0.987},
        "internal": {"hi_freq_cutoff": 0.147, "lo_freq_cutoff": 0.741},
    },
}
GROUPS = {"external": {"ExAC": ("G",)}, "internal": {"inDB": ("OUSWES",)}}
HBOCUTV = PanelData("HBOCUTV", "v1.0.0", [transcript("NM_000059.3", 1101, "AD", "13")])


def test_resolver_uses_acmgconfig_defined_cutoffs():
    """Mirrors ELLA src/datalayer/tests/test_acmgconfig.py::test_resolver_uses_acmgconfig_defined_cutoffs.

    ELLA's test passes made-up disease modes (TEST_ANY …) to see them come through; the settings are built
    directly here because our config check refuses such values (see test_acmg_config.py).
    """
    thresholds = {mode: _thresholds(v) for mode, v in ELLA_THRESHOLDS.items()}
    settings = AcmgSettings(FrequencySettings(GROUPS, thresholds, {}), "TEST_ANY", "TEST_LEI")
    props = genepanel_facts(settings, HBOCUTV, 1502)  # a gene outside the panel: 'default'
    for group in ("external", "internal"):
        for cutoff in ("hi_freq_cutoff", "lo_freq_cutoff"):
            assert props["freq_cutoffs"][group][cutoff] == ELLA_THRESHOLDS["default"][group][cutoff]
    assert props["disease_mode"] == "TEST_ANY"
    assert props["last_exon_important"] == "TEST_LEI"

    gene_thresholds = {
        "external": {"hi_freq_cutoff": 0.55, "lo_freq_cutoff": 0.45},
        "internal": {"hi_freq_cutoff": 0.33, "lo_freq_cutoff": 0.22},
    }
    override = GeneOverride(
        _thresholds(gene_thresholds),
        None,
        {"inheritance": "GENELEVEL_AD", "disease_mode": "GENELEVEL_ANY", "last_exon_important": "GENELEVEL_LEI"},
    )
    settings = AcmgSettings(
        FrequencySettings(GROUPS, thresholds, {}), "PANELLEVEL_ANY", "PANELLEVEL_LEI", {1101: override}
    )
    props = genepanel_facts(settings, HBOCUTV, 1101)
    for group in ("external", "internal"):
        for cutoff in ("hi_freq_cutoff", "lo_freq_cutoff"):
            assert props["freq_cutoffs"][group][cutoff] == gene_thresholds[group][cutoff]
    assert props["disease_mode"] == "GENELEVEL_ANY"
    assert props["last_exon_important"] == "GENELEVEL_LEI"
    assert props["inheritance"] == "GENELEVEL_AD"


def test_resolver_inheritance_and_ad_thresholds():
    """ELLA's resolver: AD (or AR) when every panel transcript of the gene says so, and AD thresholds for AD."""
    panel = PanelData(
        "p",
        "v1",
        [
            transcript("NM_1AD.1", 100000, "AD"),
            transcript("NM_1AR.1", 200000, "AR"),
            transcript("NM_2.1", 300000, "AD/AR"),
        ],
    )
    thresholds = {mode: _thresholds(v) for mode, v in ELLA_THRESHOLDS.items()}
    settings = AcmgSettings(FrequencySettings(GROUPS, thresholds, {}))
    ad, ar, both = (genepanel_facts(settings, panel, g) for g in (100000, 200000, 300000))
    assert (ad["inheritance"], ad["freq_cutoffs"]["external"]["hi_freq_cutoff"]) == ("AD", 0.123)
    assert (ar["inheritance"], ar["freq_cutoffs"]["external"]["hi_freq_cutoff"]) == ("AR", 0.789)
    assert "inheritance" not in both and both["freq_cutoffs"]["external"]["hi_freq_cutoff"] == 0.789
    assert genepanel_facts(settings, panel, None) == {
        "disease_mode": "ANY",
        "last_exon_important": "LEI",
        "freq_cutoffs": ELLA_THRESHOLDS["default"],
    }


# ------------------------------------------------------------------------------------------ test_frequencyfilter.py

GLOBAL_GROUPS = {
    "external": {"ExAC": ("G", "FIN"), "1000g": ("G",), "esp6500": ("AA", "EA")},
    "internal": {"internalDB": ("AF",)},
}
COMMONNESS_CONFIG = {
    "frequency": {
        "groups": {"external": {"ExAC": ["G", "FIN"], "1000g": ["G"]}, "internal": {"internalDB": ["AF"]}},
        "thresholds": {
            "AD": {
                "external": {"hi_freq_cutoff": 0.005, "lo_freq_cutoff": 0.001},
                "internal": {"hi_freq_cutoff": 0.05, "lo_freq_cutoff": 0.01},
            },
            "default": {
                "external": {"hi_freq_cutoff": 0.3, "lo_freq_cutoff": 0.1},
                "internal": {"hi_freq_cutoff": 0.05, "lo_freq_cutoff": 0.01},
            },
        },
        "num_thresholds": {"ExAC": {"G": 2000, "FIN": 2000}},
    },
    "genes": {
        "300000": {
            "frequency": {
                "thresholds": {
                    "external": {"hi_freq_cutoff": 0.5, "lo_freq_cutoff": 0.1},
                    "internal": {"hi_freq_cutoff": 0.7, "lo_freq_cutoff": 0.6},
                }
            }
        }
    },
}
TESTPANEL = PanelData(
    "testpanel",
    "v01",
    [
        transcript("NM_1AD.1", 100000, "AD"),
        transcript("NM_1AR.1", 200000, "AR"),
        transcript("NM_2.1", 300000, "AD/AR", "2"),
    ],
)
GENE = {
    "GENE1AD": {"symbol": "GENE1AD", "hgnc_id": 100000, "transcript": "NM_1AD.1", "exon_distance": 0},
    "GENE1AR": {"symbol": "GENE1AR", "hgnc_id": 200000, "transcript": "NM_1AR.1", "exon_distance": 0},
    "GENE2": {"symbol": "GENE2", "hgnc_id": 300000, "transcript": "NM_2.1", "exon_distance": 0},
    "NONE": {"symbol": "DOESNT_EXIST", "hgnc_id": 100, "transcript": "DOESNT_EXIST", "exon_distance": 0},
}


def group_of(frequencies: dict[str, Any], *genes: dict[str, Any]) -> str | None:
    settings = parse_acmg_config(COMMONNESS_CONFIG, GLOBAL_GROUPS)
    annotation = {"frequencies": frequencies, "transcripts": list(genes)}
    data = allele_data(1, annotation, None, settings, TESTPANEL)
    return data["frequencies"].get("commonness")


@pytest.mark.parametrize(
    ("frequencies", "genes", "expected"),
    [
        # common: GENE1AD external 0.005/0.001
        ({"ExAC": {"freq": {"G": 0.0051}, "num": {"G": 9000}}}, ["GENE1AD"], "common"),
        # less_common: GENE1AR (default) external 0.3/0.1
        ({"ExAC": {"freq": {"G": 0.25}, "num": {"G": 9000}}}, ["GENE1AR"], "less_common"),
        # a gene outside the panel: default
        ({"ExAC": {"freq": {"G": 0.001}, "num": {"G": 9000}}}, ["NONE"], "low_freq"),
        ({}, ["NONE"], "null_freq"),
        # gene override for GENE2: 0.5/0.1
        ({"ExAC": {"freq": {"G": 0.3}, "num": {"G": 9000}}}, ["GENE2"], "less_common"),
        # an allele in GENE2 (override) and GENE1AD: the override wins
        ({"ExAC": {"freq": {"G": 0.006}, "num": {"G": 9000}}}, ["GENE2", "GENE1AD"], "low_freq"),
    ],
)
def test_commonness_groups(frequencies, genes, expected):
    """Mirrors ELLA src/datalayer/tests/test_frequencyfilter.py::TestFrequencyFilter::test_commonness
    (the commonness groups: a1ad, a1ar, a1nogene, a1nofreq, a1g2, a1adg2)."""
    assert group_of(frequencies, *(GENE[g] for g in genes)) == expected


@pytest.mark.parametrize(
    ("frequencies", "gene", "expected"),
    [
        # below the num threshold, one source
        ({"ExAC": {"freq": {"G": 0.0051}, "num": {"G": 1999}}}, GENE["GENE1AD"], "num_threshold"),
        # two populations, one below and one at the threshold
        (
            {
                "ExAC": {"freq": {"G": 0.0051, "FIN": 0.0051}, "num": {"G": 1999, "FIN": 2000}},
                "1000g": {"freq": {"G": 0.01}},
            },
            GENE["GENE1AD"],
            "common",
        ),
        # one below, one without num threshold
        (
            {"ExAC": {"freq": {"G": 0.0051}, "num": {"G": 1999}}, "1000g": {"freq": {"G": 0.01}}},
            GENE["GENE1AD"],
            "common",
        ),
        # GENE2's transcript with another hgnc id: common either way
        ({"ExAC": {"freq": {"G": 0.6}, "num": {"G": 2001}}}, {**GENE["GENE2"], "hgnc_id": 1234}, "common"),
    ],
)
def test_commonness_num_thresholds(frequencies, gene, expected):
    """Mirrors ELLA src/datalayer/tests/test_frequencyfilter.py::TestFrequencyFilter::test_commonness
    (num thresholds: anum1 … anum4)."""
    assert group_of(frequencies, gene) == expected


@pytest.mark.parametrize(
    ("frequencies", "expected"),
    [
        ({"ExAC": {"freq": {"G": 0.0051}, "num": {"G": 9000}}, "1000g": {"freq": {"G": 0.0001}}}, "common"),
        ({"ExAC": {"freq": {"G": 0.002}, "num": {"G": 9000}}, "1000g": {"freq": {"G": 0.0001}}}, "less_common"),
        ({"ExAC": {"freq": {"G": 0.0001}, "num": {"G": 9000}}}, "low_freq"),
    ],
)
def test_commonness_ordering(frequencies, expected):
    """Mirrors ELLA src/datalayer/tests/test_frequencyfilter.py::TestFrequencyFilter::test_commonness
    (ordering: an allele is in the highest group only: a2common, a2less_common, a2low_freq)."""
    assert group_of(frequencies, GENE["GENE1AD"]) == expected


def test_no_commonness_without_thresholds():
    settings = parse_acmg_config({"disease_mode": "LOF"}, GLOBAL_GROUPS)
    assert commonness({"frequencies": {}}, set(), settings, TESTPANEL) is None
    assert allele_data(1, {}, None, settings, TESTPANEL)["frequencies"] == {}


# ------------------------------------------------------------------------------------------ transcript, references


@pytest.mark.parametrize(
    ("tx", "expected"),
    [
        ({"exon": "27/27"}, "yes"),
        ({"exon": "26/27"}, "no"),
        ({"intron": "2/26"}, "no"),
        ({"exon": "26-27/27"}, "no"),
        ({"exon": "3/27", "in_last_exon": "yes"}, "yes"),
    ],
)
def test_in_last_exon(tx, expected):
    """As ELLA's VEP converter: src/vardb/deposit/annotationconverters/tests/test_vepconverter.py::
    test_get_is_last_exon."""
    assert in_last_exon(tx) == expected


def test_allele_data_takes_the_one_panel_transcript_and_its_gene():
    settings = parse_acmg_config({"genes": {"300000": {"disease_mode": "MISS", "comment": "note"}}}, GLOBAL_GROUPS)
    annotation = {
        "transcripts": [
            {
                "transcript": "NM_2.2",
                "consequences": ["missense_variant"],
                "exon": "4/4",
            },  # version differs: still ours
            {"transcript": "ENST1", "hgnc_id": 5, "consequences": ["intron_variant"]},
        ],
        "external": {"A": {"x": 1}},
    }
    custom = {"prediction": {"domain": "critical_site"}, "external": {"B": 2}}
    refs = [ReferenceEvaluation(7, 3, {"ref_segregation": "segr"})]
    data = allele_data(7, annotation, custom, settings, TESTPANEL, refs)
    assert data["transcript"]["transcript"] == "NM_2.2"
    assert data["transcript"]["in_last_exon"] == "yes" and data["transcript"]["hgnc_id"] == 300000
    assert data["genepanel"] == {"disease_mode": "MISS", "last_exon_important": "LEI", "comment": "note"}
    assert data["prediction"] == {"domain": "critical_site"}
    assert data["external"] == {"A": {"x": 1}, "B": 2}
    assert data["refassessment"] == {"7_3": {"ref_segregation": "segr"}}
    assert annotation["external"] == {"A": {"x": 1}}  # the loaded annotation is not changed


def test_two_panel_transcripts_give_no_transcript():
    """ELLA's rules need one transcript: with several in the panel there is none (and 'default' gene values)."""
    settings = parse_acmg_config({}, GLOBAL_GROUPS)
    annotation = {"transcripts": [{"transcript": "NM_1AD.1"}, {"transcript": "NM_1AR.1"}]}
    data = allele_data(1, annotation, None, settings, TESTPANEL)
    assert data["transcript"] is None and "inheritance" not in data["genepanel"]
