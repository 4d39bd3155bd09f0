"""Filter results kept per analysis, filter config and gene panel, and the log of changes to their inputs.

``filterresult`` holds what a filter config lets through and removes for one analysis (computed once, read by
every request). ``filterinvalidation`` is append-only: database triggers (migration 0003) add a row whenever an
input of a result changes — a classification of one of the analysis' variants, a new annotation version of
one of them, a change to a gene panel's transcripts or phenotypes. A result records how many such rows of
each kind it saw; when the count differs, it is stale (``services/filter_results.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base, created_at, intpk

INVALIDATION_KINDS = ("annotation", "classification", "genepanel")


class FilterResult(Base):
    __tablename__ = "filterresult"
    __table_args__ = (
        UniqueConstraint(
            "analysis_id", "filterconfig_id", "genepanel_name", "genepanel_version", name="uq_filterresult_key"
        ),
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_filterresult_genepanel",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[intpk]
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"))
    filterconfig_id: Mapped[int] = mapped_column(ForeignKey("filterconfig.id", ondelete="CASCADE"), index=True)
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    # digest of the filter code and the parts of ella_config.yml the filters read
    fingerprint: Mapped[str]
    # invalidations seen per kind when computed (None: the config does not depend on that kind)
    annotation_input: Mapped[int | None]
    classification_input: Mapped[int | None]
    genepanel_input: Mapped[int | None]
    # when a classification the result relies on becomes outdated (exclude_outdated)
    valid_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    computed_at: Mapped[created_at]
    seconds: Mapped[float]
    allele_count: Mapped[int]
    passed: Mapped[list[int]] = mapped_column(ARRAY(Integer))  # in genomic order
    excluded: Mapped[dict[str, Any]] = mapped_column(JSONB)  # {filter name: [allele ids in genomic order]}
    unsupported: Mapped[list[str]] = mapped_column(JSONB)
    cnv: Mapped[list[int]] = mapped_column(ARRAY(Integer))  # the analysis' alleles called by a CNV caller
    error: Mapped[str | None]  # the config cannot be applied (the request answers 422 with it)


class FilterInvalidation(Base):
    __tablename__ = "filterinvalidation"
    __table_args__ = (
        CheckConstraint("kind IN ('annotation', 'classification', 'genepanel')", name="kind"),
        CheckConstraint("(analysis_id IS NULL) <> (genepanel_name IS NULL)", name="subject"),
        Index(
            "ix_filterinvalidation_analysis", "analysis_id", "kind", postgresql_where=text("analysis_id IS NOT NULL")
        ),
        Index(
            "ix_filterinvalidation_genepanel",
            "genepanel_name",
            "genepanel_version",
            postgresql_where=text("genepanel_name IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"))
    genepanel_name: Mapped[str | None]
    genepanel_version: Mapped[str | None]
    kind: Mapped[str]
    date_created: Mapped[created_at]
