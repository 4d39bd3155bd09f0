"""Writing an ELLA database into the kit's schema: every table with COPY, streamed, in one transaction on the
target, ELLA's ids kept; then the links that close a cycle (a user group's default import panel), the id
sequences, and the audit row that marks the import.

The target transaction is the caller's: nothing here commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg2

from ella_app.errors import EllaError
from ella_app.services.ella_migration.copying import stream_copy
from ella_app.services.ella_migration.mapping import table_maps
from ella_app.services.ella_migration.source import Bindings

MARKER_GROUPCOMMAND = "database"
MARKER_COMMAND = "import-ella"
IMPORT_LOCK_ID = 0x454C4C49  # "ELLI": one import at a time on a target


class ImportFailedError(EllaError):
    """The target refused a row the validation let through (nothing was written)."""

    exit_code = 1


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lock(target: Any) -> None:
    with target.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (IMPORT_LOCK_ID,))


def nonempty_tables(target: Any) -> dict[str, int]:
    """Mapped target tables that hold rows (counted up to 1 each: enough to refuse). The kit's own logs do not
    count ('database make-production' wrote its audit row, health checks their request rows)."""
    found: dict[str, int] = {}
    with target.cursor() as cur:
        for m in table_maps():
            if m.kit_log:
                continue
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(m.target)})")
            if cur.fetchone()[0]:
                found[m.target] = 1
    return found


def previous_import(target: Any) -> dict[str, Any] | None:
    """What the last import into this database recorded in the audit log, or None."""
    with target.cursor() as cur:
        cur.execute(
            'SELECT id, "time", output FROM clilog WHERE groupcommand = %s AND command = %s ORDER BY id DESC LIMIT 1',
            (MARKER_GROUPCOMMAND, MARKER_COMMAND),
        )
        row = cur.fetchone()
    if row is None:
        return None
    try:
        recorded = json.loads(row[2] or "{}")
    except ValueError:
        return None
    if not isinstance(recorded, dict) or "started" not in recorded:
        return None
    return {"audit_id": row[0], "time": row[1], **recorded}


def copy_tables(
    source: Any,
    target: Any,
    bindings: Bindings,
    totals: dict[str, int],
    progress: Callable[[str, int, int], None],
) -> dict[str, int]:
    """COPY every table; returns the rows written per target table."""
    written: dict[str, int] = {}
    _worklist_version_now(target)
    _make_room_in_logs(source, target)
    foreign_keys = _drop_foreign_keys(target)
    invalidation = _filter_invalidation_triggers(target)
    _set_triggers(target, invalidation, enabled=False)
    for m in table_maps():
        total = totals.get(m.target, 0)
        label = f"copying {m.target}"
        progress(label, 0, total)
        if total == 0:
            written[m.target] = 0
            continue
        columns = ", ".join(_q(c) for c in m.columns)
        try:
            written[m.target] = stream_copy(
                source,
                bindings.apply(source, m.copy_select()),
                target,
                f"COPY {_q(m.target)} ({columns}) FROM STDIN",
                lambda n, label=label, total=total: progress(label, n, total),
            )
        except psycopg2.Error as exc:
            detail = (exc.diag.message_primary or str(exc)).strip()
            extra = f" ({exc.diag.message_detail})" if exc.diag.message_detail else ""
            raise ImportFailedError(
                f"the kit's database refused a row of ELLA's {m.source} table: {detail}{extra}; nothing was written"
            ) from None
        progress(label, written[m.target], total)
    _close_cycles(source, target)
    _restore_foreign_keys(target, foreign_keys, progress)
    _set_triggers(target, invalidation, enabled=True)
    _set_sequences(target)
    return written


def _worklist_version_now(target: Any) -> None:
    """The worklists' version (migration 0008) is raised by a trigger deferred to the commit; deferred events
    pending on a table forbid the ALTER TABLEs of the copy, so in the import's transaction it fires at once."""
    with target.cursor() as cur:
        cur.execute("SET CONSTRAINTS worklist_changed IMMEDIATE")


