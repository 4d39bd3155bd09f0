"""``ella-cli users add_groups``: upsert groups, panel resolution, import groups, order errors, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ella_app.services.usergroups import version_key
from tests.cli.test_genepanel import copy_panel, query
from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot

GROUPS = DEMO_FIXTURES / "usergroups.json"
PANELS = DEMO_FIXTURES / "genepanels"


@pytest.fixture
def panels(cli: Cli) -> Cli:
    cli.ok("deposit", "genepanel", "--all", str(PANELS))
    return cli


def write(tmp_path: Path, data: object, name: str = "usergroups.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


def execute(db_url: str, sql: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def group_panels(db_url: str, group: str) -> list[tuple[str, str]]:
    return query(
        db_url,
        "SELECT l.genepanel_name, l.genepanel_version FROM usergroup_genepanel l "
        f"JOIN usergroup g ON g.id = l.usergroup_id WHERE g.name = '{group}' ORDER BY 1, 2",
    )


def import_groups(db_url: str, group: str) -> list[str]:
    rows = query(
        db_url,
        "SELECT t.name FROM usergroup_import i JOIN usergroup g ON g.id = i.usergroup_id "
        f"JOIN usergroup t ON t.id = i.import_usergroup_id WHERE g.name = '{group}' ORDER BY 1",
    )
    return [r[0] for r in rows]


def test_demo_groups_created_then_unchanged(panels: Cli, db_url):
    first = panels.ok("users", "add_groups", str(GROUPS), "--json").json()
    assert first["changed"] is True and first["names"]["created"] == ["testgroup01", "testgroup02", "testgroup03"]
    assert group_panels(db_url, "testgroup01") == [("Cardio", "v1.0.0"), ("HBOC", "v1.0.0")]
    assert group_panels(db_url, "testgroup02") == [("Ciliopathy", "v1.0.0")]
    assert group_panels(db_url, "testgroup03") == [("HBOC", "v1.0.0")]
    assert import_groups(db_url, "testgroup01") == ["testgroup01", "testgroup03"]  # defined later in the file
    assert import_groups(db_url, "testgroup02") == ["testgroup02"]  # default: its own name
    [(default_name, default_version, config)] = query(
        db_url,
        "SELECT default_import_genepanel_name, default_import_genepanel_version, config "
        "FROM usergroup WHERE name = 'testgroup01'",
    )
    assert (default_name, default_version) == ("HBOC", "v1.0.0")
    assert config == json.loads(GROUPS.read_text())[0]["config"]

    before = table_snapshot(db_url)
    second = panels.ok("users", "add_groups", str(GROUPS), "--json").json()
    assert second["changed"] is False and second["unchanged"] == 3
    assert table_snapshot(db_url) == before
    human = panels.ok("users", "add_groups", str(GROUPS))
    assert "0 created, 0 updated, 3 unchanged" in human.stdout
    assert "unchanged: testgroup01, testgroup02, testgroup03" in human.stdout


def test_name_without_version_means_every_official_version(panels: Cli, db_url, tmp_path):
    panels.ok("deposit", "genepanel", "--folder", str(copy_panel(tmp_path, base="HBOC_v1.10.0")))
    panels.ok("deposit", "genepanel", "--folder", str(copy_panel(tmp_path, base="HBOC_v1.9.0")))
    path = write(tmp_path, [{"name": "g", "genepanels": [["HBOC"]], "default_import_genepanel": ["HBOC"]}])
    panels.ok("users", "add_groups", str(path))
    assert group_panels(db_url, "g") == [("HBOC", "v1.0.0"), ("HBOC", "v1.10.0"), ("HBOC", "v1.9.0")]
    default = query(db_url, "SELECT default_import_genepanel_version FROM usergroup WHERE name = 'g'")
    assert default == [("v1.10.0",)], "the newest version by number, not by text"


def test_version_key_orders_numerically():
    versions = ["v1.10.0", "v1.2", "v1.9.0", "v2", "v1.0.0"]
    assert sorted(versions, key=version_key) == ["v1.0.0", "v1.2", "v1.9.0", "v1.10.0", "v2"]


def test_changes_overwrite_given_keys_and_keep_custom_panels(panels: Cli, db_url, tmp_path):
    panels.ok("users", "add_groups", str(GROUPS))
    execute(
        db_url,
        "INSERT INTO genepanel (name, version, genome_reference, official) VALUES ('Mine', 'v1', 'GRCh37', false)",
    )
    execute(
        db_url,
        "INSERT INTO usergroup_genepanel SELECT id, 'Mine', 'v1' FROM usergroup WHERE name = 'testgroup01'",
    )
    data = json.loads(GROUPS.read_text())
    data[0]["genepanels"] = [["Ciliopathy", "v1.0.0"]]
    data[0]["config"] = {"overview": {"views": ["analyses"]}}
    data[0]["import_groups"] = ["testgroup02"]
    path = write(tmp_path, data)
    result = panels.ok("users", "add_groups", str(path), "--json").json()
    assert result["names"]["updated"] == ["testgroup01"] and result["unchanged"] == 2
    assert group_panels(db_url, "testgroup01") == [("Ciliopathy", "v1.0.0"), ("Mine", "v1")]
    assert query(db_url, "SELECT config FROM usergroup WHERE name = 'testgroup01'") == [
        ({"overview": {"views": ["analyses"]}},)
    ]
    assert import_groups(db_url, "testgroup01") == ["testgroup02"]


def test_absent_keys_keep_what_is_stored(panels: Cli, db_url, tmp_path):
    panels.ok("users", "add_groups", str(GROUPS))
    path = write(tmp_path, [{"name": "testgroup03", "import_groups": ["testgroup03"]}])
    result = panels.ok("users", "add_groups", str(path), "--json").json()
    assert result["unchanged"] == 1
    assert group_panels(db_url, "testgroup03") == [("HBOC", "v1.0.0")]


def test_name_option_selects_groups(panels: Cli, db_url):
    result = panels.ok("users", "add_groups", str(GROUPS), "--name", "testgroup02", "--json").json()
    assert result["names"]["created"] == ["testgroup02"]
    assert query(db_url, "SELECT name FROM usergroup") == [("testgroup02",)]
    # testgroup01 imports into testgroup03, which is neither selected nor stored
    refused = panels("users", "add_groups", str(GROUPS), "--name", "testgroup01")
    assert refused.exit_code == 3 and "unknown group 'testgroup03'" in refused.stderr


def test_dry_run_writes_nothing(panels: Cli, db_url):
    before = table_snapshot(db_url)
    audit_rows = query(db_url, "SELECT count(*) FROM clilog")
    result = panels.ok("users", "add_groups", str(GROUPS), "--dry-run", "--json").json()
    assert result["dry_run"] is True and result["created"] == 3 and result["changed"] is True
    assert table_snapshot(db_url) == before
    assert query(db_url, "SELECT count(*) FROM clilog") == audit_rows
    assert "dry run" in panels.ok("users", "add_groups", str(GROUPS), "-dry").stdout


def test_unknown_panel_names_group_and_panel_and_writes_nothing(cli: Cli, db_url):
    cli.ok("deposit", "genepanel", "--folder", str(PANELS / "HBOC_v1.0.0"))
    before = table_snapshot(db_url)
    result = cli("users", "add_groups", str(GROUPS))
    assert result.exit_code == 3
    message = " ".join(result.stderr.split())
    assert "user group 'testgroup01' names gene panel Cardio (all versions)" in message
    assert "user group 'testgroup02' names gene panel Ciliopathy (all versions)" in message
    assert "deposit genepanel" in message and "nothing was written" in message
    assert table_snapshot(db_url) == before


def test_unofficial_panel_does_not_count(panels: Cli, db_url, tmp_path):
    execute(
        db_url,
        "INSERT INTO genepanel (name, version, genome_reference, official) VALUES ('Mine', 'v1', 'GRCh37', false)",
    )
    before = table_snapshot(db_url)
    result = panels("users", "add_groups", str(write(tmp_path, [{"name": "g", "genepanels": [["Mine", "v1"]]}])))
    assert result.exit_code == 3 and "Mine_v1" in result.stderr
    assert table_snapshot(db_url) == before


def test_unknown_import_group(panels: Cli, db_url, tmp_path):
    before = table_snapshot(db_url)
    path = write(tmp_path, [{"name": "g", "import_groups": ["g", "elsewhere"]}])
    result = panels("users", "add_groups", str(path))
    assert result.exit_code == 3 and "'g' may import into unknown group 'elsewhere'" in result.stderr
    assert table_snapshot(db_url) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('[\n  {"name": "g"\n]\n', ["line 3", "invalid JSON"]),
        ('[\n  {"name": "g", "colour": "red"}\n]\n', ["line 2", "key '0.colour'", "unknown key(s): colour"]),
        ('[\n  {"name": "g", "genepanels": "HBOC"}\n]\n', ["line 2", "key '0.genepanels'", "not of type 'array'"]),
        ('[\n  {"name": "g"},\n  {"name": "g"}\n]\n', ["line 3", "key '1.name'", "defined twice"]),
        ('[\n  {"name": "g", "config": {"acmg": {"last_exon_important": "X"}}}\n]\n', ["acmg.last_exon_important"]),
        ('{"name": "g"}', ["is not of type 'array'"]),
    ],
)
def test_bad_input(panels: Cli, db_url, tmp_path, content, words):
    path = tmp_path / "usergroups.json"
    path.write_text(content)
    before = table_snapshot(db_url)
    result = panels("users", "add_groups", str(path), "--json")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    for word in [str(path), *words]:
        assert word in message, (word, message)
    assert table_snapshot(db_url) == before


def test_missing_file(panels: Cli):
    result = panels("users", "add_groups", "/nonexistent/usergroups.json")
    assert result.exit_code == 2 and "/nonexistent/usergroups.json" in result.stderr and "not found" in result.stderr


def test_acmg_frequency_providers_must_be_configured(panels: Cli, db_url, tmp_path):
    data = json.loads(GROUPS.read_text())
    data[0]["config"]["acmg"]["frequency"]["num_thresholds"]["EXAC"] = 1000
    path = write(tmp_path, data)
    before = table_snapshot(db_url)
    result = panels("users", "add_groups", str(path))
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert str(path) in message and "line 2" in message and "'EXAC' is not in frequencies.groups" in message
    assert table_snapshot(db_url) == before
