"""Analyses, their samples and the analysis workflow (interpretations, snapshots, logs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ella_app.db.base import Base, created_at, intpk, jsonb


class Analysis(Base):
    __tablename__ = "analysis"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_analysis_genepanel",
        ),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(unique=True)
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    warnings: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    date_requested: Mapped[dt.date | None]
    date_deposited: Mapped[created_at]
    properties: Mapped[jsonb]

    samples: Mapped[list[Sample]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", foreign_keys="Sample.analysis_id"
    )
    interpretations: Mapped[list[AnalysisInterpretation]] = relationship(cascade="all, delete-orphan")


class Sample(Base):
    __tablename__ = "sample"

    id: Mapped[intpk]
    identifier: Mapped[str]
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"), index=True)
    sample_type: Mapped[str] = mapped_column(default="HTS")  # HTS | Sanger
    proband: Mapped[bool] = mapped_column(default=True)
    family_id: Mapped[str | None]
    father_id: Mapped[int | None] = mapped_column(ForeignKey("sample.id", ondelete="SET NULL"))
    mother_id: Mapped[int | None] = mapped_column(ForeignKey("sample.id", ondelete="SET NULL"))
    sibling_id: Mapped[int | None] = mapped_column(ForeignKey("sample.id", ondelete="SET NULL"))
    sex: Mapped[str | None]  # Male | Female
    affected: Mapped[bool] = mapped_column(default=False)
    date_deposited: Mapped[created_at]

    analysis: Mapped[Analysis] = relationship(back_populates="samples", foreign_keys=[analysis_id])


class AnalysisInterpretation(Base):
    """A round of the analysis workflow (status Not started → Ongoing → Done)."""

    __tablename__ = "analysisinterpretation"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_analysisinterpretation_genepanel",
        ),
        CheckConstraint("status IN ('Not started', 'Ongoing', 'Done')", name="status"),
        CheckConstraint(
            "workflow_status IN ('Not ready', 'Interpretation', 'Review', 'Medical review')",
            name="workflow_status",
        ),
    )

    id: Mapped[intpk]
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"), index=True)
    genepanel_name: Mapped[str]
    genepanel_version: Mapped[str]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(default="Not started", index=True)
    workflow_status: Mapped[str] = mapped_column(default="Interpretation", index=True)
    finalized: Mapped[bool | None]
    state: Mapped[jsonb]
    user_state: Mapped[jsonb]
    date_created: Mapped[created_at]
    date_last_update: Mapped[created_at]


class AnalysisInterpretationSnapshot(Base):
    """What the interpreter saw for each allele when a round was finished."""

    __tablename__ = "analysisinterpretationsnapshot"

    id: Mapped[intpk]
    analysisinterpretation_id: Mapped[int] = mapped_column(
        ForeignKey("analysisinterpretation.id", ondelete="CASCADE"), index=True
    )
    allele_id: Mapped[int] = mapped_column(ForeignKey("allele.id"))
    annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotation.id"))
    alleleassessment_id: Mapped[int | None] = mapped_column(ForeignKey("alleleassessment.id"))
    allelereport_id: Mapped[int | None] = mapped_column(ForeignKey("allelereport.id"))
    filtered: Mapped[str | None]


class InterpretationStateHistory(Base):
    __tablename__ = "interpretationstatehistory"

    id: Mapped[intpk]
    analysisinterpretation_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysisinterpretation.id", ondelete="CASCADE")
    )
    alleleinterpretation_id: Mapped[int | None] = mapped_column(
        ForeignKey("alleleinterpretation.id", ondelete="CASCADE")
    )
    date_created: Mapped[created_at]
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class InterpretationLog(Base):
    """Work log: messages, priority changes, overview comments, cleared warnings."""

    __tablename__ = "interpretationlog"

    id: Mapped[intpk]
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"), index=True)
    allele_id: Mapped[int | None] = mapped_column(ForeignKey("allele.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    date_created: Mapped[created_at]
    message: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int | None]
    review_comment: Mapped[str | None]
    warning_cleared: Mapped[bool | None]