def _drop_foreign_keys(target: Any) -> list[tuple[str, str, str]]:
    """The kit's foreign keys among the tables the import writes, dropped for the copy (inside the import's
    transaction) as pg_restore does: checked once per key afterwards instead of once per row."""
    tables = [m.target for m in table_maps()]
    with target.cursor() as cur:
        cur.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace "
            "AND c.conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            ([_q(t) for t in tables] + tables,),
        )
        keys = [(str(r[0]), str(r[1]), str(r[2])) for r in cur.fetchall()]
        for table, name, _ in keys:
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_q(name)}")
    return keys


def _restore_foreign_keys(
    target: Any, keys: list[tuple[str, str, str]], progress: Callable[[str, int, int], None]
) -> None:
    """Each foreign key back as it was, validated against all copied rows (a violation stops the import)."""
    with target.cursor() as cur:
        for index, (table, name, definition) in enumerate(keys):
            progress("checking the links", index, len(keys))
            try:
                cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_q(name)} {definition}")
            except psycopg2.Error as exc:
                detail = (exc.diag.message_detail or exc.diag.message_primary or str(exc)).strip()
                raise ImportFailedError(
                    f"a link of table {table} does not hold after the copy ({name}: {detail}); nothing was written"
                ) from None
        progress("checking the links", len(keys), len(keys))


def _filter_invalidation_triggers(target: Any) -> list[tuple[str, str]]:
    """The kit's triggers that mark stored filter results stale (migration 0003). A fresh database has no
    stored results, so they are off for the copy instead of firing for every copied classification."""
    with target.cursor() as cur:
        cur.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal "
            "AND t.tgname LIKE 'filterinvalidation%%' ORDER BY 1, 2"
        )
        return [(str(r[0]), str(r[1])) for r in cur.fetchall()]


def _set_triggers(target: Any, triggers: list[tuple[str, str]], *, enabled: bool) -> None:
    with target.cursor() as cur:
        for table, name in triggers:
            cur.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER {_q(name)}")


def _make_room_in_logs(source: Any, target: Any) -> None:
    """The kit's own log rows (make-production's audit row, health checks' requests) move after ELLA's ids, so
    ELLA's logs keep their ids and the kit's rows stay in order after them."""
    for m in table_maps():
        if not m.kit_log:
            continue
        with source.cursor() as cur:
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {_q(m.source)}")
            offset = int(cur.fetchone()[0])
        if offset:
            with target.cursor() as cur:
                cur.execute(f"UPDATE {_q(m.target)} SET id = -id")
                cur.execute(f"UPDATE {_q(m.target)} SET id = -id + %s", (offset,))


def _close_cycles(source: Any, target: Any) -> None:
    """Links written after both sides exist: a user group's default import panel (panels name their user)."""
    with source.cursor() as cur:
        cur.execute(
            "SELECT id, default_import_genepanel_name, default_import_genepanel_version FROM usergroup "
            "WHERE default_import_genepanel_name IS NOT NULL OR default_import_genepanel_version IS NOT NULL"
        )
        rows = cur.fetchall()
    if rows:
        with target.cursor() as cur:
            cur.executemany(
                "UPDATE usergroup SET default_import_genepanel_name = %s, default_import_genepanel_version = %s "
                "WHERE id = %s",
                [(name, version, group_id) for group_id, name, version in rows],
            )


def _set_sequences(target: Any) -> None:
    """Each id sequence continues after the largest id copied (ELLA's ids were kept)."""
    with target.cursor() as cur:
        for m in table_maps():
            if not m.serial:
                continue
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (_q(m.target),))
            sequence = cur.fetchone()[0]
            if sequence is None:
                continue
            cur.execute(
                f"SELECT setval(%s, coalesce(max(id), 0) + 1, false) FROM {_q(m.target)}",
                (sequence,),
            )
