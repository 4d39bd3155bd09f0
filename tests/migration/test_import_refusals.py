"""``ella-cli database import-ella`` refusals: each is named (table, id, reason or what to do), exits non-zero,
and leaves the ELLA database, the kit's database and the attachment storage as they were."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import make_url

from tests.conftest import Cli, CliResult, _create_database, table_snapshot
from tests.migration.ella_seed import Seeded
from tests.support.pgcluster import PgCluster


def _sql(url: str, *statements: str) -> None:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*")) if root.exists() else []


def _refused(kit: Cli, seeded: Seeded, *args: str) -> CliResult:
    """Run the import, expecting a refusal that changes nothing anywhere."""
    target, storage = kit.env["DB_URL"], Path(kit.env["ATTACHMENT_STORAGE"])
    before = (table_snapshot(target), table_snapshot(seeded.url), _files(storage), _files(seeded.attachment_dir))
    result = kit("database", "import-ella", "--source", seeded.url, *args)
    assert result.exit_code != 0, result.stdout
    assert "Traceback" not in result.stderr
    after = (table_snapshot(target), table_snapshot(seeded.url), _files(storage), _files(seeded.attachment_dir))
    assert after == before
    return result


def _with_files(seeded: Seeded) -> tuple[str, str]:
    return ("--attachments", str(seeded.attachment_dir))


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        ("d6290a3fdf7b", "older ELLA: upgrade it to ELLA v1.17 first"),
        ("a1b2c3d4e5f6", "not ELLA v1.17's 4c2844fef850"),
        ("0004", "a database of this kit, not of ELLA"),
    ],
)
def test_wrong_revision_is_refused_with_what_to_do(kit: Cli, ella_source: Seeded, revision: str, expected: str) -> None:
    _sql(ella_source.url, f"UPDATE alembic_version SET version_num = '{revision}'")
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert expected in result.stderr and revision in result.stderr


def test_a_database_without_alembic_version_is_not_ella(kit: Cli, ella_source: Seeded) -> None:
    _sql(ella_source.url, "DROP TABLE alembic_version")
    assert "not an ELLA database" in _refused(kit, ella_source, *_with_files(ella_source)).stderr


def test_non_empty_target_is_refused(kit: Cli, ella_source: Seeded) -> None:
    kit.ok("broadcast", "new", "Welcome", "to", "the", "kit")
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert result.exit_code == 5
    assert "not empty (rows in broadcast)" in result.stderr and "nothing was written" in result.stderr


def test_target_without_schema_is_refused(kit: Cli, ella_source: Seeded, pg: PgCluster) -> None:
    bare = Cli({**kit.env, "DB_URL": _create_database(pg, f"bare_{os.getpid()}")})
    result = bare("database", "import-ella", "--source", ella_source.url, *_with_files(ella_source))
    assert result.exit_code == 1 and "make-production" in result.stderr


def test_missing_attachment_file_is_named(kit: Cli, ella_source: Seeded) -> None:
    victim = next(p for p in _files(ella_source.attachment_dir) if p.is_file() and "." not in p.name)
    victim.unlink()
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert result.exit_code == 2
    assert f"file {victim} is missing" in result.stderr and "attachment " in result.stderr


def test_damaged_attachment_file_is_named(kit: Cli, ella_source: Seeded) -> None:
    victim = next(p for p in _files(ella_source.attachment_dir) if p.is_file() and "." not in p.name)
    content = victim.read_bytes()
    victim.write_bytes(content[:-1] + bytes([content[-1] ^ 1]))  # same size, other bytes
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert "has SHA-256" in result.stderr and victim.name in result.stderr


def test_attachments_without_their_directory_are_refused(kit: Cli, ella_source: Seeded) -> None:
    result = _refused(kit, ella_source)
    assert "2 attachments, but no --attachments directory" in result.stderr


def test_assessment_of_a_missing_allele_is_named_and_nothing_written(kit: Cli, ella_source: Seeded) -> None:
    """A source whose foreign key was dropped at some point holds a classification of an allele that is gone."""
    _sql(
        ella_source.url,
        "ALTER TABLE alleleassessment DROP CONSTRAINT fk_alleleassessment_allele_id_allele",
        "UPDATE alleleassessment SET allele_id = 999999 WHERE id = 4",
    )
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert result.exit_code == 2
    assert "alleleassessment 4: allele_id is 999999, but allele has no row with that id" in result.stderr

    dry = kit("database", "import-ella", "--source", ella_source.url, *_with_files(ella_source), "--dry-run", "--json")
    assert dry.exit_code == 2
    problems = dry.json()["plan"]["problems"]
    assert {
        "table": "alleleassessment",
        "row": "4",
        "reason": "allele_id is 999999, but allele has no row with that id",
    } in problems


def test_rows_the_kit_keeps_unique_are_named(kit: Cli, ella_source: Seeded) -> None:
    """ELLA's allele key includes length and caller type; the kit's does not: such twins are named, not dropped."""
    _sql(
        ella_source.url,
        "INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, change_from, change_to, "
        "change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length) SELECT genome_reference, chromosome, "
        "start_position, open_end_position + 10, change_from, change_to, change_type, caller_type, vcf_pos, vcf_ref, "
        "vcf_alt, length + 10 FROM allele WHERE vcf_alt = '<DEL>'",
    )
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert "which the kit keeps unique" in result.stderr and "allele " in result.stderr


def test_unknown_table_in_the_source_is_named(kit: Cli, ella_source: Seeded) -> None:
    _sql(ella_source.url, "CREATE TABLE local_notes (id int)")
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert "local_notes: a table ELLA v1.17 does not have" in result.stderr


def test_unreachable_source_is_named_without_its_password(kit: Cli, ella_source: Seeded) -> None:
    url = "postgresql://ella:s3cret-pw@127.0.0.1:1/ella"
    result = kit("database", "import-ella", "--source", url)
    assert result.exit_code == 7 and "cannot connect to the ELLA database" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_the_source_password_stays_out_of_the_audit_log(kit: Cli, ella_source: Seeded) -> None:
    with_password = make_url(ella_source.url).set(password="s3cret-pw").render_as_string(hide_password=False)
    assert "s3cret-pw" in with_password
    result = kit("database", "import-ella", "--source", with_password, *_with_files(ella_source), "--json")
    assert result.exit_code == 0, result.stderr
    assert "s3cret-pw" not in result.stdout
    with psycopg2.connect(kit.env["DB_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT argv::text, output FROM clilog WHERE command = 'import-ella'")
        argv, output = cur.fetchone()
    conn.close()
    assert "s3cret-pw" not in argv + output and "***" in argv


def test_a_broken_link_the_validation_does_not_know_stops_the_import_before_the_commit(
    kit: Cli, ella_source: Seeded
) -> None:
    """The kit's foreign keys are checked again after the copy (they are off during it): an analysis naming a
    gene panel that is gone (ELLA's key dropped) stops the import, and nothing is written."""
    _sql(
        ella_source.url,
        "ALTER TABLE analysis DROP CONSTRAINT fk_analysis_genepanel_name_genepanel",
        "UPDATE analysis SET genepanel_version = 'v0.0.0-gone' WHERE id = 2",
    )
    result = _refused(kit, ella_source, *_with_files(ella_source))
    assert "a link of table analysis does not hold after the copy" in result.stderr
    assert "v0.0.0-gone" in result.stderr and "nothing was written" in result.stderr


def test_source_from_a_file_keeps_the_password_off_the_command_line(
    kit: Cli, ella_source: Seeded, tmp_path: Path
) -> None:
    url_file = tmp_path / "source.url"
    url_file.write_text(
        make_url(ella_source.url).set(password="s3cret-pw").render_as_string(hide_password=False) + "\n"
    )
    result = kit("database", "import-ella", "--source-file", str(url_file), *_with_files(ella_source), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "s3cret-pw" not in result.stdout and "would be written" in result.stdout
    empty = tmp_path / "empty.url"
    empty.write_text("\n")
    refused = kit("database", "import-ella", "--source-file", str(empty))
    assert refused.exit_code == 2 and f"{empty}, line 1: the first line should hold" in refused.stderr
    both = kit("database", "import-ella", "--source-file", str(url_file), "--source", ella_source.url)
    assert both.exit_code == 2 and "exactly one of --source" in both.stderr


def test_a_database_user_that_does_not_own_the_tables_is_refused_with_nothing_written(
    kit: Cli, ella_source: Seeded
) -> None:
    """The import takes the kit's foreign keys off for the copy, which needs the tables' owner."""
    role = f"importer_{os.getpid()}"
    _sql(
        kit.env["DB_URL"],
        f"CREATE ROLE {role} LOGIN",
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
    )
    other = Cli({**kit.env, "DB_URL": make_url(kit.env["DB_URL"]).set(username=role).render_as_string(False)})
    result = _refused(other, ella_source, *_with_files(ella_source))
    assert result.exit_code == 1
    assert "the kit's database refused the import (must be owner of table" in result.stderr
    assert "nothing was written" in result.stderr
