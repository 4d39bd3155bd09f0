"""filterconfigs.json: our schema after ELLA's format, regexes, duplicates, frequency groups vs config."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ella_app.config.loader import load_config_file
from ella_app.errors import InputError
from ella_app.formats.filterconfigs import check_frequency_groups, filterconfig_problems, read_filterconfigs
from tests.conftest import DEMO_FIXTURES, EXAMPLE_CONFIG

DEMO = json.loads((DEMO_FIXTURES / "filterconfigs.json").read_text())
BASIC = {
    "name": "basic",
    "usergroups": [{"name": "g", "order": 0}],
    "requirements": [],
    "filterconfig": {"filters": [{"name": "consequence", "config": {"consequences": ["intron_variant"]}}]},
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "filterconfigs.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def with_change(change) -> dict:
    entry = copy.deepcopy(BASIC)
    change(entry)
    return entry


def test_demo_file_uses_many_filter_types_and_matches_the_example_config():
    entries = read_filterconfigs(DEMO_FIXTURES / "filterconfigs.json")
    names = {f["name"] for e in entries for f in e.filterconfig["filters"]}
    assert {
        "frequency",
        "consequence",
        "region",
        "quality",
        "classification",
        "inheritancemodel",
        "gene",
        "segregation",
    } <= names
    assert any(r["params"].get("is_trio") for e in entries for r in e.requirements)
    config = load_config_file(EXAMPLE_CONFIG, {})
    check_frequency_groups(entries, config["frequencies"]["groups"], "demo")


def test_requirements_default_to_empty(tmp_path):
    entry = {k: v for k, v in BASIC.items() if k != "requirements"}
    assert read_filterconfigs(write(tmp_path, [entry]))[0].requirements == []


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda e: e.update(colour="red"), "0.colour", "unknown key"),
        (lambda e: e.pop("usergroups"), "0.usergroups", "missing required"),
        (lambda e: e["usergroups"][0].update(order=-1), "0.usergroups.0.order", "minimum"),
        (lambda e: e["usergroups"][0].update(order="1"), "0.usergroups.0.order", "not of type 'integer'"),
        (lambda e: e["filterconfig"]["filters"][0].update(name="magic"), "0.filterconfig.filters.0.name", "magic"),
        (
            lambda e: e["filterconfig"]["filters"][0]["config"].update(genepanel=True),
            "0.filterconfig.filters.0.config.genepanel",
            "unknown key",
        ),
        (
            lambda e: e.update(requirements=[{"function": "sample", "params": {"is_trio": True}}]),
            "0.requirements.0.function",
            "'analysis' was expected",
        ),
        (
            lambda e: e.update(requirements=[{"function": "analysis", "params": {"is_trio": "yes"}}]),
            "0.requirements.0.params.is_trio",
            "not of type 'boolean'",
        ),
        (
            lambda e: e["filterconfig"]["filters"].append(
                {"name": "inheritancemodel", "config": {"filter_mode": "dominant"}}
            ),
            "0.filterconfig.filters.1.config.filter_mode",
            "dominant",
        ),
        (
            lambda e: e["filterconfig"]["filters"][0].update(
                exceptions=[{"name": "classification", "config": {"classes": "5"}}]
            ),
            "0.filterconfig.filters.0.exceptions.0.config.classes",
            "not of type 'array'",
        ),
    ],
)
def test_schema_errors(tmp_path, change, key, words):
    path = write(tmp_path, [with_change(change)])
    with pytest.raises(InputError) as info:
        read_filterconfigs(path)
    assert (info.value.line, info.value.key) == (2, key), info.value.message
    assert words in info.value.message and str(path) in info.value.message


def test_regular_expressions_must_compile(tmp_path):
    entry = with_change(lambda e: e.update(requirements=[{"function": "analysis", "params": {"name": "(x"}}]))
    with pytest.raises(InputError) as info:
        read_filterconfigs(write(tmp_path, [entry]))
    assert info.value.key == "0.requirements.0.params.name" and "regular expression" in info.value.message


def test_duplicates(tmp_path):
    with pytest.raises(InputError) as info:
        read_filterconfigs(write(tmp_path, [BASIC, BASIC]))
    assert info.value.key == "1.name" and "defined twice" in info.value.message
    twice = with_change(lambda e: e["usergroups"].append({"name": "g", "order": 3}))
    with pytest.raises(InputError) as info:
        read_filterconfigs(write(tmp_path, [twice]))
    assert "'g' is listed twice" in info.value.message


def test_frequency_groups_must_be_configured(tmp_path):
    frequency = {
        "groups": {"external": {"EXAC": ["G"], "GNOMAD_GENOMES": ["MARS"]}},
        "thresholds": {"AD": {}, "default": {}},
    }
    entry = with_change(lambda e: e["filterconfig"]["filters"].append({"name": "frequency", "config": frequency}))
    entries = read_filterconfigs(write(tmp_path, [entry]))
    groups = load_config_file(EXAMPLE_CONFIG, {})["frequencies"]["groups"]
    with pytest.raises(InputError) as info:
        check_frequency_groups(entries, groups, "f.json")
    text = info.value.message
    assert "'EXAC' is not in frequencies.groups.external" in text and "MARS" in text


def test_frequency_thresholds_need_default(tmp_path):
    entry = with_change(
        lambda e: e["filterconfig"]["filters"].append(
            {"name": "frequency", "config": {"groups": {}, "thresholds": {"AD": {"external": 0.1}}}}
        )
    )
    with pytest.raises(InputError) as info:
        read_filterconfigs(write(tmp_path, [entry]))
    assert info.value.key == "0.filterconfig.filters.1.config.thresholds.default"


# ------------------------------------------------------------------------------------------ every documented form

FREQUENCY_DOC = {  # ELLA docs/technical/filtering.md, "Frequency filter"
    "groups": {
        "external": {"GNOMAD_GENOMES": ["G"], "GNOMAD_EXOMES": ["G"]},
        "internal": {"inDB": ["OUSWES"]},
    },
    "num_thresholds": {"GNOMAD_GENOMES": {"G": 5000}, "GNOMAD_EXOMES": {"G": 5000}},
    "thresholds": {"AD": {"external": 0.005, "internal": 0.05}, "default": {"external": 0.01, "internal": 0.05}},
}

ACCEPTED = [
    # classification: classes, exclude_outdated
    ("classification", {"classes": ["1", "2"], "exclude_outdated": True}),
    ("classification", {"classes": ["3", "4", "5"]}),
    # consequence: consequences, genepanel_only
    ("consequence", {"genepanel_only": False, "consequences": ["synonymous_variant", "stop_retained_variant"]}),
    ("consequence", {"consequences": ["splice_polypyrimidine_tract_variant", "initiator_codon_variant"]}),
    # external: the docs' example, and each key alone
    (
        "external",
        {
            "clinvar": {"num_stars": [">=", 2], "combinations": [["pathogenic", ">", "benign"]], "inverse": False},
            "hgmd": {"tags": ["DM", "DM?"], "inverse": False},
        },
    ),
    ("external", {"clinvar": {"num_stars": ["==", 4]}}),
    (
        "external",
        {"clinvar": {"combinations": [["benign", ">", 5], ["pathogenic", "==", 0], ["benign", ">", "uncertain"]]}},
    ),
    ("external", {"clinvar": {"inverse": True}}),
    ("external", {"hgmd": {"tags": [None]}}),
    ("external", {"hgmd": {"tags": ["FP", "DM", "DFP", "R", "DP", "DM?", None], "inverse": True}}),
    ("external", {}),
    # frequency: the docs' example, per-population num_thresholds, gene overrides (with their own numbers)
    ("frequency", FREQUENCY_DOC),
    ("frequency", {**FREQUENCY_DOC, "genes": {"1101": {"thresholds": {"external": 0.5, "internal": 0.7}}}}),
    (
        "frequency",
        {
            **FREQUENCY_DOC,
            "genes": {"1101": {"thresholds": {"external": 0.5}, "num_thresholds": {"GNOMAD_GENOMES": {"G": 100}}}},
        },
    ),
    ("frequency", {"groups": {"external": {"GNOMAD_EXOMES": ["G", "NFE"]}}, "thresholds": {"AD": {}, "default": {}}}),
    # gene: genes, mode, inverse
    ("gene", {"genes": [1100, 1101], "mode": "all"}),
    ("gene", {"genes": [1100, 1101], "mode": "one", "inverse": True}),
    ("gene", {"genes": [1101]}),
    # inheritancemodel: both modes
    ("inheritancemodel", {"filter_mode": "recessive_non_candidates"}),
    ("inheritancemodel", {"filter_mode": "recessive_candidates"}),
    # ppy
    ("ppy", {"ppy_tract_region": [-20, -3]}),
    # quality: the docs' two examples and each criterion alone
    ("quality", {"qual": 100, "allele_ratio": 0.25, "filter_status": {"pattern": "PASS", "inverse": True}}),
    ("quality", {"filter_status": {"pattern": ".*VQSRTranche.*", "filter_empty": True}}),
    ("quality", {"qual": 100}),
    ("quality", {"allele_ratio": 0.3}),
    # region
    ("region", {"splice_region": [-12, 10], "utr_region": [-10, 5]}),
    ("region", {"splice_region": [0, 0], "utr_region": [0, 0]}),
    # segregation: the docs' example and its variants
    (
        "segregation",
        {
            "denovo": {"enable": True, "gq_threshold": {"proband": 20, "mother": 20, "father": 20}},
            "compound_heterozygous": {"enable": True},
            "recessive_homozygous": {"enable": True},
            "no_coverage_parents": {"enable": True},
            "parental_mosaicism": {"enable": False},
        },
    ),
    (
        "segregation",
        {
            k: {"enable": False}
            for k in (
                "denovo",
                "compound_heterozygous",
                "recessive_homozygous",
                "no_coverage_parents",
                "parental_mosaicism",
            )
        },
    ),
    # size and callertype
    ("size", {"threshold": 10000, "mode": ">"}),
    ("size", {"threshold": 0, "mode": "=="}),
    ("callertype", {"callerTypes": ["cnv"]}),
    ("callertype", {"callerTypes": ["snv", "cnv"]}),
]


@pytest.mark.parametrize(("name", "config"), ACCEPTED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ACCEPTED)])
def test_every_documented_form_is_accepted_by_file_and_engine(tmp_path, name, config):
    """ELLA's documented forms (docs/technical/filtering.md, filterconfig_v3.json, the filters' docstrings):
    'filterconfigs update' reads them, the engine's validator agrees, as a filter and as an exception."""
    filterconfig = {
        "filters": [
            {"name": name, "config": config},
            {"name": "classification", "config": {"classes": ["5"]}, "exceptions": [{"name": name, "config": config}]},
        ]
    }
    entry = with_change(lambda e: e.update(filterconfig=filterconfig))
    assert read_filterconfigs(write(tmp_path, [entry]))[0].filterconfig == filterconfig
    assert filterconfig_problems(filterconfig) == []


