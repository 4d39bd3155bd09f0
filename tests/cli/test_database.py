"""``ella-cli database``: make-production on empty / at head / behind, upgrade, compare, refresh, drop."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from ella_app.db import schema
from tests.conftest import Cli


def _cli_for(cli_env: dict[str, str], url: str) -> Cli:
    return Cli({**cli_env, "DB_URL": url})


def test_make_production_on_empty_database_creates_schema(cli_env, empty_db_url):
    cli = _cli_for(cli_env, empty_db_url)
    assert cli("database", "compare").exit_code == 1
    result = cli.ok("database", "make-production", "--json").json()
    assert result["changed"] is True and result["current"] == schema.head_revision()
    assert cli("database", "compare").exit_code == 0
    engine = create_engine(empty_db_url)
    with engine.connect() as conn:
        logged = conn.execute(text("SELECT user, command FROM clilog")).all()
    engine.dispose()
    assert [row[1] for row in logged] == ["make-production"]


def test_make_production_at_head_is_a_noop(cli_env, db_url):
    cli = _cli_for(cli_env, db_url)
    result = cli.ok("database", "make-production", "--json").json()
    assert result == {**result, "changed": False, "action": "none", "state": "head"}
    human = cli.ok("database", "make-production")
    assert "already at head" in human.stdout


def test_make_production_on_older_schema_points_to_upgrade(cli_env, empty_db_url):
    schema.upgrade(empty_db_url, "0001")
    cli = _cli_for(cli_env, empty_db_url)
    result = cli("database", "make-production")
    assert result.exit_code == 1
    assert "database upgrade" in result.stderr
    assert cli("database", "compare").exit_code == 1
    up = cli.ok("database", "upgrade", "--json").json()
    assert up["changed"] is True and up["from"] == "0001" and up["current"] == schema.head_revision()
    again = cli.ok("database", "upgrade", "--json").json()
    assert again["changed"] is False
    assert cli("database", "compare").exit_code == 0


def test_make_production_refuses_foreign_tables(cli_env, empty_db_url):
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE somebody_elses (id int)"))
    engine.dispose()
    result = _cli_for(cli_env, empty_db_url)("database", "make-production")
    assert result.exit_code == 1 and "not empty" in result.stderr


def test_current_and_refresh(cli):
    current = cli.ok("database", "current", "--json").json()
    assert current["state"] == "head" and current["current"] == current["head"]
    rows = cli.ok("database", "refresh", "--json").json()["rows"]
    assert rows["user"] == 0 and "genepanel" in rows


def test_drop_needs_typed_confirmation(cli, db_url):
    refused = cli("database", "drop", input="yes\n")
    assert refused.exit_code != 0
    assert schema.schema_state(db_url).state == "head"
    cli.ok("database", "drop", input="CONFIRM\n")
    assert schema.schema_state(db_url).state == "empty"


def test_drop_with_force(cli, db_url):
    cli.ok("database", "drop", "--force")
    assert schema.schema_state(db_url).state == "empty"


def test_missing_config_is_a_clear_error(cli_env, db_url):
    result = Cli({**cli_env, "ELLA_CONFIG": "/nonexistent/ella_config.yml"})("database", "current")
    assert result.exit_code == 2 and "/nonexistent/ella_config.yml" in result.stderr


def test_migrations_match_models_and_downgrade_cleanly(empty_db_url):
    from alembic import command

    from ella_app.db.session import get_engine

    schema.upgrade(empty_db_url, "head")
    with get_engine(empty_db_url).connect() as conn:
        cfg = schema._alembic_config(conn)
        command.check(cfg)  # raises when models and migrations disagree
        command.downgrade(cfg, "base")
        conn.commit()
    assert schema.schema_state(empty_db_url).state == "empty"
    schema.upgrade(empty_db_url, "head")
    assert schema.schema_state(empty_db_url).state == "head"
