"""``ella-cli annotationconfig update|list``: the active annotation config, idempotency, bad files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import ROOT, Cli, table_snapshot

LEGACY = ROOT / "tests" / "data" / "ella-upstream" / "annotation-config-legacy.yml"


def rows(db_url: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        out = [tuple(r) for r in conn.execute(text("SELECT id, jsonb_array_length(deposit) FROM annotationconfig"))]
    engine.dispose()
    return out


def test_update_inserts_a_row_and_an_identical_file_changes_nothing(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA (annotationconfig.py, annotation_config.deposit_annotationconfig): a new row, the latest is
    active; the same config again is not inserted (ELLA raises; we report it unchanged, exit 0). The order
    of the deposit list does not matter, the view must be equal."""
    first = cli.ok("annotationconfig", "update", str(LEGACY), "--json").json()
    assert first["changed"] is True and first["names"]["created"] == ["annotationconfig 1"]
    assert rows(db_url) == [(1, 10)]
    before = table_snapshot(db_url)
    again = cli.ok("annotationconfig", "update", str(LEGACY), "--json").json()
    assert again["changed"] is False and again["unchanged"] == 1
    assert "matches the active annotation config (id 1)" in cli.ok("annotationconfig", "update", str(LEGACY)).stdout
    assert table_snapshot(db_url) == before

    import yaml

    data = yaml.safe_load(LEGACY.read_text())
    reordered = tmp_path / "reordered.yml"
    reordered.write_text(yaml.safe_dump({"deposit": list(reversed(data["deposit"])), "view": data["view"]}))
    assert cli.ok("annotationconfig", "update", str(reordered), "--json").json()["changed"] is False
    new_view = tmp_path / "view.yml"
    new_view.write_text(yaml.safe_dump({"deposit": data["deposit"], "view": data["view"][1:]}))
    assert cli.ok("annotationconfig", "update", str(new_view), "--json").json()["names"]["created"] == [
        "annotationconfig 2"
    ]
    listed = cli.ok("annotationconfig", "list", "--json").json()
    assert listed["active"]["id"] == 2 and listed["active"]["view"] == data["view"][1:]
    human = cli.ok("annotationconfig", "list").stdout
    assert "Active annotation config: id 2" in human and "Deposit:" in human and "View:" in human


def test_list_without_a_config(cli: Cli):
    assert "packaged default" in cli.ok("annotationconfig", "list").stdout


def test_bad_files_name_line_and_key_and_change_nothing(cli: Cli, db_url: str, tmp_path: Path):
    element = "        - source: X\n          target: a.b\n"
    cases = {
        "deposit:\n  - name: nosuch\n    converter_config:\n      elements: []\nview: []\n": (
            "line 2",
            "deposit.0.name",
        ),
        f"deposit:\n  - name: json\n    converter_config:\n      elements:\n{element}"
        "          encoding: base99\nview: []\n": ("line 7", "deposit.0.converter_config.elements.0.encoding"),
        f"deposit:\n  - name: keyvalue\n    converter_config:\n      elements:\n{element}"
        "          target_mode: replace\nview: []\n": ("line 7", "target_mode"),
        f"deposit:\n  - name: keyvalue\n    converter_config:\n      elements:\n{element}"
        "          colour: red\nview: []\n": ("unknown key(s): colour", "elements.0.colour"),
        "deposit: []\n": ("missing required key(s): view", None),
        "deposit: [\n": ("invalid YAML", "line 2"),
        "deposit: []\nview:\n  - section: somewhere\n    template: keyValue\n    source: a\n    config: {}\n": (
            "line 3",
            "view.0.section",
        ),
    }
    before = table_snapshot(db_url)
    for i, (content, (first, second)) in enumerate(cases.items()):
        path = tmp_path / f"bad{i}.yml"
        path.write_text(content)
        result = cli("annotationconfig", "update", str(path))
        assert result.exit_code == 2, (content, result.stderr)
        assert str(path) in result.stderr and first in result.stderr, result.stderr
        if second:
            assert second in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert table_snapshot(db_url) == before
