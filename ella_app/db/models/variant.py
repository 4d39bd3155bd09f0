"""Alleles (shared across analyses), versioned annotation, genotypes with per-sample data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    column,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base, created_at, intpk, jsonb


class Allele(Base):
    __tablename__ = "allele"
    __table_args__ = (
        UniqueConstraint("genome_reference", "chromosome", "vcf_pos", "vcf_ref", "vcf_alt"),
        Index("ix_allele_region", "chromosome", "start_position", "open_end_position"),
        Index("ix_allele_start_position", "start_position"),  # position search without a chromosome
    )

    id: Mapped[intpk]
    genome_reference: Mapped[str] = mapped_column(default="GRCh37")
    chromosome: Mapped[str]
    start_position: Mapped[int] = mapped_column(BigInteger)
    open_end_position: Mapped[int] = mapped_column(BigInteger)
    change_from: Mapped[str]
    change_to: Mapped[str]
    change_type: Mapped[str]  # SNP, del, ins, indel, dup, ...
    caller_type: Mapped[str] = mapped_column(default="snv")  # snv | cnv
    vcf_pos: Mapped[int] = mapped_column(BigInteger)
    vcf_ref: Mapped[str]
    vcf_alt: Mapped[str]
    length: Mapped[int]
    date_added: Mapped[created_at]


class Annotation(Base):
    """Annotation of an allele. A new version supersedes the old one, which is kept."""

    __tablename__ = "annotation"
    __table_args__ = (
        Index("uq_annotation_current", "allele_id", unique=True, postgresql_where=text("date_superceeded IS NULL")),
    )

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    annotation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    schema_version: Mapped[int] = mapped_column(default=1)
    annotation_config_id: Mapped[int | None] = mapped_column(ForeignKey("annotationconfig.id"))
    previous_annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotation.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class CustomAnnotation(Base):
    """Annotation added by users (``annotations`` in ELLA's API). One current row per allele."""

    __tablename__ = "customannotation"
    __table_args__ = (
        Index(
            "uq_customannotation_current", "allele_id", unique=True, postgresql_where=text("date_superceeded IS NULL")
        ),
    )

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    annotation: Mapped[jsonb]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    previous_annotation_id: Mapped[int | None] = mapped_column(ForeignKey("customannotation.id"))
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]


class Genotype(Base):
    """A call in one sample; ``secondallele_id`` is set for compound (multiallelic) genotypes."""

    __tablename__ = "genotype"
    __table_args__ = (
        Index("ix_genotype_secondallele_id", "secondallele_id", postgresql_where=text("secondallele_id IS NOT NULL")),
    )

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    secondallele_id: Mapped[int | None] = mapped_column(ForeignKey("allele.id"))
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id", ondelete="CASCADE"), index=True)
    filter_status: Mapped[str | None]
    variant_quality: Mapped[float | None]


# The view ``genotypeallele`` (migration 0006): one row per allele of a genotype, both alleles of a compound
# genotype (``secondallele`` true for the second); every reader finds an analysis's alleles through it.
# Its ``genotypesampledata`` rows are those with the same genotype_id, sample and ``secondallele``.
GenotypeAllele = table(
    "genotypeallele",
    column("genotype_id", Integer),
    column("sample_id", Integer),
    column("allele_id", Integer),
    column("secondallele", Boolean),
    column("filter_status", String),
    column("variant_quality", Float),
)


class GenotypeSampleData(Base):
    """Per-sample genotype details (GT type, GQ, DP, AD, allele ratio, PL, CN)."""

    __tablename__ = "genotypesampledata"

    id: Mapped[intpk]
    genotype_id: Mapped[int] = mapped_column(ForeignKey("genotype.id", ondelete="CASCADE"), index=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id", ondelete="CASCADE"), index=True)
    secondallele: Mapped[bool] = mapped_column(default=False)
    multiallelic: Mapped[bool] = mapped_column(default=False)
    type: Mapped[str]  # Homozygous | Heterozygous | Reference | No coverage
    genotype_quality: Mapped[int | None]
    genotype_likelihood: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    sequencing_depth: Mapped[int | None]
    allele_depth: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    allele_ratio: Mapped[float | None]
    copy_number: Mapped[int | None]


class AlleleInterpretation(Base):
    """A round of the variant (allele) workflow."""

    __tablename__ = "alleleinterpretation"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_alleleinterpretation_genepanel",
        ),
        CheckConstraint("status IN ('Not started', 'Ongoing', 'Done')", name="status"),
        CheckConstraint("workflow_status IN ('Interpretation', 'Review')", name="workflow_status"),
    )

    id: Mapped[intpk]
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"), index=True)
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(default="Not started")  # Not started | Ongoing | Done
    workflow_status: Mapped[str] = mapped_column(default="Interpretation")  # Interpretation | Review
    finalized: Mapped[bool | None]
    state: Mapped[jsonb]
    user_state: Mapped[jsonb]
    date_created: Mapped[created_at]
    date_last_update: Mapped[created_at]
