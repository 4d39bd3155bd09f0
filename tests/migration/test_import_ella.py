"""``ella-cli database import-ella``: a generated ELLA v1.17 database (every entity, the edge cases) moves into
a freshly made kit database with nothing lost, verified; a second run changes nothing; old passwords work."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extras
import pytest

from ella_app.api import create_app
from ella_app.config import load_settings
from tests.conftest import Cli, table_snapshot
from tests.migration.ella_seed import CUSTOM_PANEL, PANEL, USERS, Seeded

# ELLA table -> (kit table, {ELLA column: kit column}) where the names differ
RENAMED = {
    "usergroupgenepanel": ("usergroup_genepanel", {}),
    "usergroupimport": ("usergroup_import", {"usergroupimport_id": "import_usergroup_id"}),
    "annotation": ("annotation", {"annotations": "annotation"}),
    "customannotation": ("customannotation", {"annotations": "annotation"}),
}
NOT_CARRIED = {"alembic_version", "jsonschema", "annotationshadowtranscript", "annotationshadowfrequency"}
# (table, column): how the kit stores ELLA's value, where it differs on purpose
EMPTY_FOR_NULL = {
    ("usergroup", "config"), ("user", "config"), ("alleleassessment", "evaluation"),
    ("referenceassessment", "evaluation"), ("allelereport", "evaluation"), ("geneassessment", "evaluation"),
    ("analysisinterpretation", "state"), ("analysisinterpretation", "user_state"), ("alleleinterpretation", "state"),
    ("alleleinterpretation", "user_state"), ("analysis", "properties"), ("annotationjob", "status_history"),
    ("annotationjob", "properties"),
}  # fmt: skip


def _rows(url: str, table: str) -> list[dict[str, Any]]:
    with psycopg2.connect(url) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute(f'SELECT * FROM "{table}"')
        rows = [dict(r) for r in cur.fetchall()]
    conn.close()
    return rows


def _key(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    return tuple(row[c] for c in columns)


def _expected(table: str, column: str, value: Any, row: dict[str, Any]) -> Any:
    """ELLA's value as the kit should hold it."""
    if value is None and (table, column) in EMPTY_FOR_NULL:
        return {}
    if (table, column) == ("analysis", "date_requested") and value is not None:
        return value.date()
    if (table, column) == ("usersession", "logged_out") and value is None:
        return "set at the import"
    return value


