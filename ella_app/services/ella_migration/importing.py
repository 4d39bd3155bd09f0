"""The import of an ELLA v1.17 database into the kit: parse (is it ELLA v1.17, is the target fresh), validate
(every row fits, every attachment file is there and whole), persist (one transaction, files copied and
checked before the commit), verify (counts and checksums per table).

Refusals leave both databases and the attachment storage as they were. A second run against a database
that already holds this import verifies it again and changes nothing."""

from __future__ import annotations

import datetime as dt
import grp
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2

from ella_app.db import schema
from ella_app.errors import ConfigError, ConflictError, EllaError, InputError, SchemaStateError
from ella_app.services import audit
from ella_app.services.ella_migration import attachments, persist
from ella_app.services.ella_migration.mapping import ELLA_REVISION
from ella_app.services.ella_migration.source import (
    Bindings,
    check_revision,
    connect,
    masked,
    server_timezone,
    source_snapshot,
)
from ella_app.services.ella_migration.validation import Plan, validate
from ella_app.services.ella_migration.verification import Verification, verify

PROBLEMS_SHOWN = 50  # in the error of a refused run; --dry-run lists them all (up to ROWS_LISTED per rule)


class UnmappableDataError(InputError):
    """Rows of the ELLA database that the kit's schema cannot hold: the import stops before writing."""

    def __init__(self, plan: Plan) -> None:
        shown = [str(p) for p in plan.problems[:PROBLEMS_SHOWN]]
        more = len(plan.problems) - len(shown)
        lines = "\n".join(f"  - {s}" for s in shown) + (f"\n  … and {more} more" if more > 0 else "")
        super().__init__(
            f"{plan.unmappable_rows} row(s) of the ELLA database cannot be imported; nothing was written "
            f"(--dry-run lists them all):\n{lines}"
        )
        self.plan = plan


class VerificationFailedError(EllaError):
    exit_code = 8


@dataclass
class ImportOutcome:
    action: str  # imported | dry-run | already-imported
    source: str
    plan: Plan | None = None
    written: dict[str, int] = field(default_factory=dict)
    files_copied: int = 0
    files_present: int = 0
    verification: Verification | None = None
    previous: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # validate, copy, verify

    @property
    def changed(self) -> bool:
        return self.action == "imported"

    def summary(self) -> str:
        return self.messages[0] if self.messages else self.action

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "changed": self.changed,
            "action": self.action,
            "source": self.source,
            "revision": ELLA_REVISION,
            "messages": self.messages,
        }
        if self.plan is not None:
            data["plan"] = self.plan.as_dict()
        if self.written:
            data["written"] = self.written
            data["rows"] = sum(self.written.values())
        if self.action == "imported":
            data["files"] = {"copied": self.files_copied, "already_present": self.files_present}
        if self.verification is not None:
            data["verification"] = self.verification.as_dict()
        if self.seconds:
            data["seconds"] = {k: round(v, 2) for k, v in self.seconds.items()}
        if self.previous is not None:
            data["previous_import"] = {k: str(v) for k, v in self.previous.items()}
        return data


def _sha256s(source: Any) -> Iterator[str]:
    with source.cursor(name="ella_import_files") as cur:
        cur.itersize = 5000
        cur.execute("SELECT DISTINCT sha256 FROM attachment ORDER BY sha256")
        for (sha,) in cur:
            yield str(sha)


def _record(target: Any, argv: list[str], reason: str | None, output: dict[str, Any]) -> None:
    """The audit row of the import; it also marks the database as holding this import."""
    with target.cursor() as cur:
        cur.execute(
            'INSERT INTO clilog ("time", "user", "group", groupcommand, command, argv, reason, output) '
            "VALUES (now(), %s, %s, %s, %s, %s, %s, %s)",
            (
                audit.operator_name(),
                _os_group(),
                persist.MARKER_GROUPCOMMAND,
                persist.MARKER_COMMAND,
                json.dumps(argv),
                reason,
                json.dumps(output, sort_keys=True),
            ),
        )


def _os_group() -> str | None:
    try:
        return grp.getgrgid(os.getgid()).gr_name
    except KeyError:
        return None


def masked_argv(argv: list[str]) -> list[str]:
    """The command line with any database URL's password hidden (it goes into the audit log)."""
    return [masked(a) if "://" in a else a for a in argv]


def _require_head(target_url: str) -> None:
    state = schema.schema_state(target_url)
    if state.state != "head":
        raise SchemaStateError(
            f"the kit's database {masked(target_url)} is {state.state} (revision {state.current or 'none'}, head "
            f"{state.head}): create it first with 'ella-cli database make-production' on an empty database"
        )


def _already_imported(
    source: Any, target: Any, source_url: str, storage: Path | None, progress: Callable[[str, int, int], None]
) -> ImportOutcome:
    previous = persist.previous_import(target)
    if previous is None:
        tables = persist.nonempty_tables(target)
        raise ConflictError(
            f"the kit's database is not empty (rows in {', '.join(sorted(tables))}): import-ella writes into a "
            "freshly made database only ('ella-cli database make-production' on an empty one); nothing was written"
        )
    bindings = Bindings(dt.datetime.fromisoformat(str(previous["started"])), str(previous.get("tz", "UTC")))
    verification = verify(source, target, bindings, storage, progress)
    if not verification.equal:
        raise ConflictError(
            f"the kit's database already holds an import of ELLA (at {previous['time']}), and it differs from "
            f"{masked(source_url)} now in: {', '.join(verification.differing)}; nothing was written"
        )
    return ImportOutcome(
        "already-imported",
        masked(source_url),
        verification=verification,
        previous=previous,
        messages=[
            f"nothing to do: the kit's database already holds this ELLA database (imported at {previous['time']}); "
            f"verification: all {len(verification.tables)} tables equal"
        ],
    )


