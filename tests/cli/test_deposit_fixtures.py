"""``ella-cli deposit fixtures DIR`` and ``deposit analyses DIR``: the bootstrap's deposits in one start each.

They must leave the database exactly as the production guide's single commands do, change nothing on a
second run, and write nothing at all when any file of the folder is bad.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from tests.conftest import DEMO_FIXTURES, Cli, _create_database, table_snapshot

DEMO_ANALYSES = DEMO_FIXTURES.parent / "analyses"
# rows that differ between two databases built the same way: ids are equal, but not times or password hashes, nor
# the worklists' version (it counts the transactions that changed them, migration 0008)
VOLATILE = {"clilog", "user", "useroldpassword", "worklistversion"}


def _comparable(db_url: str) -> dict[str, list[tuple[object, ...]]]:
    snapshot = table_snapshot(db_url)
    return {
        name: [tuple(v for v in row if not hasattr(v, "isoformat")) for row in rows]
        for name, rows in snapshot.items()
        if name not in VOLATILE
    }


def test_same_database_as_the_single_commands_and_a_rerun_changes_nothing(cli_env, db_url, pg, tmp_path):
    single = Cli({**cli_env, "DB_URL": db_url})
    for panel in sorted(p for p in (DEMO_FIXTURES / "genepanels").iterdir() if p.is_dir()):
        single.ok("deposit", "genepanel", "--folder", str(panel))
    single.ok("users", "add_groups", str(DEMO_FIXTURES / "usergroups.json"))
    single.ok("filterconfigs", "update", str(DEMO_FIXTURES / "filterconfigs.json"))
    single.ok("users", "add_many", str(DEMO_FIXTURES / "users.json"), "--passwords-file", str(tmp_path / "a.tsv"))
    single.ok("deposit", "references", str(DEMO_FIXTURES / "references.json"))

    other = _create_database(pg, f"{Path(db_url).name}_fixtures", template="ella_template")
    cli = Cli({**cli_env, "DB_URL": other})
    otp = tmp_path / "b.tsv"
    first = cli.ok("deposit", "fixtures", str(DEMO_FIXTURES), "--passwords-file", str(otp), "--json").json()
    assert first["changed"] is True
    assert [step["step"] for step in first["steps"]] == [
        "genepanels",
        "usergroups",
        "filterconfigs",
        "users",
        "references",
    ]
    assert first["users_created"] == len(otp.read_text().splitlines()) > 0
    assert stat.S_IMODE(otp.stat().st_mode) == 0o600
    assert "passwords" not in first, "with a passwords file the passwords never reach stdout"
    assert _comparable(other) == _comparable(db_url)

    before = table_snapshot(other)
    second = cli.ok("deposit", "fixtures", str(DEMO_FIXTURES), "--passwords-file", str(otp), "--json").json()
    assert second["changed"] is False and second["users_created"] == 0
    assert all(not step["changed"] for step in second["steps"]), second
    assert table_snapshot(other) == before
    assert "nothing changed" in cli.ok("deposit", "fixtures", str(DEMO_FIXTURES)).stdout


def test_a_bad_file_anywhere_writes_nothing(cli, db_url, tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(DEMO_FIXTURES, folder)
    filterconfigs = json.loads((folder / "filterconfigs.json").read_text())
    filterconfigs[0]["filterconfig"]["filters"][0]["name"] = "no-such-filter"
    (folder / "filterconfigs.json").write_text(json.dumps(filterconfigs))
    before = table_snapshot(db_url)
    result = cli("deposit", "fixtures", str(folder), "--json")
    assert result.exit_code != 0
    assert "filterconfigs.json" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert table_snapshot(db_url) == before, "the gene panels before the bad file were not kept either"


def test_annotation_config_in_ellas_order(cli, db_url, tmp_path):
    """ELLA's bootstrap: ... users add_many → annotationconfig update annotation-config.yml → references. The
    folder's annotation-config.yml is deposited after the users; a second run leaves it unchanged; a bad one
    (named with its line) writes nothing."""
    folder = tmp_path / "fixtures"
    shutil.copytree(DEMO_FIXTURES, folder)
    legacy = Path(__file__).resolve().parents[1] / "data" / "ella-upstream" / "annotation-config-legacy.yml"
    shutil.copy(legacy, folder / "annotation-config.yml")
    otp = str(tmp_path / "otp.tsv")
    first = cli.ok("deposit", "fixtures", str(folder), "--passwords-file", otp, "--json").json()
    steps = [step["step"] for step in first["steps"]]
    assert steps == ["genepanels", "usergroups", "filterconfigs", "users", "annotationconfig", "references"]
    assert first["steps"][4]["names"]["created"] == ["annotationconfig 1"]
    again = cli.ok("deposit", "fixtures", str(folder), "--passwords-file", otp, "--json").json()
    assert again["changed"] is False and again["steps"][4]["names"]["unchanged"] == ["annotationconfig 1"]

    other = tmp_path / "other"
    shutil.copytree(DEMO_FIXTURES, other)
    (other / "annotation-config.yml").write_text("deposit:\n  - name: nosuch\n    converter_config: {elements: []}\n")
    before = table_snapshot(db_url)
    result = cli("deposit", "fixtures", str(other))
    assert result.exit_code == 2 and "annotation-config.yml, line 2" in result.stderr, result.stderr
    assert table_snapshot(db_url) == before


def test_missing_folder_and_empty_folder(cli, tmp_path):
    missing = cli("deposit", "fixtures", str(tmp_path / "nope"))
    assert missing.exit_code != 0 and "nope" in missing.stderr + missing.stdout
    empty = cli.ok("deposit", "fixtures", str(tmp_path), "--json").json()
    assert empty == {"changed": False, "kind": "fixtures", "steps": [], "users_created": 0}


def test_deposit_analyses_imports_each_folder_once(cli, tmp_path):
    cli.ok("deposit", "fixtures", str(DEMO_FIXTURES), "--passwords-file", str(tmp_path / "otp.tsv"))
    first = cli.ok("deposit", "analyses", str(DEMO_ANALYSES), "--json").json()
    assert first["changed"] is True and first["created"] == 2
    second = cli.ok("deposit", "analyses", str(DEMO_ANALYSES), "--json").json()
    assert second["changed"] is False and second["created"] == 0 and second["unchanged"] == 2
