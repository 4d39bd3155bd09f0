"""Literature references (PubMed)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base, intpk


class Reference(Base):
    __tablename__ = "reference"
    __table_args__ = (
        Index(
            "ix_reference_search",
            text(
                "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(authors, '') "
                "|| ' ' || coalesce(journal, ''))"
            ),
            postgresql_using="gin",
        ),
    )

    id: Mapped[intpk]
    pubmed_id: Mapped[int | None] = mapped_column(unique=True)
    authors: Mapped[str | None]
    title: Mapped[str | None]
    journal: Mapped[str | None]
    abstract: Mapped[str | None]
    year: Mapped[str | None]
    published: Mapped[bool] = mapped_column(default=True)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))  # full text, if uploaded
