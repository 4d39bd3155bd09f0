"""The ``acmg`` config of a group (or of ella_config.yml): every problem refused with its key named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ella_app.errors import InputError
from ella_app.formats.acmg_config import Cutoffs, check_acmg_config, parse_acmg_config

GROUPS = {
    "external": {"GNOMAD_EXOMES": ("G", "NFE"), "GNOMAD_GENOMES": ("G",)},
    "internal": {"inDB": ("OUSWES",)},
}
GOOD: dict[str, Any] = {
    "frequency": {
        "thresholds": {
            "AD": {
                "external": {"hi_freq_cutoff": 0.005, "lo_freq_cutoff": 0.001},
                "internal": {"hi_freq_cutoff": 0.05, "lo_freq_cutoff": 1.0},
            },
            "default": {
                "external": {"hi_freq_cutoff": 0.01, "lo_freq_cutoff": 1.0},
                "internal": {"hi_freq_cutoff": 0.05, "lo_freq_cutoff": 1.0},
            },
        },
        "num_thresholds": {"GNOMAD_EXOMES": {"G": 5000, "NFE": 5000}},
    },
    "disease_mode": "ANY",
    "last_exon_important": "LEI",
    "genes": {
        "1101": {
            "frequency": {"thresholds": {"external": {"hi_freq_cutoff": 0.008, "lo_freq_cutoff": 0.0005}}},
            "disease_mode": "LOF",
            "last_exon_important": "LENI",
            "comment": "BRCA2",
        }
    },
}


def test_good_config_parses():
    settings = parse_acmg_config(GOOD, GROUPS)
    assert settings.frequency is not None
    assert settings.frequency.thresholds["AD"]["external"] == Cutoffs(0.005, 0.001)
    assert settings.frequency.num_thresholds == {"GNOMAD_EXOMES": {"G": 5000, "NFE": 5000}}
    assert settings.frequency.groups == GROUPS  # default: the application's frequency groups
    assert settings.genes[1101].thresholds == {"external": Cutoffs(0.008, 0.0005)}
    assert settings.genes[1101].values == {"disease_mode": "LOF", "last_exon_important": "LENI", "comment": "BRCA2"}


def test_defaults():
    """ELLA's documented defaults (docs/technical/acmg.md): disease mode ANY, last exon important."""
    settings = parse_acmg_config({}, GROUPS)
    assert (settings.frequency, settings.disease_mode, settings.last_exon_important) == (None, "ANY", "LEI")


def _with(path: str, value: Any) -> dict[str, Any]:
    config = copy.deepcopy(GOOD)
    node = config
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return config


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "key", "words"),
    [
        ("disease_mode", "SOME", "acmg.disease_mode", "'SOME' is not one of ANY, MISS, LOF"),
        ("last_exon_important", True, "acmg.last_exon_important", "is not one of LEI, LENI"),
        ("disease_mod", "ANY", "acmg.disease_mod", "unknown key"),
        ("frequency.thresholds.default", _DELETE, "acmg.frequency.thresholds", "a 'default' entry is required"),
        ("frequency.thresholds.AR", {}, "acmg.frequency.thresholds.AR", "uses AD and default"),
        (
            "frequency.thresholds.AD.external.hi_freq_cutoff",
            5,
            "acmg.frequency.thresholds.AD.external.hi_freq_cutoff",
            "between 0 and 1",
        ),
        (
            "frequency.thresholds.AD.external.hi_freq_cutoff",
            "0.1",
            "acmg.frequency.thresholds.AD.external.hi_freq_cutoff",
            "between 0 and 1",
        ),
        (
            "frequency.thresholds.AD.external.lo_freq_cutoff",
            _DELETE,
            "acmg.frequency.thresholds.AD.external",
            "'lo_freq_cutoff' is required",
        ),
        (
            "frequency.thresholds.AD.exome",
            {"hi_freq_cutoff": 0.1, "lo_freq_cutoff": 0.1},
            "acmg.frequency.thresholds.AD.exome",
            "not a frequency group",
        ),
        # the flat shape of older demo fixtures is not ELLA's: the group level is missing
        (
            "frequency.thresholds.AD",
            {"hi_freq_cutoff": 0.1, "lo_freq_cutoff": 0.01},
            "acmg.frequency.thresholds.AD.hi_freq_cutoff",
            "not a frequency group",
        ),
        (
            "frequency.num_thresholds.EXAC",
            1000,
            "acmg.frequency.num_thresholds.EXAC",
            "'EXAC' is not in frequencies.groups",
        ),
        ("frequency.num_thresholds.GNOMAD_EXOMES", 5000, "acmg.frequency.num_thresholds.GNOMAD_EXOMES", "as in ELLA"),
        (
            "frequency.num_thresholds.GNOMAD_EXOMES.XYZ",
            1,
            "acmg.frequency.num_thresholds.GNOMAD_EXOMES.XYZ",
            "population 'XYZ'",
        ),
        (
            "frequency.num_thresholds.GNOMAD_EXOMES.G",
            -1,
            "acmg.frequency.num_thresholds.GNOMAD_EXOMES.G",
            "whole number",
        ),
        (
            "frequency.groups",
            {"external": {"ExAC": ["G"]}},
            "acmg.frequency.groups.external.ExAC",
            "'ExAC' is not in frequencies.groups.external",
        ),
        ("frequency", [], "acmg.frequency", "must be an object"),
        ("genes.BRCA2", {}, "acmg.genes.BRCA2", "keyed by HGNC id"),
        ("genes.1101.frequency", {"num_thresholds": {}}, "acmg.genes.1101.frequency", "'thresholds' is required"),
        ("genes.1101.disease_mode", "ALL", "acmg.genes.1101.disease_mode", "is not one of ANY, MISS, LOF"),
        ("genes.1101.colour", "red", "acmg.genes.1101.colour", "unknown key"),
        ("genes.1101.comment", 5, "acmg.genes.1101.comment", "must be a string"),
    ],
)
def test_bad_config_names_the_key(path, value, key, words):
    _, errors = check_acmg_config(_with(path, value), GROUPS)
    assert errors, (path, value)
    assert any(e.key == key and words in e.problem for e in errors), [(e.key, e.problem) for e in errors]


def test_all_problems_are_listed():
    config = _with("disease_mode", "SOME")
    config["last_exon_important"] = "X"
    with pytest.raises(InputError) as caught:
        parse_acmg_config(config, GROUPS, source="usergroups.json")
    assert "2 problem(s)" in caught.value.message
    assert (
        "key 'acmg.disease_mode'" in caught.value.message and "key 'acmg.last_exon_important'" in caught.value.message
    )


def test_not_an_object():
    _, errors = check_acmg_config(["ANY"], GROUPS, key="testgroup01.config.acmg")
    assert [(e.key, e.problem) for e in errors] == [("testgroup01.config.acmg", "must be an object")]
