"""Fixtures of the ELLA import tests: a generated ELLA v1.17 database with its attachment files, and a kit
database made the way a site makes it (``ella-cli database make-production`` on an empty database)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.conftest import Cli, _create_database
from tests.migration.ella_seed import Seeded, seed
from tests.support.pgcluster import PgCluster

_counter = itertools.count()


@pytest.fixture
def ella_source(pg: PgCluster, tmp_path: Path) -> Seeded:
    url = _create_database(pg, f"ella_src_{os.getpid()}_{next(_counter)}")
    return seed(url, tmp_path / "ella-attachments")


@pytest.fixture
def kit(cli_env: dict[str, str], empty_db_url: str) -> Cli:
    """ella-cli against a kit database made by 'database make-production' (its audit log holds that row)."""
    cli = Cli({**cli_env, "DB_URL": empty_db_url})
    cli.ok("database", "make-production")
    return cli