def _compare_field_by_field(source_url: str, target_url: str) -> int:
    """Every ELLA row has its kit row, with the same value in every column both have (names mapped)."""
    compared = 0
    with psycopg2.connect(source_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(r[0] for r in cur.fetchall())
    conn.close()
    for table in tables:
        if table in NOT_CARRIED:
            continue
        target, renames = RENAMED.get(table, (table, {}))
        source_rows, target_rows = _rows(source_url, table), _rows(target_url, target)
        if table in ("clilog", "resourcelog", "uiexception"):  # the kit's own log rows come after ELLA's
            top = max((r["id"] for r in source_rows), default=0)
            target_rows = [r for r in target_rows if r["id"] <= top]
        assert len(source_rows) == len(target_rows), table
        if not source_rows:
            continue
        key = ["id"] if "id" in source_rows[0] else sorted(source_rows[0])
        by_key = {_key(r, [renames.get(c, c) for c in key]): r for r in target_rows}
        for row in source_rows:
            kit_row = by_key[_key(row, key)]
            for column, value in row.items():
                kit_column = renames.get(column, column)
                if column == "search" or kit_column not in kit_row:
                    continue
                expected = _expected(table, column, value, row)
                actual = kit_row[kit_column]
                if expected == "set at the import":
                    assert actual is not None, (table, row["id"], column)
                    continue
                if column == "remote_addr":
                    expected = str(value)
                assert actual == expected, (table, row.get("id"), column, value, actual)
                compared += 1
    return compared


def _import(kit: Cli, seeded: Seeded, *extra: str) -> Any:
    return kit("database", "import-ella", "--source", seeded.url, "--attachments", str(seeded.attachment_dir), *extra)


def test_import_carries_every_row_and_file_and_verifies_equal(kit: Cli, ella_source: Seeded) -> None:
    with psycopg2.connect(kit.env["DB_URL"]) as conn, conn.cursor() as cur:  # a health check hit the API
        cur.execute("INSERT INTO resourcelog (method, resource, statuscode) VALUES ('GET', '/api/v1/status/', 200)")
    conn.close()
    result = _import(kit, ella_source, "--json", "--reason", "cut-over from ELLA")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["changed"] is True and report["action"] == "imported"
    verification = report["verification"]
    assert verification["equal"] is True and verification["attachment_files"] == 2
    carried = {t: n for t, n in ella_source.counts.items() if t not in NOT_CARRIED}
    tables = verification["tables"]
    assert tables["usergroup_genepanel"]["target_rows"] == carried.pop("usergroupgenepanel")
    assert tables["usergroup_import"]["target_rows"] == carried.pop("usergroupimport")
    assert {t: tables[t]["target_rows"] for t in carried} == carried
    assert report["rows"] == sum(ella_source.counts[t] for t in ella_source.counts if t not in NOT_CARRIED)

    target = kit.env["DB_URL"]
    assert _compare_field_by_field(ella_source.url, target) > 1000
    storage = Path(kit.env["ATTACHMENT_STORAGE"])
    for attachment_id, content in ella_source.attachment_files.items():
        sha = next(r["sha256"] for r in _rows(target, "attachment") if r["id"] == attachment_id)
        assert (storage / sha[:2] / sha).read_bytes() == content
    png = next(r["sha256"] for r in _rows(target, "attachment") if r["filename"] == "pedigree.png")
    assert (storage / png[:2] / f"{png}.thumbnail").is_file()

    audit = [r for r in _rows(target, "clilog") if r["command"] == "import-ella"]
    assert len(audit) == 1 and audit[0]["reason"] == "cut-over from ELLA"
    assert json.loads(audit[0]["output"])["revision"] == "4c2844fef850"
    commands = [r["command"] for r in sorted(_rows(target, "clilog"), key=lambda r: r["id"])]
    assert commands[:2] == ["ella-cli database make-production", "ella-cli deposit genepanel --folder HBOC"]
    assert commands[2:] == ["make-production", "import-ella"]  # the kit's own rows moved after ELLA's
    requests = sorted(_rows(target, "resourcelog"), key=lambda r: r["id"])
    assert [(r["id"], r["resource"]) for r in requests][-1] == (3, "/api/v1/status/")


def test_history_links_workflows_and_users_survive(kit: Cli, ella_source: Seeded) -> None:
    assert _import(kit, ella_source).exit_code == 0
    target = kit.env["DB_URL"]
    chain = {r["id"]: r for r in _rows(target, "alleleassessment")}
    assert [chain[i]["classification"] for i in (1, 2, 3)] == ["3", "4", "5"]
    assert chain[2]["previous_assessment_id"] == 1 and chain[3]["previous_assessment_id"] == 2
    assert chain[1]["date_superceeded"] == chain[2]["date_created"] and chain[3]["date_superceeded"] is None
    assert chain[3]["genepanel_name"] == CUSTOM_PANEL[0] and chain[3]["custom_annotation_id"] == 2
    assert {(r["alleleassessment_id"], r["attachment_id"]) for r in _rows(target, "alleleassessmentattachment")} == {
        (2, 1),
        (3, 1),
        (3, 2),
    }
    panels = {(r["name"], r["version"]): r for r in _rows(target, "genepanel")}
    assert panels[CUSTOM_PANEL]["official"] is False and panels[CUSTOM_PANEL]["user_id"] == 1
    groups = {r["id"]: r for r in _rows(target, "usergroup")}
    assert (groups[1]["default_import_genepanel_name"], groups[1]["default_import_genepanel_version"]) == PANEL
    rounds = sorted(
        (r for r in _rows(target, "analysisinterpretation") if r["analysis_id"] == 1), key=lambda r: r["id"]
    )
    assert [(r["status"], r["finalized"]) for r in rounds] == [("Done", True), ("Ongoing", False)]
    allele_rounds = [r["status"] for r in sorted(_rows(target, "alleleinterpretation"), key=lambda r: r["id"])]
    assert allele_rounds == ["Done", "Done", "Ongoing"]
    cnvs = [r for r in _rows(target, "allele") if r["caller_type"] == "cnv"]
    assert sorted(r["vcf_alt"] for r in cnvs) == ["<DEL>", "<DUP:TANDEM>"]
    proband = next(r for r in _rows(target, "sample") if r["identifier"] == "Diag-00001-proband")
    assert proband["father_id"] and proband["mother_id"] and proband["sibling_id"]
    users = {r["username"]: r for r in _rows(target, "user")}
    assert users["bob"]["password_expiry"] < dt.datetime.now(dt.UTC)
    assert users["carol"]["incorrect_logins"] == 6 and users["dave"]["active"] is False
    assert all(u["password"].startswith("$2b$") for u in users.values())
    sessions = _rows(target, "usersession")
    assert all(s["logged_out"] is not None for s in sessions)  # ELLA's open sessions end at the move

    with psycopg2.connect(target) as conn, conn.cursor() as cur:  # sequences continue after ELLA's ids
        cur.execute("INSERT INTO broadcast (date_created, message, active) VALUES (now(), 'new', true) RETURNING id")
        assert cur.fetchone()[0] == 3
    conn.close()


def test_second_run_changes_nothing_and_says_so(kit: Cli, ella_source: Seeded) -> None:
    assert _import(kit, ella_source).exit_code == 0
    target = kit.env["DB_URL"]
    before, audit_before = table_snapshot(target), _rows(target, "clilog")
    storage = Path(kit.env["ATTACHMENT_STORAGE"])
    files_before = sorted((p, p.stat().st_mtime_ns) for p in storage.rglob("*"))
    again = _import(kit, ella_source, "--json")
    assert again.exit_code == 0, again.stderr
    report = again.json()
    assert report["changed"] is False and report["action"] == "already-imported"
    assert "nothing to do" in report["messages"][0] and report["verification"]["equal"] is True
    assert table_snapshot(target) == before and _rows(target, "clilog") == audit_before
    assert sorted((p, p.stat().st_mtime_ns) for p in storage.rglob("*")) == files_before
    human = _import(kit, ella_source)
    assert human.exit_code == 0 and "nothing to do" in human.stdout and "equal" in human.stdout


def test_a_later_difference_is_found_by_the_verification(kit: Cli, ella_source: Seeded) -> None:
    """The checksum can fail: one changed classification in the kit is named on the next run."""
    assert _import(kit, ella_source).exit_code == 0
    with psycopg2.connect(kit.env["DB_URL"]) as conn, conn.cursor() as cur:
        cur.execute('UPDATE alleleassessment SET evaluation = \'{"comment": "edited"}\' WHERE id = 3')
    conn.close()
    result = _import(kit, ella_source)
    assert result.exit_code == 5
    assert "differs" in result.stderr and "alleleassessment" in result.stderr and "nothing was written" in result.stderr


def test_dry_run_reports_and_writes_nothing(kit: Cli, ella_source: Seeded) -> None:
    target = kit.env["DB_URL"]
    before = table_snapshot(target)
    result = _import(kit, ella_source, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["changed"] is False and report["action"] == "dry-run"
    plan = report["plan"]
    assert plan["tables"]["alleleassessment"]["rows"] == 5 and plan["problems"] == []
    assert plan["attachment_files"] == 2
    conversions = plan["tables"]["usersession"]["conversions"]
    assert conversions == {"open session closed at the import (users log in again)": 1}
    assert table_snapshot(target) == before
    assert not any(Path(kit.env["ATTACHMENT_STORAGE"]).iterdir())


@pytest.fixture
def client(kit: Cli) -> Any:
    return create_app(load_settings(kit.env)).test_client()


def test_ella_users_log_in_with_their_old_passwords(kit: Cli, ella_source: Seeded, client: Any) -> None:
    assert _import(kit, ella_source).exit_code == 0
    login = "/api/v1/users/actions/login/"
    password = USERS["alice"][0]
    assert client.post(login, json={"username": "alice", "password": "wrong-password-1"}).status_code == 401
    response = client.post(login, json={"username": "alice", "password": password})
    assert response.status_code == 200, response.json
    assert client.get("/api/v1/users/currentuser/").json["username"] == "alice"
    stored = {r["username"]: r["password"] for r in _rows(kit.env["DB_URL"], "user")}
    assert stored["alice"].startswith("$argon2")  # re-hashed at the first good login
    assert client.post(login, json={"username": "alice", "password": password}).status_code == 200
    expired = client.post(login, json={"username": "bob", "password": USERS["bob"][0]})
    assert expired.status_code == 401 and expired.json["error"] == "PasswordExpiredError"
    for name in ("carol", "dave"):  # locked, deactivated: still refused after the move
        assert client.post(login, json={"username": name, "password": USERS[name][0]}).status_code == 401


def test_a_thousand_analyses_import_and_verify(kit: Cli, pg: Any, tmp_path: Path) -> None:
    """Scale: 1,000 analyses (5,000 alleles, their genotypes and rounds) in one run, verified equal."""
    from tests.conftest import _create_database
    from tests.migration.ella_seed import seed

    seeded = seed(
        _create_database(pg, f"ella_scale_{id(tmp_path)}"), tmp_path / "files", analyses=1000, variants_per_analysis=5
    )
    started = dt.datetime.now(dt.UTC)
    result = _import(kit, seeded, "--json")
    elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["verification"]["equal"] is True
    assert report["verification"]["tables"]["analysis"]["target_rows"] == 1000
    assert report["verification"]["tables"]["allele"]["target_rows"] == 5004
    assert elapsed < 120, f"import of 1,000 analyses took {elapsed:.0f} s"
