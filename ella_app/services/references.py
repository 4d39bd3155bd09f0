"""Deposit literature references: upsert by PubMed id, report what was created, updated or unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Reference
from ella_app.formats.references import ReferenceEntry
from ella_app.services.results import ChangeReport, ProgressFn, no_progress

BATCH_SIZE = 500


def deposit_references(
    session: Session, entries: Sequence[ReferenceEntry], progress: ProgressFn = no_progress
) -> ChangeReport:
    """Create references that are new, update those whose given fields differ, leave the rest alone.

    Fields a line leaves out are not touched on an existing reference. Re-running the same file changes
    nothing.
    """
    report = ChangeReport(kind="references")
    total = len(entries)
    for start in range(0, total, BATCH_SIZE):
        batch = entries[start : start + BATCH_SIZE]
        existing = {
            ref.pubmed_id: ref
            for ref in session.scalars(select(Reference).where(Reference.pubmed_id.in_([e.pubmed_id for e in batch])))
        }
        for entry in batch:
            name = str(entry.pubmed_id)
            reference = existing.get(entry.pubmed_id)
            if reference is None:
                session.add(Reference(pubmed_id=entry.pubmed_id, **entry.fields))
                report.created.append(name)
                continue
            changed = {k: v for k, v in entry.fields.items() if getattr(reference, k) != v}
            for key, value in changed.items():
                setattr(reference, key, value)
            (report.updated if changed else report.unchanged).append(name)
        session.flush()
        progress("references", min(start + BATCH_SIZE, total), total)
    return report
