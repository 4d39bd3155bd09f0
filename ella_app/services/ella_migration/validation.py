"""Validation of an ELLA database before anything is written: every row either fits the kit's schema or is
named with the reason it does not (table, id, reason), and what is converted on the way is counted.

All queries run on the ELLA side, in the import's read-only snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.services.ella_migration import attachments
from ella_app.services.ella_migration.mapping import NOT_COPIED, TableMap, table_maps
from ella_app.services.ella_migration.source import Bindings, source_tables

ROWS_LISTED = 1000  # problem rows named per rule (the count is always complete)


@dataclass(frozen=True)
class Problem:
    table: str  # the ELLA table
    row: str  # the row's id (or key) in that table, or "" for a table-wide problem
    reason: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.reason}" if self.row else f"{self.table}: {self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "row": self.row, "reason": self.reason}


@dataclass
class TablePlan:
    target: str
    source: str
    rows: int
    conversions: dict[str, int] = field(default_factory=dict)  # what is converted -> rows affected

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "conversions": self.conversions}


@dataclass
class Plan:
    tables: list[TablePlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmappable_rows: int = 0  # all of them, also those beyond ROWS_LISTED
    attachment_files: int = 0
    attachment_bytes: int = 0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": {t.target: t.as_dict() for t in self.tables},
            "rows": self.rows,
            "unmappable_rows": self.unmappable_rows,
            "problems": [p.as_dict() for p in self.problems],
            "attachment_files": self.attachment_files,
            "attachment_bytes": self.attachment_bytes,
        }


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _listed(cur: Any, query: str) -> tuple[int, list[tuple[str, str | None]]]:
    """Run ``query`` (yielding a text key and a detail per row): the total and the first ROWS_LISTED rows."""
    cur.execute(f"SELECT count(*) OVER (), k, d FROM ({query}) q(k, d) ORDER BY k LIMIT {ROWS_LISTED}")
    rows = cur.fetchall()
    return (rows[0][0] if rows else 0), [(str(r[1]), r[2]) for r in rows]


def _rules(m: TableMap) -> list[tuple[str, str]]:
    """(query yielding a key and a detail for each unmappable row, reason; ``{}`` in it takes the detail)."""
    source = f"FROM {_q(m.source)} s"
    key = f"({m.source_key})::text"
    rules = [(f"SELECT {key}, NULL::text {source} WHERE {condition}", reason) for condition, reason in m.checks]
    for ref in m.references:
        rules.append(
            (
                f"SELECT {key}, s.{_q(ref.column)}::text {source} WHERE s.{_q(ref.column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {_q(ref.table)} r WHERE r.{_q(ref.target_column)} = s.{_q(ref.column)})",
                f"{ref.column} is {{}}, but {ref.table} has no row with that {ref.target_column}",
            )
        )
    for columns in m.unique:
        cols = ", ".join(f"s.{_q(c)}" for c in columns)
        not_null = " AND ".join(f"s.{_q(c)} IS NOT NULL" for c in columns)
        rules.append(
            (
                f"SELECT string_agg({key}, ', ' ORDER BY {key}), concat_ws(', ', {cols}) {source} "
                f"WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1",
                f"these rows have the same ({', '.join(columns)}) = ({{}}), which the kit keeps unique",
            )
        )
    return rules


def _check_table(cur: Any, m: TableMap, bindings: Bindings, conn: Any, plan: Plan) -> None:
    for query, reason in _rules(m):
        total, rows = _listed(cur, bindings.apply(conn, query))
        plan.unmappable_rows += total
        for key, detail in rows:
            plan.problems.append(Problem(m.source, key, reason.replace("{}", detail or "")))
        if total > len(rows):
            plan.problems.append(Problem(m.source, "", f"{total - len(rows)} more rows: {reason.replace('{}', '…')}"))


def _conversions(cur: Any, m: TableMap, bindings: Bindings, conn: Any) -> tuple[int, dict[str, int]]:
    counts = [f"count(*) FILTER (WHERE {condition})" for condition, _ in m.conversions]
    cur.execute(bindings.apply(conn, f"SELECT {', '.join(['count(*)', *counts])} FROM {_q(m.source)} s"))
    row = cur.fetchone()
    return int(row[0]), {text: int(n) for (_, text), n in zip(m.conversions, row[1:], strict=True) if n}


def attachment_rows(conn: Any) -> Any:
    """The attachment rows, streamed (a server-side cursor: memory flat in the number of rows)."""
    with conn.cursor(name="ella_import_attachments") as cur:
        cur.itersize = 5000
        cur.execute("SELECT id, sha256, size FROM attachment WHERE sha256 ~ '^[0-9a-f]{64}$' ORDER BY id")
        for row in cur:
            yield attachments.AttachmentRow(int(row[0]), str(row[1]), None if row[2] is None else int(row[2]))


def validate(
    conn: Any,
    bindings: Bindings,
    attachment_dir: Path | None,
    progress: Callable[[str, int, int], None],
) -> Plan:
    """What the import would write, table by table, and every row it could not."""
    plan = Plan()
    maps = table_maps()
    known = {m.source for m in maps} | set(NOT_COPIED)
    for table in sorted(source_tables(conn) - known):
        plan.problems.append(Problem(table, "", "a table ELLA v1.17 does not have; the import would not carry it over"))
        plan.unmappable_rows += 1
    with conn.cursor() as cur:
        for index, m in enumerate(maps):
            progress("checking the ELLA database", index, len(maps))
            rows, conversions = _conversions(cur, m, bindings, conn)
            plan.tables.append(TablePlan(m.target, m.source, rows, conversions))
            _check_table(cur, m, bindings, conn, plan)
        progress("checking the ELLA database", len(maps), len(maps))
        cur.execute("SELECT count(*) FROM attachment")
        attachment_count = int(cur.fetchone()[0])
    if attachment_count:
        if attachment_dir is None:
            plan.problems.append(
                Problem(
                    "attachment",
                    "",
                    f"{attachment_count} attachments, but no --attachments directory (ELLA's ATTACHMENT_STORAGE, "
                    "synced from the old host) was given",
                )
            )
            plan.unmappable_rows += attachment_count
        elif not attachment_dir.is_dir():
            plan.problems.append(Problem("attachment", "", f"attachment directory {attachment_dir} does not exist"))
            plan.unmappable_rows += attachment_count
        else:
            checked = attachments.check_files(attachment_rows(conn), attachment_dir)
            for attachment_id, reason in checked.problems[:ROWS_LISTED]:
                plan.problems.append(Problem("attachment", str(attachment_id), reason))
            plan.unmappable_rows += len(checked.problems)
            plan.attachment_files, plan.attachment_bytes = checked.files, checked.bytes
    return plan
