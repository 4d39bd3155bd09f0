"""filterconfigs.json: our schema after ELLA's format, regexes, duplicates, frequency groups vs config."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ella_app.config.loader import load_config_file
from ella_app.errors import InputError
from ella_app.formats.filterconfigs import check_frequency_groups, read_filterconfigs
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
