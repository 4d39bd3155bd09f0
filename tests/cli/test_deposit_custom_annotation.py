"""``ella-cli deposit custom_annotation FILE`` (JSON Lines) and ``deposit append_genepanel_to_usergroup``."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.cli.test_deposit_alleles import with_panel, write_vcf
from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot


def query(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        out = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return out


def lines(path: Path, *items: object) -> Path:
    path.write_text("".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items))
    return path


def alleles(cli: Cli, db_url: str, tmp_path: Path) -> list[int]:
    with_panel(cli)
    cli.ok("deposit", "alleles", str(write_vcf(tmp_path / "v.HBOC_v1.0.0.vcf")))
    return [r[0] for r in query(db_url, "SELECT id FROM allele ORDER BY id")]


def test_deposit_custom_annotation(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA's deposit_custom_annotations: one customannotation row per line. Ours: re-running changes nothing;
    a different annotation supersedes the current one (kept, linked)."""
    a, b, _ = alleles(cli, db_url, tmp_path)
    first = lines(
        tmp_path / "custom.json",
        {"allele_id": a, "annotations": {"prediction": {"dna_conservation": "high"}}},
        "",
        {"allele_id": b, "annotations": {"external": {"LOVD": "x"}}},
    )
    out = cli.ok("deposit", "custom_annotation", str(first), "--json").json()
    assert out["changed"] is True and out["names"]["created"] == [f"allele {a}", f"allele {b}"]
    before = table_snapshot(db_url)
    again = cli.ok("deposit", "custom_annotation", str(first), "--json").json()
    assert again["changed"] is False and again["unchanged"] == 2
    assert table_snapshot(db_url) == before

    second = lines(tmp_path / "custom2.json", {"allele_id": a, "annotations": {"prediction": {"x": 1}}})
    out = cli.ok("deposit", "custom_annotation", str(second), "--json").json()
    assert out["names"]["updated"] == [f"allele {a}"]
    history = query(
        db_url,
        f"SELECT annotation, date_superceeded IS NOT NULL, previous_annotation_id IS NOT NULL "
        f"FROM customannotation WHERE allele_id = {a} ORDER BY id",
    )
    assert history == [
        ({"prediction": {"dna_conservation": "high"}}, True, False),
        ({"prediction": {"x": 1}}, False, True),
    ]


def test_bad_custom_annotation_lines_change_nothing(cli: Cli, db_url: str, tmp_path: Path):
    a, *_ = alleles(cli, db_url, tmp_path)
    good = {"allele_id": a, "annotations": {"k": 1}}
    cases = [
        (("{not json",), "line 1: invalid JSON"),
        ((good, {"allele_id": "1", "annotations": {}}), "line 2, key 'allele_id'"),
        ((good, {"allele_id": a + 100, "annotations": {}}), f"line 2, key 'allele_id': allele {a + 100} is not in"),
        ((good, {"allele_id": a, "annotations": {}}), "line 2, key 'allele_id': allele"),
        (({"allele_id": a, "annotations": []},), "line 1, key 'annotations'"),
        (({"allele_id": a, "annotations": {}, "user_id": 999},), "line 1, key 'user_id': user 999 is not in"),
        (({"allele_id": a, "annotations": {}, "colour": 1},), "line 1, key 'colour'"),
        (({"allele_id": a, "annotations": {"x": "a\u0000b"}},), "key 'annotations.x'"),
    ]
    before = table_snapshot(db_url)
    for i, (items, message) in enumerate(cases):
        path = lines(tmp_path / f"bad{i}.json", *items)
        result = cli("deposit", "custom_annotation", str(path))
        assert result.exit_code == 2, (items, result.stderr)
        assert str(path) in result.stderr and message in result.stderr, result.stderr
    assert table_snapshot(db_url) == before


def test_append_genepanel_to_usergroup(cli: Cli, db_url: str):
    """Mirrors ELLA src/cli/tests/test_deposit.py::test_append_genepanel_to_usergroup, and its "already exists"
    message on a second run (which changes nothing)."""
    F = DEMO_FIXTURES
    cli.ok("deposit", "genepanel", "--all", str(F / "genepanels"))
    cli.ok("users", "add_groups", str(F / "usergroups.json"))

    def panels() -> list[tuple]:
        return query(
            db_url,
            "SELECT genepanel_name, genepanel_version FROM usergroup_genepanel JOIN usergroup g ON g.id = usergroup_id "
            "WHERE g.name = 'testgroup03' ORDER BY 1",
        )

    assert ("Ciliopathy", "v1.0.0") not in panels()
    out = cli.ok("deposit", "append_genepanel_to_usergroup", "Ciliopathy", "v1.0.0", "testgroup03", "--json").json()
    assert out["changed"] is True
    assert ("Ciliopathy", "v1.0.0") in panels()
    before = table_snapshot(db_url)
    again = cli.ok("deposit", "append_genepanel_to_usergroup", "Ciliopathy", "v1.0.0", "testgroup03")
    assert "already exists in user group testgroup03" in again.stdout
    assert table_snapshot(db_url) == before
    for args, message in [
        (("Nope", "v1.0.0", "testgroup03"), "gene panel Nope v1.0.0 is not in the database"),
        (("Ciliopathy", "v1.0.0", "nogroup"), "user group 'nogroup' is not in the database"),
    ]:
        result = cli("deposit", "append_genepanel_to_usergroup", *args)
        assert result.exit_code == 3 and message in result.stderr
    assert table_snapshot(db_url) == before