def _persist(
    source: Any,
    target: Any,
    plan: Plan,
    bindings: Bindings,
    attachment_dir: Path | None,
    storage: Path | None,
    audit_entry: tuple[list[str], str | None],
    source_label: str,
    progress: Callable[[str, int, int], None],
) -> ImportOutcome:
    outcome = ImportOutcome("imported", source_label, plan=plan)
    totals = {t.target: t.rows for t in plan.tables}
    outcome.written = persist.copy_tables(source, target, bindings, totals, progress)
    short = {k: (v, outcome.written.get(k)) for k, v in totals.items() if outcome.written.get(k) != v}
    if short:
        raise persist.ImportFailedError(f"rows written differ from the rows read: {short}; nothing was written")
    argv, reason = audit_entry
    record = {
        "source": source_label,
        "revision": ELLA_REVISION,
        "started": bindings.started.isoformat(),
        "tz": bindings.tz,
        "rows": plan.rows,
        "attachment_files": plan.attachment_files,
    }
    _record(target, argv, reason, record)
    copied = attachments.CopiedFiles()
    if plan.attachment_files:
        assert attachment_dir is not None and storage is not None
        progress("copying attachment files", 0, plan.attachment_files)
        try:
            copied = attachments.copy_files(_sha256s(source), attachment_dir, storage)
        except (OSError, ValueError) as exc:
            raise persist.ImportFailedError(
                f"copying the attachment files failed: {exc}; nothing was written"
            ) from None
        progress("copying attachment files", plan.attachment_files, plan.attachment_files)
    try:
        target.commit()
    except BaseException:
        copied.undo()
        raise
    outcome.files_copied = sum(1 for path in copied.created if not path.name.endswith(".thumbnail"))
    outcome.files_present = copied.present
    return outcome


def import_ella(
    source_url: str,
    target_url: str,
    *,
    attachment_dir: Path | None,
    storage: Path | None,
    dry_run: bool,
    argv: list[str],
    reason: str | None,
    progress: Callable[[str, int, int], None],
) -> ImportOutcome:
    """Import the ELLA database at ``source_url`` (and the files of its attachments, under ``attachment_dir``)
    into the kit's database at ``target_url`` (attachment files into ``storage``)."""
    label = masked(source_url)
    with source_snapshot(source_url) as source:
        try:
            check_revision(source, source_url)
            _require_head(target_url)
            target = connect(target_url, what="kit's database")
        except psycopg2.Error as exc:
            raise _shape_error(exc, label) from None
        stage = "reading"
        try:
            persist.lock(target)
            if persist.previous_import(target) is not None or persist.nonempty_tables(target):
                return _already_imported(source, target, source_url, storage, progress)
            bindings = Bindings(dt.datetime.now(dt.UTC), server_timezone(source))
            clock = time.monotonic()
            plan = validate(source, bindings, attachment_dir, progress)
            validated = time.monotonic() - clock
            if dry_run:
                problems = f", {plan.unmappable_rows} cannot be imported" if plan.problems else ""
                return ImportOutcome(
                    "dry-run",
                    label,
                    plan=plan,
                    messages=[f"dry run: {plan.rows} rows in {len(plan.tables)} tables would be written{problems}"],
                )
            if plan.problems:
                raise UnmappableDataError(plan)
            if plan.attachment_files and storage is None:
                raise ConfigError("ATTACHMENT_STORAGE (or app.attachment_storage) is not set: where should files go?")
            clock = time.monotonic()
            stage = "writing"
            outcome = _persist(
                source, target, plan, bindings, attachment_dir, storage, (masked_argv(argv), reason), label, progress
            )
            copied = time.monotonic() - clock
            stage = "verifying"
            outcome.verification = verify(source, target, bindings, storage, progress)
            outcome.seconds = {"validate": validated, "copy": copied, "verify": time.monotonic() - clock - copied}
            target.rollback()  # verification only read
            outcome.messages.append(
                f"imported {plan.rows} rows in {len(plan.tables)} tables and {plan.attachment_files} attachment "
                f"files from {label}"
            )
            if not outcome.verification.equal:
                outcome.messages.append(f"verification DIFFERS in: {', '.join(outcome.verification.differing)}")
            return outcome
        except psycopg2.Error as exc:
            target.rollback()
            raise _database_error(exc, label, stage) from None
        except BaseException:
            target.rollback()
            raise
        finally:
            target.close()


def _shape_error(exc: psycopg2.Error, label: str) -> EllaError:
    detail = (getattr(exc.diag, "message_primary", None) or str(exc)).strip()
    return SchemaStateError(
        f"{label} does not have the shape of an ELLA v1.17 database ({detail}); nothing was written"
    )


def _database_error(exc: psycopg2.Error, label: str, stage: str) -> EllaError:
    """A database error named by the stage it stopped: reading ELLA, writing the kit, verifying after the commit."""
    if stage == "reading":
        return _shape_error(exc, label)
    detail = (getattr(exc.diag, "message_primary", None) or str(exc)).strip()
    if stage == "writing":
        return persist.ImportFailedError(f"the kit's database refused the import ({detail}); nothing was written")
    return VerificationFailedError(
        f"the import was committed, but the verification could not run ({detail}): run the same command again to verify"
    )
