"""Genes, transcripts, phenotypes and gene panels (ELLA's panel folder format)."""

from __future__ import annotations

from sqlalchemy import ARRAY, ForeignKey, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ella_app.db.base import Base, created_at, intpk


class Gene(Base):
    __tablename__ = "gene"

    hgnc_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hgnc_symbol: Mapped[str] = mapped_column(String, index=True)


class Transcript(Base):
    __tablename__ = "transcript"

    id: Mapped[intpk]
    gene_id: Mapped[int] = mapped_column(ForeignKey("gene.hgnc_id"), index=True)
    transcript_name: Mapped[str] = mapped_column(String, unique=True)
    type: Mapped[str] = mapped_column(String, default="RefSeq")
    tags: Mapped[list[str] | None] = mapped_column(ARRAY(String))
    genome_reference: Mapped[str] = mapped_column(String, default="GRCh37")
    chromosome: Mapped[str] = mapped_column(String)
    tx_start: Mapped[int]
    tx_end: Mapped[int]
    strand: Mapped[str] = mapped_column(String(1))
    cds_start: Mapped[int | None]
    cds_end: Mapped[int | None]
    exon_starts: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    exon_ends: Mapped[list[int]] = mapped_column(ARRAY(Integer))

    gene: Mapped[Gene] = relationship()


class Phenotype(Base):
    __tablename__ = "phenotype"
    __table_args__ = (UniqueConstraint("gene_id", "description", "inheritance"),)

    id: Mapped[intpk]
    gene_id: Mapped[int] = mapped_column(ForeignKey("gene.hgnc_id"), index=True)
    description: Mapped[str]
    inheritance: Mapped[str]
    omim_id: Mapped[int | None]

    gene: Mapped[Gene] = relationship()


class GenePanel(Base):
    __tablename__ = "genepanel"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[str] = mapped_column(String, primary_key=True)
    genome_reference: Mapped[str] = mapped_column(String, default="GRCh37")
    official: Mapped[bool] = mapped_column(default=True)
    date_created: Mapped[created_at]
    # who made a custom (non-official) panel; ALTERed in, as user -> usergroup -> genepanel closes a cycle
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True))

    transcripts: Mapped[list[GenePanelTranscript]] = relationship(
        back_populates="genepanel", cascade="all, delete-orphan"
    )
    phenotypes: Mapped[list[GenePanelPhenotype]] = relationship(cascade="all, delete-orphan")


class GenePanelTranscript(Base):
    __tablename__ = "genepanel_transcript"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            ondelete="CASCADE",
            name="fk_genepanel_transcript_genepanel",
        ),
    )

    genepanel_name: Mapped[str] = mapped_column(primary_key=True)
    genepanel_version: Mapped[str] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id"), primary_key=True)
    inheritance: Mapped[str]

    genepanel: Mapped[GenePanel] = relationship(back_populates="transcripts")
    transcript: Mapped[Transcript] = relationship()


class GenePanelPhenotype(Base):
    __tablename__ = "genepanel_phenotype"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            ondelete="CASCADE",
            name="fk_genepanel_phenotype_genepanel",
        ),
    )

    genepanel_name: Mapped[str] = mapped_column(primary_key=True)
    genepanel_version: Mapped[str] = mapped_column(primary_key=True)
    phenotype_id: Mapped[int] = mapped_column(ForeignKey("phenotype.id"), primary_key=True)

    phenotype: Mapped[Phenotype] = relationship()
