"""Literature references: the deposit (upsert by PubMed id, reporting what was created, updated or
unchanged), and the API's search and get-or-create."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from ella_app.db.models import Reference
from ella_app.formats.references import ReferenceEntry
from ella_app.services.filters.context import int_ids
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


# ------------------------------------------------------------------------------------------ the API's reads


_SEARCH = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(authors, '') || ' ' || coalesce(journal, ''))"


def reference_json(ref_: Reference) -> dict[str, Any]:
    return {
        "id": ref_.id,
        "pubmed_id": ref_.pubmed_id,
        "title": ref_.title,
        "authors": ref_.authors,
        "journal": ref_.journal,
        "year": ref_.year,
        "abstract": ref_.abstract,
        "published": ref_.published,
    }


def search(
    session: Session,
    ids: Sequence[int],
    pubmed_ids: Sequence[int],
    words: str | None,
    page: int,
    per_page: int,
) -> tuple[list[dict[str, Any]], int]:
    """References by id, PubMed id and/or words in title, authors and journal; (page, total)."""
    query = select(Reference)
    if ids:
        query = query.where(Reference.id == int_ids(ids))
    if pubmed_ids:
        query = query.where(Reference.pubmed_id == int_ids(pubmed_ids))
    if words and words.strip():
        query = query.where(literal_column(_SEARCH).bool_op("@@")(func.plainto_tsquery("english", words)))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(Reference.id).offset((page - 1) * per_page).limit(per_page))
    return [reference_json(r) for r in rows], total


def get_or_create(session: Session, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A reference given by the user: the stored one when its PubMed id is known (created False), else a
    new one (published unless said otherwise when it has a PubMed id)."""
    fields = dict(data)
    pubmed_id = fields.get("pubmed_id")
    if pubmed_id is not None:
        existing = session.scalar(select(Reference).where(Reference.pubmed_id == pubmed_id))
        if existing is not None:
            return reference_json(existing), False
    reference = Reference(published=fields.pop("published", pubmed_id is not None), **fields)
    session.add(reference)
    session.flush()
    return reference_json(reference), True
