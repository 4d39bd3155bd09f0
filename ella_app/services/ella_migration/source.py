"""The two databases of an import: the ELLA database read in one consistent, read-only snapshot, the kit's
database written in one transaction. Opening them, naming them in messages (never with a password), and
binding the few values the mapping's SQL needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg2
from psycopg2 import sql
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from ella_app.errors import EllaError, InputError, SchemaStateError
from ella_app.services.ella_migration.mapping import ELLA_REVISION, OLDER_ELLA_REVISIONS


class SourceUnavailableError(EllaError):
    exit_code = 7


def masked(url: str) -> str:
    """``url`` with its password hidden (for messages, the audit log and reports)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def libpq_dsn(url: str, *, what: str) -> str:
    """A libpq connection string for a SQLAlchemy-style URL (``postgresql+psycopg2://`` accepted too)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"{what} is not a database URL (postgresql://user@host/database)") from None
    if parsed.get_backend_name() != "postgresql":
        raise InputError(f"{what} {masked(url)} is not a PostgreSQL URL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def connect(url: str, *, what: str) -> Any:
    """A psycopg2 connection; a clear error (without the password) when the server cannot be reached."""
    try:
        conn = psycopg2.connect(libpq_dsn(url, what=what))
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection failed"
        raise SourceUnavailableError(f"cannot connect to the {what} {masked(url)}: {first}") from None
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")  # timestamps render alike on both sides (checksums)
        cur.execute("SET extra_float_digits = 1")
    conn.commit()
    return conn


@contextmanager
def source_snapshot(url: str) -> Iterator[Any]:
    """The ELLA database in one REPEATABLE READ, READ ONLY transaction: validation, copy and verification see
    the same rows, and nothing is ever written there."""
    conn = connect(url, what="ELLA database")
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        yield conn
    finally:
        conn.rollback()
        conn.close()


def check_revision(conn: Any, url: str) -> None:
    """Refuse anything that is not an ELLA database at v1.17's last revision, saying what to do instead."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL")
        has_version = cur.fetchone()[0]
        revisions: list[str] = []
        if has_version:
            cur.execute("SELECT version_num FROM alembic_version")
            revisions = [r[0] for r in cur.fetchall()]
    where = masked(url)
    if not revisions:
        raise SchemaStateError(
            f"{where} has no alembic_version: it is not an ELLA database (ELLA v1.17, revision {ELLA_REVISION})"
        )
    if revisions == [ELLA_REVISION]:
        return
    revision = ", ".join(revisions)
    if len(revisions) == 1 and revisions[0] in OLDER_ELLA_REVISIONS:
        raise SchemaStateError(
            f"{where} is at ELLA schema revision {revision}, an older ELLA: upgrade it to ELLA v1.17 first "
            f"(ELLA's 'ella-cli database upgrade' to revision {ELLA_REVISION}), then import"
        )
    if len(revisions) == 1 and revisions[0][:4].isdigit():
        raise SchemaStateError(
            f"{where} is at revision {revision}: that is a database of this kit, not of ELLA; nothing to import"
        )
    raise SchemaStateError(
        f"{where} is at schema revision {revision}, which is not ELLA v1.17's {ELLA_REVISION}: only a database "
        "of ELLA v1.17 can be imported (a newer ELLA must be handled by a newer version of this kit)"
    )


def source_tables(conn: Any) -> set[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r[0] for r in cur.fetchall()}


@dataclass(frozen=True)
class Bindings:
    """The values the mapping's SQL names: ``:started`` (the time of the import) and ``:tz`` (the time zone of
    the ELLA server, in which ELLA wrote the dates of analyses)."""

    started: dt.datetime
    tz: str

    def apply(self, conn: Any, query: str) -> str:
        started = sql.Literal(self.started.isoformat()).as_string(conn)
        tz = sql.Literal(self.tz).as_string(conn)
        return query.replace(":started", f"{started}::timestamptz").replace(":tz", tz)


def server_timezone(conn: Any) -> str:
    """The ELLA server's configured time zone (the session here is set to UTC)."""
    with conn.cursor() as cur:
        cur.execute("SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'")
        row = cur.fetchone()
    return str(row[0]) if row and row[0] else "UTC"
