"""usergroups.json: schema (types, unknown keys), duplicates, --name selection, defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ella_app.errors import InputError, InputErrors
from ella_app.formats.usergroups import PanelRef, read_usergroups
from tests.conftest import DEMO_FIXTURES


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "usergroups.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_demo_file():
    groups = {g.name: g for g in read_usergroups(DEMO_FIXTURES / "usergroups.json")}
    assert set(groups) == {"testgroup01", "testgroup02", "testgroup03"}
    assert groups["testgroup01"].genepanels == (PanelRef("HBOC", "v1.0.0"), PanelRef("Cardio"))
    assert groups["testgroup01"].import_groups == ("testgroup01", "testgroup03")
    assert groups["testgroup02"].import_groups == ("testgroup02",)  # defaults to its own name
    assert groups["testgroup01"].config["acmg"]["genes"]["1101"]["disease_mode"] == "LOF"
    assert groups["testgroup01"].line == 2
    for group in groups.values():  # the demo: finalizing needs every variant shown classified (or T / NR)
        assert group.config["workflows"]["analysis"]["finalize_requirements"]["allow_unclassified"] is False


def test_absent_keys_stay_absent(tmp_path):
    [group] = read_usergroups(write(tmp_path, [{"name": "g"}]))
    assert group.genepanels is None and group.config is None and not group.has_default_import_genepanel


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ({"name": "g", "genepanel": [["HBOC"]]}, "0.genepanel", "unknown key"),
        ({"name": 5}, "0.name", "is not of type 'string'"),
        ({"genepanels": []}, "0.name", "missing required key"),
        ({"name": "g", "genepanels": [["HBOC", "1.0"]]}, "0.genepanels.0.1", "does not match"),
        ({"name": "g", "genepanels": [["HBOC", "v1", "x"]]}, "0.genepanels.0", "too long"),
        ({"name": "g", "config": []}, "0.config", "is not of type 'object'"),
        ({"name": "g", "config": {"acmg": {"disease_mode": "SOME"}}}, "0.config.acmg.disease_mode", "SOME"),
        ({"name": "g", "config": {"overview": {"views": ["everything"]}}}, "0.config.overview.views.0", "everything"),
        ({"name": "g", "import_groups": "g"}, "0.import_groups", "is not of type 'array'"),
        (
            {
                "name": "g",
                "config": {"workflows": {"analysis": {"finalize_requirements": {"allow_unclassified": "no"}}}},
            },
            "0.config.workflows.analysis.finalize_requirements.allow_unclassified",
            "is not of type 'boolean'",
        ),
        (
            {
                "name": "g",
                "config": {"workflows": {"allele": {"finalize_requirements": {"workflow_status": ["Done"]}}}},
            },
            "0.config.workflows.allele.finalize_requirements.workflow_status.0",
            "Done",
        ),
    ],
)
def test_schema_errors_name_key_and_line(tmp_path, entry, key, words):
    path = write(tmp_path, [entry])
    with pytest.raises(InputError) as info:
        read_usergroups(path)
    error = info.value
    assert (error.source, error.line, error.key) == (str(path), 2, key), error.message
    assert words in error.message


def test_malformed_json_names_line(tmp_path):
    path = tmp_path / "usergroups.json"
    path.write_text('[\n  {"name": "g",}\n]\n')
    with pytest.raises(InputError) as info:
        read_usergroups(path)
    assert info.value.line == 2 and "invalid JSON" in info.value.message


def test_duplicate_names(tmp_path):
    path = write(tmp_path, [{"name": "g"}, {"name": "h"}, {"name": "g"}])
    with pytest.raises(InputError) as info:
        read_usergroups(path)
    assert info.value.key == "2.name" and "defined twice" in info.value.message and "line 2" in info.value.message


def test_bad_deposit_pattern(tmp_path):
    config = {"deposit": {"analysis": [{"pattern": "(unclosed"}]}}
    with pytest.raises(InputError) as info:
        read_usergroups(write(tmp_path, [{"name": "g", "config": config}]))
    assert info.value.key == "0.config.deposit.analysis.0.pattern"


def test_names_select_and_must_exist(tmp_path):
    path = write(tmp_path, [{"name": "a"}, {"name": "b"}])
    assert [g.name for g in read_usergroups(path, ("b",))] == ["b"]
    with pytest.raises(InputError) as info:
        read_usergroups(path, ("b", "c"))
    assert "not in the file: c" in info.value.message


def test_several_problems_at_once(tmp_path):
    with pytest.raises(InputErrors) as info:
        read_usergroups(write(tmp_path, [{"name": 1}, {"name": "x", "extra": True}]))
    assert [e.key for e in info.value.errors] == ["0.name", "1.extra"]
