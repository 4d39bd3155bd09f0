"""A bad ``acmg`` config or rule file is refused before it goes live: ``ella-cli config validate`` and
``users add_groups`` name the key (and the rule), exit 2, and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ella_app.services.acmg import rules
from tests.conftest import DEMO_FIXTURES, EXAMPLE_CONFIG, Cli, table_snapshot

GROUPS = DEMO_FIXTURES / "usergroups.json"


def _config_with_acmg(tmp_path: Path, acmg: object) -> Path:
    text = EXAMPLE_CONFIG.read_text().replace("  user_config:\n", f"  user_config:\n    acmg: {json.dumps(acmg)}\n", 1)
    path = tmp_path / "ella_config.yml"
    path.write_text(text)
    return path


def test_config_validate_checks_user_config_acmg(cli: Cli, tmp_path):
    good = {
        "disease_mode": "LOF",
        "frequency": {"thresholds": {"default": {"external": {"hi_freq_cutoff": 0.01, "lo_freq_cutoff": 1.0}}}},
    }
    assert cli.ok("config", "validate", str(_config_with_acmg(tmp_path, good))).stdout.strip().endswith(": valid")
    bad = {**good, "disease_mode": "SOMETIMES", "frequency": {"thresholds": {"default": {"exome": {}}}}}
    path = _config_with_acmg(tmp_path, bad)
    result = cli("config", "validate", str(path))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.stderr
    assert str(path) in message
    assert "key 'user.user_config.acmg.disease_mode': 'SOMETIMES' is not one of ANY, MISS, LOF" in message
    assert "key 'user.user_config.acmg.frequency.thresholds.default.exome'" in message


@pytest.fixture
def bad_rule_file(tmp_path, monkeypatch):
    data = json.loads(rules.rules_path().read_text())
    data["rules"][60]["rule"] = {"$$aggregate": {"$all": ["REQ_null_variant", "REQ_GP_LOF_onyl"]}}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(rules, "rules_path", lambda: path)
    rules.default_rules.cache_clear()
    yield path
    rules.default_rules.cache_clear()


def test_config_validate_checks_the_rule_file(cli: Cli, bad_rule_file):
    result = cli("config", "validate", str(EXAMPLE_CONFIG))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.stderr
    assert "the ACMG rule file is invalid" in message and str(bad_rule_file) in message
    assert "key 'rules.60.rule'" in message and "rule 60 (PVS1): refers to 'REQ_GP_LOF_onyl'" in message


def test_add_groups_checks_acmg(cli: Cli, db_url, tmp_path):
    cli.ok("deposit", "genepanel", "--all", str(DEMO_FIXTURES / "genepanels"))
    data = json.loads(GROUPS.read_text())
    data[0]["config"]["acmg"]["frequency"]["thresholds"]["AD"] = {"hi_freq_cutoff": 0.0005, "lo_freq_cutoff": 0.0001}
    data[1]["config"]["acmg"]["genes"] = {"1100": {"last_exon_important": "yes"}}
    path = tmp_path / "usergroups.json"
    path.write_text(json.dumps(data, indent=2))
    before = table_snapshot(db_url)
    result = cli("users", "add_groups", str(path))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.stderr
    assert "3 problem(s)" in message
    assert "line 2, key 'testgroup01.config.acmg.frequency.thresholds.AD.hi_freq_cutoff'" in message
    assert "cut-offs are given per group, as in ELLA" in message
    assert "key 'testgroup02.config.acmg.genes.1100.last_exon_important': 'yes' is not one of LEI, LENI" in message
    assert table_snapshot(db_url) == before
    cli.ok("users", "add_groups", str(GROUPS))  # the demo fixture has ELLA's shape


def test_demo_fixture_acmg_is_valid():
    from ella_app.formats.acmg_config import app_frequency_groups, parse_acmg_config

    config = yaml.safe_load(EXAMPLE_CONFIG.read_text().replace("!env_int ", "").replace("!env ", ""))
    for group in json.loads(GROUPS.read_text()):
        acmg = group.get("config", {}).get("acmg")
        if acmg is not None:
            parse_acmg_config(acmg, app_frequency_groups(config), key=f"{group['name']}.config.acmg")
