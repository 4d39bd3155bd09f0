"""Shared fixtures: a real throwaway PostgreSQL cluster, a migrated database per test, a CLI runner."""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ella_app.cli.context import run_main
from ella_app.cli.main import cli as cli_group
from ella_app.db import schema
from ella_app.security import passwords
from tests.support.pgcluster import PgCluster

ROOT = Path(__file__).resolve().parents[1]
DEMO_FIXTURES = ROOT / "files" / "demo" / "fixtures"
EXAMPLE_CONFIG = ROOT / "files" / "ella_config.example.yml"
UPSTREAM = ROOT / "tests" / "data" / "ella-upstream"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests: the production ones cost ~0.5 s per hash on a small machine.

    Verification reads the parameters from each hash, so production hashes still verify.
    """
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    cluster = PgCluster().start()
    try:
        template = cluster.url("ella_template")
        _create_database(cluster, "ella_template")
        schema.make_production(template)
        schema.get_engine(template).dispose()
        yield cluster
    finally:
        cluster.stop()


def _create_database(cluster: PgCluster, name: str, template: str | None = None) -> str:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()
    return cluster.url(name)


@pytest.fixture
def empty_db_url(pg: PgCluster) -> str:
    """A new, empty database (no schema)."""
    return _create_database(pg, f"empty_{os.getpid()}_{next(_counter)}")


@pytest.fixture
def db_url(pg: PgCluster) -> str:
    """A new database with the schema at head."""
    return _create_database(pg, f"t_{os.getpid()}_{next(_counter)}", template="ella_template")


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout.strip().splitlines()[-1])


@dataclass
class Cli:
    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        runner = CliRunner()
        with runner.isolation(input=input, env=self.env) as streams:
            old_argv = sys.argv
            sys.argv = ["ella-cli", *args]
            try:
                run_main(cli_group, list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                sys.argv = old_argv
            out, err = streams[0].getvalue().decode(), streams[1].getvalue().decode()
        return CliResult(code, out, err)

    def ok(self, *args: str, input: str | None = None) -> CliResult:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    for sub in ("analyses/incoming", "analyses/imported", "attachments", "igv-data"):
        (data / sub).mkdir(parents=True)
    return {
        "ELLA_CONFIG": str(EXAMPLE_CONFIG),
        "DB_URL": db_url,
        "ANALYSES_PATH": str(data / "analyses/imported"),
        "ANALYSES_INCOMING": str(data / "analyses/incoming"),
        "ATTACHMENT_STORAGE": str(data / "attachments"),
        "IGV_DATA": str(data / "igv-data"),
        "ELLA_OPERATOR": "pytest",
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    """Runs ella-cli in-process against a database at head."""
    return Cli(cli_env)


def table_snapshot(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the audit log: for 'the database is unchanged' assertions."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        names = [
            r[0]
            for r in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            )
        ]
        snap = {
            name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in names
            if name != "clilog"
        }
    engine.dispose()
    return snap
