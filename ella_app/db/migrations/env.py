"""Alembic environment: runs on the connection handed over by ella_app.db.schema."""

from __future__ import annotations

from alembic import context

from ella_app.db.models import Base

target_metadata = Base.metadata


# Expression indexes cannot be compared by autogenerate; they are kept in step by hand.
_EXPRESSION_INDEXES = {
    "ix_reference_search",
    "ix_annotationshadowtranscript_hgvsc",
    "ix_annotationshadowtranscript_hgvsp",
    "ix_transcript_base_name",
}


# Tables of the database's own bookkeeping, written by triggers and read with plain SQL (no ORM model).
_TRIGGER_TABLES = {"worklistversion"}  # migration 0008, services/overview.py


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if type_ == "table" and name in _TRIGGER_TABLES:
        return False
    return not (type_ == "index" and name in _EXPRESSION_INDEXES)


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("ella_app migrations run through ella_app.db.schema, which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
