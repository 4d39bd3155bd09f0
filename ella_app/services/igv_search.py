"""The locus search of IGV's search box (ELLA's ``igv/search/?q=``): a gene symbol or a transcript name to the
region it spans. Gene coordinates are reference data (not patient data), as in ELLA open to every user.

ELLA's order: the gene whose symbol equals the term (any case), else the first gene (alphabetically) whose
symbol starts with it; its transcripts' span (lowest start, highest end) on their chromosome. Without a gene, a
term of at least nine characters is looked up as a transcript name (upper-cased): exactly, then any version of
it (``NM_000059`` finds ``NM_000059.3``), then by prefix. Nothing found: an empty list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ella_app.db.models import Gene, Transcript

MIN_TRANSCRIPT_TERM = 9


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _span(session: Session, condition: ColumnElement[bool]) -> list[dict[str, Any]]:
    row = session.execute(
        select(Transcript.chromosome, func.min(Transcript.tx_start), func.max(Transcript.tx_end))
        .where(condition)
        .group_by(Transcript.chromosome)
        .order_by(Transcript.chromosome)
        .limit(1)
    ).first()
    return [] if row is None else [{"chromosome": row[0], "start": row[1], "end": row[2]}]


def locus(session: Session, term: str) -> list[dict[str, Any]]:
    term = term.strip()
    if not term:
        return []
    lowered = term.lower()
    gene = session.scalar(select(Gene.hgnc_id).where(func.lower(Gene.hgnc_symbol) == lowered).limit(1))
    if gene is None:
        gene = session.scalar(
            select(Gene.hgnc_id)
            .where(func.lower(Gene.hgnc_symbol).like(_escape(lowered) + "%", escape="\\"))
            .order_by(Gene.hgnc_symbol)
            .limit(1)
        )
    if gene is not None:
        return _span(session, Transcript.gene_id == gene)
    if len(term) < MIN_TRANSCRIPT_TERM:
        return []
    upper = term.upper()
    for condition in (
        Transcript.transcript_name == upper,
        Transcript.transcript_name.like(_escape(upper) + ".%", escape="\\"),
        Transcript.transcript_name.like(_escape(upper) + "%", escape="\\"),
    ):
        found = _span(session, condition)
        if found:
            return found
    return []
