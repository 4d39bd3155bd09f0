"""``ella-cli database dump``, ``restore``, ``fingerprint``, ``current --json`` (known revisions) and ``webui path``:
what the kit's roles call instead of their own database clients."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ella_app.db import dumps, schema
from ella_app.errors import ConfigError
from tests.conftest import Cli, table_snapshot

ROOT = Path(__file__).resolve().parents[2]
# ella-cli's entry point in a process of its own (as tests/cli/test_service_processes.py starts the watcher):
# the console script of an editable install only works while the checkout it was installed from exists.
ELLA_CLI = [sys.executable, "-c", "from ella_app.cli.main import main; main()"]


def _execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _broadcasts(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT message FROM broadcast ORDER BY id"))]
    engine.dispose()
    return rows


def _run(cli_env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """ella-cli in a real process (standard input and output are files, as the kit passes them)."""
    return subprocess.run(
        [*ELLA_CLI, *args], env={**os.environ, **cli_env}, cwd=ROOT, capture_output=False, check=False, **kwargs
    )  # type: ignore[call-overload]


def test_current_lists_the_known_revisions(cli: Cli) -> None:
    current = cli.ok("database", "current", "--json").json()
    assert current["revisions"] == schema.known_revisions()
    assert current["revisions"][-1] == current["head"] == current["current"]


def test_dump_and_restore_round_trip(cli: Cli, db_url: str, tmp_path: Path) -> None:
    cli.ok("broadcast", "new", "before", "the", "dump")
    target = tmp_path / "ella.dump"
    dumped = cli.ok("database", "dump", str(target), "--json").json()
    assert dumped["changed"] is True and dumped["file"] == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and dumped["size"] == target.stat().st_size
    assert not target.with_name("ella.dump.part").exists()
    snapshot = table_snapshot(db_url)

    cli.ok("broadcast", "new", "after", "the", "dump")
    _execute(db_url, "CREATE TABLE stray (id int)")
    restored = cli.ok("database", "restore", str(target), "--force", "--json").json()
    assert restored == {
        "changed": True,
        "restored": str(target),
        "analyzed": True,
        "schema": "head",
        "audited": True,
    }
    assert table_snapshot(db_url) == snapshot  # the later broadcast and the stray table are gone
    assert _broadcasts(db_url) == ["before the dump"]
    logged = cli.ok("clilog", "list", "--json").stdout
    assert "restore" in logged
    assert cli("database", "compare").exit_code == 0


def test_a_dump_of_an_older_schema_is_restored_without_an_audit_row(
    cli_env: dict[str, str], empty_db_url: str, tmp_path: Path
) -> None:
    """This release's audit row may not fit the older schema's audit table: the upgrade that follows is audited."""
    schema.upgrade(empty_db_url, "0001")
    cli = Cli({**cli_env, "DB_URL": empty_db_url})
    target = tmp_path / "old.dump"
    cli.ok("database", "dump", str(target))
    schema.upgrade(empty_db_url, "head")
    restored = cli.ok("database", "restore", str(target), "--force", "--json").json()
    assert restored["changed"] is True and restored["schema"] == "behind" and restored["audited"] is False
    assert cli.ok("database", "current", "--json").json()["current"] == "0001"


def test_restore_asks_for_confirmation(cli: Cli, db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "ella.dump"
    cli.ok("database", "dump", str(target))
    cli.ok("broadcast", "new", "kept")
    refused = cli("database", "restore", str(target), input="no\n")
    assert refused.exit_code != 0 and "not confirmed" in refused.stderr
    assert _broadcasts(db_url) == ["kept"]


def test_restore_refuses_what_is_not_a_dump_and_changes_nothing(cli: Cli, db_url: str, tmp_path: Path) -> None:
    cli.ok("broadcast", "new", "kept")
    before = table_snapshot(db_url)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a dump\n")
    result = cli("database", "restore", str(bogus), "--force", "--json")
    assert result.exit_code == 2
    assert str(bogus) in result.stderr and "not a pg_dump custom-format archive" in result.stderr
    missing = cli("database", "restore", str(tmp_path / "nope.dump"), "--force")
    assert missing.exit_code == 2 and "no such dump file" in missing.stderr
    assert "Traceback" not in result.stderr + missing.stderr
    assert table_snapshot(db_url) == before


def test_a_truncated_dump_is_refused_before_anything_changes(cli: Cli, db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "ella.dump"
    cli.ok("database", "dump", str(target))
    data = target.read_bytes()
    target.write_bytes(data[: len(data) * 3 // 4])
    cli.ok("broadcast", "new", "kept")
    before = table_snapshot(db_url)
    result = cli("database", "restore", str(target), "--force")
    assert result.exit_code == 2 and "not a pg_dump custom-format archive" in result.stderr
    assert table_snapshot(db_url) == before


def test_a_restore_that_fails_half_way_is_rolled_back_as_a_whole(cli: Cli, db_url: str, tmp_path: Path) -> None:
    """The dump holds a schema of its own that the database still has: its CREATE SCHEMA fails after the public
    schema was dropped and part of the dump replayed; nothing of it stays."""
    _execute(db_url, "CREATE SCHEMA extra")
    target = tmp_path / "ella.dump"
    cli.ok("database", "dump", str(target))
    cli.ok("broadcast", "new", "kept")
    before = table_snapshot(db_url)
    result = cli("database", "restore", str(target), "--force")
    assert result.exit_code == 1
    assert "left as it was" in result.stderr and 'schema "extra" already exists' in result.stderr
    assert table_snapshot(db_url) == before and _broadcasts(db_url) == ["kept"]


def test_dump_refuses_a_missing_directory(cli: Cli, tmp_path: Path) -> None:
    result = cli("database", "dump", str(tmp_path / "no" / "such" / "ella.dump"))
    assert result.exit_code == 2 and "the directory does not exist" in result.stderr
    directory = cli("database", "dump", str(tmp_path))
    assert directory.exit_code == 2 and "is a directory" in directory.stderr


def test_dump_to_stdout_and_restore_from_stdin_as_root_hands_them_over(
    cli_env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    """The kit's backup wrapper opens root-only files and passes them as standard output and input."""
    Cli(cli_env).ok("broadcast", "new", "in the dump")
    target = tmp_path / "piped.dump"
    with target.open("w+b") as out:
        dumped = _run(cli_env, "database", "dump", "-", "--json", stdout=out, stderr=subprocess.PIPE)
    assert dumped.returncode == 0, dumped.stderr
    report = json.loads(dumped.stderr.decode().strip().splitlines()[-1])
    assert report["changed"] is True and report["size"] == target.stat().st_size > 0
    Cli(cli_env).ok("broadcast", "new", "not in the dump")
    with target.open("rb") as source:
        restored = _run(cli_env, "database", "restore", "-", "--force", "--json", stdin=source, stdout=subprocess.PIPE)
    assert restored.returncode == 0
    assert json.loads(restored.stdout)["restored"] == "standard input"
    assert _broadcasts(db_url) == ["in the dump"]


