"""The verification report: per table, the row count on both sides and a checksum of every copied column
(classifications, evaluations with their criteria and comments, dates, users, links, states …).

The checksum is order-free and streams on the server: the sum over rows of the first 64 bits of the MD5 of
the row's text form. The ELLA side is the mapping's SELECT (the values as the kit stores them), the kit's
side the same columns of the target table; both sessions render timestamps in UTC."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.services.ella_migration import attachments
from ella_app.services.ella_migration.mapping import TableMap, table_maps
from ella_app.services.ella_migration.source import Bindings


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _summed(query: str) -> str:
    return (
        "SELECT count(*), coalesce(sum(('x' || left(md5(q::text), 16))::bit(64)::bigint::numeric), 0)::text "
        f"FROM ({query}) q"
    )


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def equal(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_rows": self.source_rows,
            "target_rows": self.target_rows,
            "source_checksum": self.source_checksum,
            "target_checksum": self.target_checksum,
            "equal": self.equal,
        }


@dataclass
class Verification:
    tables: list[TableCheck] = field(default_factory=list)
    attachment_files: int = 0
    attachment_problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return all(t.equal for t in self.tables) and not self.attachment_problems

    @property
    def differing(self) -> list[str]:
        return [t.table for t in self.tables if not t.equal] + (
            ["attachment files"] if self.attachment_problems else []
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "tables": {t.table: t.as_dict() for t in self.tables},
            "attachment_files": self.attachment_files,
            "attachment_problems": self.attachment_problems,
        }

    def lines(self) -> list[str]:
        width = max((len(t.table) for t in self.tables), default=5)
        out = [f"{'table':<{width}}  {'ELLA rows':>10}  {'kit rows':>10}  checksum"]
        for t in self.tables:
            mark = "equal" if t.equal else f"DIFFERENT (ELLA {t.source_checksum}, kit {t.target_checksum})"
            out.append(
                f"{t.table:<{width}}  {t.source_rows:>10}  {t.target_rows:>10}  {_short(t.source_checksum)} {mark}"
            )
        out.append(f"attachment files: {self.attachment_files} verified")
        out.extend(f"attachment file problem: {p}" for p in self.attachment_problems)
        return out


def _short(checksum: str) -> str:
    return hashlib.sha256(checksum.encode()).hexdigest()[:12]


def _checksum(conn: Any, query: str) -> tuple[int, str]:
    with conn.cursor() as cur:
        cur.execute(_summed(query))
        count, total = cur.fetchone()
    return int(count), _short(str(total))


def _target_query(m: TableMap, source_max_id: int | None) -> str:
    columns = ", ".join(f"t.{_q(c)}" for c in m.columns)
    where = ""
    if m.kit_log:
        where = f" WHERE t.id <= {int(source_max_id or 0)}"
    return f"SELECT {columns} FROM {_q(m.target)} t{where}"


def _source_max_id(source: Any, m: TableMap) -> int | None:
    if not m.kit_log:
        return None
    with source.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {_q(m.source)}")
        return int(cur.fetchone()[0])


def verify(
    source: Any,
    target: Any,
    bindings: Bindings,
    storage: Path | None,
    progress: Callable[[str, int, int], None],
) -> Verification:
    """Compare every mapped table, and the attachment files in ``storage``."""
    result = Verification()
    maps = table_maps()
    for index, m in enumerate(maps):
        progress("verifying", index, len(maps))
        source_rows, source_sum = _checksum(source, bindings.apply(source, m.select))
        target_rows, target_sum = _checksum(target, _target_query(m, _source_max_id(source, m)))
        result.tables.append(TableCheck(m.target, source_rows, target_rows, source_sum, target_sum))
    progress("verifying", len(maps), len(maps))
    with target.cursor(name="ella_import_verify_files") as cur:
        cur.itersize = 5000
        cur.execute("SELECT DISTINCT sha256 FROM attachment ORDER BY sha256")
        for (sha,) in cur:
            path = attachments.stored_path(storage, sha) if storage is not None else None
            if path is None or not path.is_file():
                result.attachment_problems.append(f"{sha}: not in the attachment storage")
            elif attachments.file_sha256(path) != sha:
                result.attachment_problems.append(f"{path}: content does not match its SHA-256")
            else:
                result.attachment_files += 1
    return result
