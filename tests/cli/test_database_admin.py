"""``ella-cli database downgrade REV``, ``database history`` and ``database make`` (ELLA spec §1).

Mirrors ELLA src/cli/commands/database/database.py (downgrade/history through Alembic, logged; ``make`` creates
the tables from the models with the typed CONFIRM safeguard and writes no migration version).
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from ella_app.db import schema
from tests.conftest import Cli


def _clilog(db_url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT command, output FROM clilog ORDER BY id"))]
    engine.dispose()
    return rows


def test_history_lists_the_migrations_with_the_current_one(cli):
    migrations = cli.ok("database", "history", "--json").json()["migrations"]
    order = [m["revision"] for m in migrations]
    assert order[0] == "0001" and order[-1] == schema.head_revision()
    assert all(m["applied"] for m in migrations) and [m["current"] for m in migrations].count(True) == 1
    assert migrations[-1]["head"] and migrations[-1]["current"]
    assert migrations[1]["down_revision"] == "0001" and migrations[0]["description"]
    text_out = cli.ok("database", "history", "-v").stdout
    assert "* 0001  initial schema" in text_out and "parent: base" in text_out
    assert [
        m["revision"] for m in cli.ok("database", "history", "--range", ":0002", "--json").json()["migrations"]
    ] == [
        "0001",
        "0002",
    ]
    bad = cli("database", "history", "--range", "nonsense")
    assert bad.exit_code == 1 and "START:END" in bad.stderr


def test_downgrade_asks_for_confirm_then_migrates_down_and_logs_it(cli, db_url):
    head = schema.head_revision()
    refused = cli("database", "downgrade", "-1", input="yes\n")
    assert refused.exit_code == 1 and "nothing was changed" in refused.stderr
    assert schema.schema_state(db_url).current == head
    done = cli.ok(
        "database",
        "downgrade",
        "-1",
        input="CONFIRM\n",
    ).stdout
    previous = schema.schema_state(db_url).current
    assert previous != head and f"downgraded from {head} to {previous}" in done
    assert _clilog(db_url)[-1] == ("downgrade", f"{head} -> {previous}")
    again = cli.ok("database", "downgrade", previous, "--json").json()  # already there: no question, no change
    assert again["changed"] is False and again["current"] == previous
    assert cli("database", "compare").exit_code == 1
    assert cli.ok("database", "upgrade", "--json").json()["current"] == head


def test_downgrade_to_base_and_unknown_revisions(cli, db_url):
    unknown = cli("database", "downgrade", "nosuchrev", "--force")
    assert unknown.exit_code == 1 and "no migration 'nosuchrev'" in unknown.stderr
    assert cli.ok("database", "downgrade", "base", "--force", "--json").json()["current"] is None
    assert schema.schema_state(db_url).state == "empty"


def test_make_creates_the_tables_from_the_models_without_a_version(cli_env, empty_db_url):
    cli = Cli({**cli_env, "DB_URL": empty_db_url})
    refused = cli("database", "make", input="y\n")
    assert refused.exit_code == 1 and schema.schema_state(empty_db_url).state == "empty"
    made = cli.ok("database", "make", input="CONFIRM\n").stdout
    assert "tables created from the models" in made and "compare' will fail" in made
    engine = create_engine(empty_db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"analysis", "allele", "resourcelog", "uiexception", "clilog"} <= tables
    assert "alembic_version" not in tables  # as in ELLA: for development and tests only
    assert schema.schema_state(empty_db_url).state == "unknown"
    assert _clilog(empty_db_url) == [("make", "created from the models")]
    again = cli("database", "make", "--force")
    assert again.exit_code == 1 and "not empty" in again.stderr