REFUSED = [
    # name, config, key under the filter, words
    ("nope", {}, "name", "unknown filter 'nope'"),
    ("inheritance_model", {"filter_mode": "recessive_candidates"}, "name", "unknown filter 'inheritance_model'"),
    (
        "frequency",
        {**FREQUENCY_DOC, "num_thresholds": {"GNOMAD_GENOMES": 5000}},
        "config.num_thresholds.GNOMAD_GENOMES",
        "not of type 'object'",
    ),
    (
        "frequency",
        {**FREQUENCY_DOC, "thresholds": {"default": {"external": 0.01}}},
        "config.thresholds.AD",
        "missing required key(s): AD",
    ),
    (
        "frequency",
        {**FREQUENCY_DOC, "thresholds": {**FREQUENCY_DOC["thresholds"], "AR": {}}},
        "config.thresholds.AR",
        "unknown key(s): AR",
    ),
    (
        "frequency",
        {**FREQUENCY_DOC, "thresholds": {"AD": {"external": 2}, "default": {}}},
        "config.thresholds.AD.external",
        "greater than the maximum of 1",
    ),
    (
        "frequency",
        {"groups": {"external": {"X": ["G"]}}, "thresholds": {"AD": {"internal": 0.1}, "default": {}}},
        "config.thresholds.AD.internal",
        "which 'groups' does not define",
    ),
    ("frequency", {**FREQUENCY_DOC, "genes": {"BRCA2": {"thresholds": {}}}}, "config.genes", "does not match"),
    ("external", {"clinvar": {"num_stars": [2, 3, 4]}}, "config.clinvar.num_stars", "is too long"),
    ("external", {"clinvar": {"num_stars": [">=", 5]}}, "config.clinvar.num_stars.1", "maximum of 4"),
    (
        "external",
        {"clinvar": {"combinations": [["pathogenic", "~", "benign"]]}},
        "config.clinvar.combinations.0.1",
        "is not one of",
    ),
    (
        "external",
        {"clinvar": {"combinations": [["likely", ">", 1]]}},
        "config.clinvar.combinations.0.0",
        "is not one of",
    ),
    (
        "external",
        {"clinvar": {"combinations": [["benign", ">", -1]]}},
        "config.clinvar.combinations.0.2",
        "is not valid under any",
    ),
    ("external", {"hgmd": {"tags": ["XX"]}}, "config.hgmd.tags.0", "is not one of"),
    ("external", {"hgmd": {"tags": []}}, "config.hgmd.tags", "should be non-empty"),
    ("external", {"hgmd": {"inverse": True}}, "config.hgmd.tags", "missing required key(s): tags"),
    ("ppy", {"ppy_tract_region": [-20, 3]}, "config.ppy_tract_region.1", "maximum of -1"),
    ("ppy", {"ppy_tract_region": [-3, -20]}, "config.ppy_tract_region", "from <= to"),
    ("ppy", {}, "config.ppy_tract_region", "missing required"),
    # ELLA's docs show utr_region [10, 5], which ELLA's own schema refuses (upstream must be <= 0)
    ("region", {"splice_region": [-12, 10], "utr_region": [10, 5]}, "config.utr_region.0", "maximum of 0"),
    ("region", {"splice_region": [-12, 10]}, "config.utr_region", "missing required"),
    ("quality", {}, "config", "should be non-empty"),
    ("quality", {"filter_status": {"pattern": "(x"}}, "config.filter_status.pattern", "invalid regular expression"),
    ("quality", {"filter_status": {"inverse": True}}, "config.filter_status.pattern", "missing required"),
    (
        "segregation",
        {"denovo": {"enable": True}},
        "config.no_coverage_parents",
        "missing required key(s): no_coverage_parents",
    ),
    (
        "segregation",
        {
            k: {"enable": True}
            for k in (
                "denovo",
                "compound_heterozygous",
                "recessive_homozygous",
                "no_coverage_parents",
                "parental_mosaicism",
            )
        }
        | {"denovo": {"enable": True, "gq_threshold": {"proband": 20}}},
        "config.denovo.gq_threshold.mother",
        "missing required",
    ),
    ("gene", {"genes": ["BRCA2"]}, "config.genes.0", "not of type 'integer'"),
    ("gene", {"genes": [1], "mode": "some"}, "config.mode", "is not one of"),
    ("size", {"threshold": 1000}, "config.mode", "missing required"),
    ("callertype", {"callerTypes": []}, "config.callerTypes", "should be non-empty"),
    ("classification", {"classes": ["5", "5"]}, "config.classes", "non-unique"),
    ("consequence", {"consequences": ["bad_variant"]}, "config.consequences.0", "is not one of"),
]


@pytest.mark.parametrize(
    ("name", "config", "key", "words"), REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)]
)
def test_bad_forms_are_refused_with_key_and_reason(tmp_path, name, config, key, words):
    for place, prefix in (
        ("filter", "0.filterconfig.filters.1"),
        ("exception", "0.filterconfig.filters.0.exceptions.0"),
    ):
        spec = {"name": name, "config": config}
        entry = copy.deepcopy(BASIC)
        if place == "filter":
            entry["filterconfig"]["filters"].append(spec)
        else:
            entry["filterconfig"]["filters"][0]["exceptions"] = [spec]
        path = write(tmp_path, [entry])
        with pytest.raises(InputError) as info:
            read_filterconfigs(path)
        found = getattr(info.value, "errors", [info.value])
        assert any(e.key == f"{prefix}.{key}" and words in e.message and e.line == 2 for e in found), [
            e.message for e in found
        ]
        engine = filterconfig_problems(entry["filterconfig"])
        assert any(k == f"{prefix.split('.', 2)[2]}.{key}" and words in reason for k, reason in engine), engine
