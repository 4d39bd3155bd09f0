"""The transcripts of each allele's current annotation as rows (ELLA's ``annotationshadowtranscript``).

Search looks HGVS names, transcripts and genes up here instead of in the annotation JSON. Nothing in the
application writes this table: triggers on ``annotation`` (migration 0005) keep it equal to the
``transcripts`` of the current annotation of every allele, whoever writes the annotation (the importer's COPY
included). Its expression indexes (``lower(hgvsc)``, ``lower(hgvsp)``, ``text_pattern_ops`` for prefix
search) live in the migration only.
"""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base


class AnnotationShadowTranscript(Base):
    __tablename__ = "annotationshadowtranscript"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    allele_id: Mapped[int] = mapped_column(index=True)  # no foreign key: rows follow annotation rows
    hgnc_id: Mapped[int | None] = mapped_column(index=True)
    symbol: Mapped[str | None] = mapped_column(index=True)
    transcript: Mapped[str | None]
    protein: Mapped[str | None]
    hgvsc: Mapped[str | None]  # without the transcript part (``c.198A>G``), as ELLA keeps it
    hgvsp: Mapped[str | None]  # without the protein part (``p.Gly4Ter``)