def test_dump_and_restore_refuse_pipes_for_standard_streams(cli_env: dict[str, str]) -> None:
    piped = _run(cli_env, "database", "dump", "-", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert piped.returncode == 2 and b"must be redirected to a file" in piped.stderr and piped.stdout == b""
    fed = _run(cli_env, "database", "restore", "-", "--force", input=b"x", stderr=subprocess.PIPE)
    assert fed.returncode == 2 and b"must be redirected from a dump file" in fed.stderr


def test_fingerprint_follows_the_schema_not_the_data(cli: Cli, db_url: str) -> None:
    first = cli.ok("database", "fingerprint", "--json").json()
    assert first["changed"] is False and len(first["fingerprint"]) == 64
    cli.ok("broadcast", "new", "data only")
    assert cli.ok("database", "fingerprint", "--json").json() == first
    _execute(db_url, "ALTER TABLE clilog ADD COLUMN probe int")
    assert cli.ok("database", "fingerprint", "--json").json()["fingerprint"] != first["fingerprint"]


def test_the_password_reaches_no_command_line_or_environment() -> None:
    env, password = dumps.libpq_env("postgresql://ella:s3cr%3At@db.example:5433/ella_db?sslmode=require")
    assert password == "s3cr:t"
    assert env == {
        "PGHOST": "db.example",
        "PGPORT": "5433",
        "PGUSER": "ella",
        "PGDATABASE": "ella_db",
        "PGSSLMODE": "require",
    }
    with dumps.client_env("postgresql://ella:s3cr%3At@db.example/ella_db") as client:
        assert "s3cr" not in json.dumps({k: v for k, v in client.items() if k != "PGPASSFILE"})
        passfile = Path(client["PGPASSFILE"])
        assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
        assert passfile.read_text() == "*:*:*:ella:s3cr\\:t\n"
    assert not passfile.exists()


def test_url_parts_are_unquoted_for_libpq_and_inherited_secrets_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mirrors what the kit's former ella-db helper was tested for (tests/deploy/test_upgrade.py)."""
    env, password = dumps.libpq_env(
        "postgresql://ella%40lab:p%3Aw%2Fd%5C@db.example.org:6543/ella_prod?sslmode=verify-full"
    )
    assert env == {
        "PGHOST": "db.example.org",
        "PGPORT": "6543",
        "PGUSER": "ella@lab",
        "PGDATABASE": "ella_prod",
        "PGSSLMODE": "verify-full",
    }
    assert password == "p:w/d\\"
    monkeypatch.setenv("PGPASSWORD", "leaked")
    monkeypatch.setenv("DB_URL", "postgresql://x:leaked@h/d")
    with dumps.client_env("postgresql://ella:pw@h/d") as client:
        assert "PGPASSWORD" not in client and "DB_URL" not in client
        assert Path(client["PGPASSFILE"]).read_text() == "*:*:*:ella:pw\n"
        assert stat.S_IMODE(Path(client["PGPASSFILE"]).parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("url", "problem"),
    [("mysql://u:p@h/d", "mysql URL"), ("postgresql://h/d", "no user"), ("not a url", "not a database URL")],
)
def test_bad_database_urls_are_named(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        dumps.libpq_env(url)


def test_webui_path_names_the_installed_static_files(cli: Cli) -> None:
    found = cli.ok("webui", "path", "--json").json()
    assert found == {"changed": False, "static": found["static"]}
    assert (Path(found["static"]) / "index.html").is_file()
    assert cli.ok("webui", "path").stdout.strip() == found["static"]


def test_webui_path_fails_clearly_without_static_files(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from ella_app.cli import webui

    monkeypatch.setattr(webui, "static_dir", lambda: tmp_path)
    result = cli("webui", "path", "--json")
    assert result.exit_code == 1 and "static files are missing" in result.stderr and "Traceback" not in result.stderr
