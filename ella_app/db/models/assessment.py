"""Clinical judgements. All append-only: a new row supersedes the old one, which is kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base, created_at, intpk, jsonb


class AlleleAssessment(Base):
    __tablename__ = "alleleassessment"
    __table_args__ = (
        Index(
            "uq_alleleassessment_current",
            "allele_id",
            unique=True,
            postgresql_where=text("date_superceeded IS NULL"),
        ),
    )

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    classification: Mapped[str]  # 1-5, U, NP, RF, DR (from the config)
    evaluation: Mapped[jsonb]  # ACMG criteria, comments
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    usergroup_id: Mapped[int | None] = mapped_column(ForeignKey("usergroup.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotation.id"))
    previous_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("alleleassessment.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class ReferenceAssessment(Base):
    __tablename__ = "referenceassessment"

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("reference.id"))
    evaluation: Mapped[jsonb]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    usergroup_id: Mapped[int | None] = mapped_column(ForeignKey("usergroup.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    previous_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("referenceassessment.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class AlleleReport(Base):
    __tablename__ = "allelereport"

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    evaluation: Mapped[jsonb]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    usergroup_id: Mapped[int | None] = mapped_column(ForeignKey("usergroup.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    alleleassessment_id: Mapped[int | None] = mapped_column(ForeignKey("alleleassessment.id"))
    previous_report_id: Mapped[int | None] = mapped_column(ForeignKey("allelereport.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class GeneAssessment(Base):
    """A comment on a gene. One current assessment per gene (ELLA's unique index on current rows)."""

    __tablename__ = "geneassessment"
    __table_args__ = (
        Index("uq_geneassessment_current", "gene_id", unique=True, postgresql_where=text("date_superceeded IS NULL")),
    )

    id: Mapped[intpk]
    gene_id: Mapped[int] = mapped_column(ForeignKey("gene.hgnc_id"), index=True)
    evaluation: Mapped[jsonb]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    usergroup_id: Mapped[int | None] = mapped_column(ForeignKey("usergroup.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    previous_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("geneassessment.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class Attachment(Base):
    """A file in content-addressed storage (``attachment_storage/<sha[:2]>/<sha256>``)."""

    __tablename__ = "attachment"

    id: Mapped[intpk]
    sha256: Mapped[str] = mapped_column(index=True)
    filename: Mapped[str]
    size: Mapped[int] = mapped_column(BigInteger)
    mimetype: Mapped[str | None]
    extension: Mapped[str | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    date_created: Mapped[created_at]


# Attachments of an allele assessment (ELLA's ``alleleassessmentattachment``).
AlleleAssessmentAttachment = Table(
    "alleleassessmentattachment",
    Base.metadata,
    Column("alleleassessment_id", ForeignKey("alleleassessment.id"), primary_key=True),
    Column("attachment_id", ForeignKey("attachment.id"), primary_key=True, index=True),
)
