"""ella_config.yml: ELLA's YAML tags, environment variables, schema errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ella_app.config import load_config_file, load_settings
from ella_app.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG


def _example() -> dict:
    return yaml.safe_load(
        EXAMPLE_CONFIG.read_text()
        .replace("!env_int ", "")
        .replace("!env_bool ", "")
        .replace("!env_float ", "")
        .replace("!env ", "")
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ella_config.yml"
    path.write_text(text)
    return path


def test_example_config_is_valid_and_uses_defaults():
    config = load_config_file(EXAMPLE_CONFIG, {})
    assert config["user"]["auth"]["password_expiry_days"] == 90
    assert config["app"]["non_production_warning"] is None


def test_env_tags_read_the_environment():
    env = {"ELLA_PASSWORD_MIN_LENGTH": "16", "ANNOTATION_SERVICE_URL": "http://anno:6000"}
    config = load_config_file(EXAMPLE_CONFIG, env)
    assert config["user"]["auth"]["password_minimum_length"] == 16
    assert config["app"]["annotation_service"] == "http://anno:6000"


def test_env_bool_float_and_required_variable(tmp_path):
    text = EXAMPLE_CONFIG.read_text().replace("links_to_clipboard: true", "links_to_clipboard: !env_bool [CLIP, 'no']")
    config = load_config_file(_write(tmp_path, text), {"CLIP": "yes"})
    assert config["app"]["links_to_clipboard"] is True
    config = load_config_file(_write(tmp_path, text), {})
    assert config["app"]["links_to_clipboard"] is False
    with pytest.raises(ConfigError, match="CLIP='maybe' is not a boolean"):
        load_config_file(_write(tmp_path, text), {"CLIP": "maybe"})
    required = text.replace("!env_bool [CLIP, 'no']", "!env_bool CLIP")
    with pytest.raises(ConfigError, match="CLIP is required"):
        load_config_file(_write(tmp_path, required), {})


def test_env_int_with_bad_value_names_variable():
    with pytest.raises(ConfigError, match="ELLA_PASSWORD_EXPIRY_DAYS='soon' is not a valid int"):
        load_config_file(EXAMPLE_CONFIG, {"ELLA_PASSWORD_EXPIRY_DAYS": "soon"})


def test_file_tag_resolves_relative_to_config(tmp_path):
    (tmp_path / "preimport.sh").write_text("#!/bin/sh\n")
    text = EXAMPLE_CONFIG.read_text().replace("preimport_script: null", "preimport_script: !file preimport.sh")
    config = load_config_file(_write(tmp_path, text), {})
    assert config["import"]["preimport_script"] == str(tmp_path / "preimport.sh")
    missing = text.replace("!file preimport.sh", "!file nope.sh")
    with pytest.raises(ConfigError, match=r"nope\.sh does not exist"):
        load_config_file(_write(tmp_path, missing), {})


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (
            lambda c: c["user"]["auth"].update(password_minimum_length="twelve"),
            "user.auth.password_minimum_length",
            "is not of type 'integer'",
        ),
        (lambda c: c.update(surprise=1), "(top level)", "'surprise' was unexpected"),
        (lambda c: c["user"]["auth"].pop("password_expiry_days"), "user.auth", "'password_expiry_days' is a required"),
        (lambda c: c["classification"].update(options=[]), "classification.options", "should be non-empty"),
    ],
)
def test_schema_errors_name_the_key(tmp_path, mutate, key, problem):
    config = _example()
    mutate(config)
    path = _write(tmp_path, yaml.safe_dump(config))
    with pytest.raises(ConfigError) as info:
        load_config_file(path, {})
    assert f"key '{key}'" in str(info.value) and problem in str(info.value)
    assert str(path) in str(info.value)


def test_yaml_syntax_error_names_line(tmp_path):
    path = _write(tmp_path, "app:\n  links_to_clipboard: [unclosed\nuser: {}\n")
    with pytest.raises(ConfigError, match=r"ella_config.yml, line \d+: invalid YAML"):
        load_config_file(path, {})


def test_settings_need_config_and_db_url():
    with pytest.raises(ConfigError, match="ELLA_CONFIG is not set"):
        load_settings({})
    with pytest.raises(ConfigError, match="DB_URL is not set"):
        load_settings({"ELLA_CONFIG": str(EXAMPLE_CONFIG)})
    settings = load_settings({"ELLA_CONFIG": str(EXAMPLE_CONFIG), "DB_URL": "postgresql://x/y", "IGV_DATA": "/d"})
    assert settings.path("IGV_DATA") == Path("/d")
    with pytest.raises(ConfigError, match="ANALYSES_PATH is not set"):
        settings.path("ANALYSES_PATH")


def test_cli_config_validate(cli, tmp_path):
    assert cli.ok("config", "validate", str(EXAMPLE_CONFIG)).stdout.strip().endswith(": valid")
    bad = _write(tmp_path, yaml.safe_dump({**_example(), "app": {"annotation_service": 5}}))
    result = cli("config", "validate", str(bad))
    assert result.exit_code == 2 and "key 'app.annotation_service'" in result.stderr


# ------------------------------------------------------------------------------------------ QUICK mode


def test_example_config_gives_ellas_quick_defaults():
    """The QUICK columns, buttons and comments of the example (and demo) config: ELLA's (its ui test data
    src/webui/src/js/store/fixtures/testData.js `analysis.sidebar.quick`, in the per-section form of its
    config.schema.json; comments as its e2e test workflow_sample_classification.js expects them: the evaluation
    for classified variants, the analysis-specific comment for not relevant ones)."""
    quick = load_config_file(EXAMPLE_CONFIG, {})["analysis"]["sidebar"]["quick"]
    assert quick["columns"] == ["qual", "dp", "ratio", "hi-freq", "hi-count", "external"]
    assert quick["classification_options"]["unclassified"] == ["technical", "notrelevant", "classnp", "class2"]
    assert quick["comment_type"]["classified"] == "evaluation"
    assert quick["comment_type"]["not_relevant"] == "analysis"
    role = yaml.safe_load((EXAMPLE_CONFIG.parents[1] / "roles/ella_app/defaults/main.yml").read_text())
    assert role["ella_app_config_defaults"]["analysis"]["sidebar"]["quick"] == quick


def _quick(config: dict) -> dict:
    return config["analysis"]["sidebar"]["quick"]


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (lambda q: q["columns"].append("hi_freq"), "analysis.sidebar.quick.columns.6", "'hi_freq' is not one of"),
        (
            lambda q: q["classification_options"]["unclassified"].append("class5"),
            "analysis.sidebar.quick.classification_options.unclassified.4",
            "'class5' is not one of",
        ),
        (
            lambda q: q["classification_options"].pop("technical"),
            "analysis.sidebar.quick.classification_options",
            "'technical' is a required property",
        ),
        (
            lambda q: q.update(classification_options=["technical"]),
            "analysis.sidebar.quick.classification_options",
            "is not of type 'object'",
        ),
        (
            lambda q: q["classification_options"].update(notrelevant=[]),
            "analysis.sidebar.quick.classification_options",
            "'notrelevant' was unexpected",
        ),
        (
            lambda q: q["comment_type"].update(classified="report"),
            "analysis.sidebar.quick.comment_type.classified",
            "'report' is not one of",
        ),
        (lambda q: q.update(shade_multiple_in_gene="yes"), "analysis.sidebar.quick.shade_multiple_in_gene", "boolean"),
        (lambda q: q.update(buttons=[]), "analysis.sidebar.quick", "'buttons' was unexpected"),
    ],
)
def test_quick_config_errors_name_the_key(tmp_path, cli, mutate, key, problem):
    config = load_config_file(EXAMPLE_CONFIG, {})
    mutate(_quick(config))
    path = _write(tmp_path, yaml.safe_dump(config))
    with pytest.raises(ConfigError) as info:
        load_config_file(path, {})
    assert f"key '{key}'" in str(info.value) and problem in str(info.value)
    result = cli("config", "validate", str(path))
    assert result.exit_code == 2 and f"key '{key}'" in result.stderr


def test_quick_config_without_comments_is_valid(tmp_path):
    """ELLA's comment_type and narrow_comment are optional; null is 'no comment' for a section."""
    config = load_config_file(EXAMPLE_CONFIG, {})
    _quick(config).pop("comment_type")
    _quick(config)["narrow_comment"] = True
    assert "comment_type" not in _quick(load_config_file(_write(tmp_path, yaml.safe_dump(config)), {}))
    _quick(config)["comment_type"] = {"unclassified": None, "classified": None, "not_relevant": None, "technical": None}
    load_config_file(_write(tmp_path, yaml.safe_dump(config)), {})
