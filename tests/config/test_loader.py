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
