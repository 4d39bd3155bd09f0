"""Schema administration behind ``ella-cli database …``: migrations, state checks, refresh, drop.

Migrations hold a PostgreSQL advisory lock, so that several hosts or processes starting at once never
run them concurrently.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ella_app.db.session import get_engine
from ella_app.errors import SchemaStateError

MIGRATION_LOCK_ID = 0x454C4C41  # "ELLA"


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("ella_app.db").joinpath("migrations")))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "no migrations packaged"
    return head


def _revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(_alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@dataclass(frozen=True)
class SchemaState:
    """``empty``: no tables; ``head``: at the latest migration; ``behind``; ``unknown``: tables, no version."""

    state: str
    current: str | None
    head: str
    tables: int

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "current": self.current, "head": self.head, "tables": self.tables}


def _state(connection: Connection) -> SchemaState:
    tables = [t for t in inspect(connection).get_table_names(schema="public") if t != "alembic_version"]
    current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision()
    if not tables:
        state = "empty"
    elif current is None:
        state = "unknown"
    elif current == head:
        state = "head"
    elif current in _revisions_in_order():
        state = "behind"
    else:
        state = "unknown"
    return SchemaState(state, current, head, len(tables))


def schema_state(db_url: str) -> SchemaState:
    with get_engine(db_url).connect() as connection:
        return _state(connection)


def _locked_upgrade(db_url: str, target: str) -> tuple[SchemaState, SchemaState]:
    with get_engine(db_url).connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
        try:
            before = _state(connection)
            if before.state == "unknown":
                raise SchemaStateError(
                    f"the database has {before.tables} tables but no ELLA migration version; refusing to touch it"
                )
            command.upgrade(_alembic_config(connection), target)
            connection.commit()
            after = _state(connection)
        except BaseException:
            connection.rollback()  # a failed migration leaves nothing behind (the unlock below commits)
            raise
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
    return before, after


def make_production(db_url: str) -> dict[str, Any]:
    """Create the schema on an empty database; a no-op at head; an error on an older schema."""
    state = schema_state(db_url)
    if state.state == "head":
        return {"changed": False, "action": "none", "message": "database is already at head", **state.as_dict()}
    if state.state == "behind":
        raise SchemaStateError(
            f"database schema is at {state.current}, behind {state.head}: run 'ella-cli database upgrade'"
        )
    if state.state == "unknown":
        raise SchemaStateError(
            f"database is not empty ({state.tables} tables) and has no ELLA schema version; "
            "make-production needs an empty database"
        )
    before, after = _locked_upgrade(db_url, "head")
    refresh(db_url)
    changed = before.current != after.current
    return {
        "changed": changed,
        "action": "created" if changed else "none",
        "message": "schema created" if changed else "database is already at head",
        **after.as_dict(),
    }


def upgrade(db_url: str, revision: str = "head") -> dict[str, Any]:
    before, after = _locked_upgrade(db_url, revision)
    changed = before.current != after.current
    return {
        "changed": changed,
        "action": "upgraded" if changed else "none",
        "from": before.current,
        **after.as_dict(),
    }


def compare(db_url: str) -> SchemaState:
    """Raise SchemaStateError unless the schema is at head."""
    state = schema_state(db_url)
    if state.state != "head":
        raise SchemaStateError(
            f"database schema is not at head (state {state.state}, current {state.current}, head {state.head})"
        )
    return state


def refresh(db_url: str) -> dict[str, int]:
    """Refresh planner statistics and return row counts per table (needs a schema at head)."""
    compare(db_url)
    engine = get_engine(db_url)
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names(schema="public"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
        return {
            name: int(connection.execute(text(f'SELECT count(*) FROM public."{name}"')).scalar_one())
            for name in names
            if name != "alembic_version"
        }


def drop(db_url: str) -> None:
    """Remove every table: ``DROP SCHEMA public CASCADE`` and recreate it empty."""
    with get_engine(db_url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
