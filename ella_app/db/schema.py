"""Schema administration behind ``ella-cli database …``: migrations, state checks, refresh, drop.

Migrations hold a PostgreSQL advisory lock, so that several hosts or processes starting at once never
run them concurrently.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
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


def known_revisions() -> list[str]:
    """Every migration this release packages, oldest first."""
    return _revisions_in_order()


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
    return _locked_migration(db_url, target, command.upgrade)


def _locked_migration(db_url: str, target: str, run: Any) -> tuple[SchemaState, SchemaState]:
    with get_engine(db_url).connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
        try:
            before = _state(connection)
            if before.state == "unknown":
                raise SchemaStateError(
                    f"the database has {before.tables} tables but no ELLA migration version; refusing to touch it"
                )
            run(_alembic_config(connection), target)
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


def resolve(revision: str, current: str | None) -> str | None:
    """The revision id ``revision`` names ("head", "base", an id or its prefix, or relative like "-1" from
    ``current``); SchemaStateError when it names none."""
    script = ScriptDirectory.from_config(_alembic_config())
    try:
        if revision == "base":
            return None
        if revision.startswith(("-", "+")) and revision[1:].isdigit():
            order = [None, *_revisions_in_order()]
            index = order.index(current) + int(revision)
            if not 0 <= index < len(order):
                raise SchemaStateError(f"{revision} from {current or 'base'} is beyond the migrations")
            return order[index]
        found = script.get_revision(revision)
    except SchemaStateError:
        raise
    except Exception as exc:  # alembic raises several kinds for unknown or ambiguous names
        raise SchemaStateError(f"no migration '{revision}': {exc}") from None
    if found is None:
        raise SchemaStateError(f"no migration '{revision}'")
    return found.revision


def downgrade(db_url: str, revision: str) -> dict[str, Any]:
    """Migrate the schema down to ``revision`` (ELLA's ``database downgrade``); a no-op when it is there."""
    before, after = _locked_migration(db_url, revision, command.downgrade)
    changed = before.current != after.current
    action = "downgraded" if changed else "none"
    return {"changed": changed, "action": action, "from": before.current, **after.as_dict()}


def history(db_url: str | None = None, revision_range: str | None = None) -> list[dict[str, Any]]:
    """The migrations, oldest first: id, parent, description, file, whether head and (given a database)
    whether applied. ``revision_range`` is Alembic's ``[start]:[end]`` (e.g. ``0002:head``)."""
    script = ScriptDirectory.from_config(_alembic_config())
    lower, upper = "base", "heads"
    if revision_range:
        if revision_range.count(":") != 1:
            raise SchemaStateError(f"a range is START:END (either may be empty), not '{revision_range}'")
        start, end = revision_range.split(":")
        lower, upper = start or "base", end or "heads"
    try:
        revisions = list(script.walk_revisions(lower, upper))
    except Exception as exc:
        raise SchemaStateError(f"bad range '{revision_range}': {exc}") from None
    current = schema_state(db_url).current if db_url else None
    applied = set()
    if current is not None:
        order = _revisions_in_order()
        applied = set(order[: order.index(current) + 1]) if current in order else set()
    return [
        {
            "revision": rev.revision,
            "down_revision": rev.down_revision,
            "description": (rev.doc or "").splitlines()[0] if rev.doc else "",
            "path": Path(rev.path).name if rev.path else None,
            "head": rev.is_head,
            "applied": rev.revision in applied if db_url else None,
            "current": rev.revision == current,
        }
        for rev in reversed(revisions)
    ]


def make(db_url: str) -> dict[str, Any]:
    """Create every table from the models on an empty database (ELLA's ``database make``, for development and
    tests). Like ELLA's it records no migration version: ``compare`` then fails and the services refuse the
    database; production databases are made with ``make_production``."""
    state = schema_state(db_url)
    if state.tables:
        raise SchemaStateError(
            f"the database is not empty ({state.tables} tables): 'database make' only fills an empty one"
        )
    from ella_app.db.models import Base

    with get_engine(db_url).begin() as connection:
        Base.metadata.create_all(connection)
    after = schema_state(db_url)
    return {"changed": True, "action": "created from the models", **after.as_dict()}


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
