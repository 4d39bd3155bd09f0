"""Gene panels seen from variants (ELLA's ``workflows/alleles/<id>/genepanels/`` and
``workflows/{alleles,analyses}/<id>/genepanels/<name>/<version>/``; the gene choice of the variant workflow and the
gene popover): which of the caller's panels cover a variant, and a panel cut down to the variants' genes.

ELLA's rules: a panel covers a variant when one of its transcripts overlaps it (same chromosome; the variant
starts inside the transcript, or ends inside it); the cut-down panel holds the panel transcripts that are
transcripts of the variants' current annotation (matched without version), the panel's inheritance of those
transcripts, its phenotypes of the variants' genes and the current gene assessments of those genes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Allele,
    AnnotationShadowTranscript,
    Gene,
    GenePanel,
    GenePanelPhenotype,
    GenePanelTranscript,
    Phenotype,
    Transcript,
)
from ella_app.services import access, gene_assessments
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids


def _overlaps() -> Any:
    return and_(
        Allele.chromosome == Transcript.chromosome,
        or_(
            and_(Allele.start_position >= Transcript.tx_start, Allele.start_position <= Transcript.tx_end),
            and_(Allele.open_end_position > Transcript.tx_start, Allele.open_end_position < Transcript.tx_end),
        ),
    )


def covering_panels(session: Session, user: UserLike, allele_id: int) -> list[dict[str, Any]]:
    """The caller's official gene panels with a transcript overlapping the variant (404 for a variant the caller
    may not see)."""
    access.require_allele(session, user, allele_id)
    query = (
        select(GenePanel.name, GenePanel.version, GenePanel.official)
        .join(
            GenePanelTranscript,
            and_(
                GenePanelTranscript.genepanel_name == GenePanel.name,
                GenePanelTranscript.genepanel_version == GenePanel.version,
            ),
        )
        .join(Transcript, Transcript.id == GenePanelTranscript.transcript_id)
        .join(Allele, _overlaps())
        .where(
            Allele.id == allele_id,
            GenePanel.official.is_(True),
            access.panel_allowed(GenePanel.name, GenePanel.version, user.group_id),
        )
        .distinct()
        .order_by(GenePanel.name, GenePanel.version)
    )
    return [row._asdict() for row in session.execute(query)]


def _gene(hgnc_id: int, symbol: str) -> dict[str, Any]:
    return {"hgnc_id": hgnc_id, "hgnc_symbol": symbol}


def panel_for_alleles(
    session: Session, user: UserLike, allele_ids: Sequence[int], name: str, version: str
) -> dict[str, Any]:
    """The panel (one of the caller's, else 404) cut down to the genes and transcripts of the variants."""
    panel = access.get_genepanel(session, user, name, version)
    ids = access.require_alleles(session, user, allele_ids)
    genes = (
        sorted(
            {
                g
                for g in session.scalars(
                    select(AnnotationShadowTranscript.hgnc_id)
                    .where(AnnotationShadowTranscript.allele_id == int_ids(ids))
                    .distinct()
                )
                if g is not None
            }
        )
        if ids
        else []
    )
    annotated = (
        select(func.split_part(AnnotationShadowTranscript.transcript, ".", 1))
        .where(AnnotationShadowTranscript.allele_id == int_ids(ids or [0]))
        .scalar_subquery()
    )
    in_panel = and_(GenePanelTranscript.genepanel_name == name, GenePanelTranscript.genepanel_version == version)
    transcripts = session.execute(
        select(Transcript, Gene.hgnc_symbol, GenePanelTranscript.inheritance)
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .join(Gene, Gene.hgnc_id == Transcript.gene_id)
        .where(in_panel, func.split_part(Transcript.transcript_name, ".", 1).in_(annotated))
        .order_by(Transcript.transcript_name)
    ).tuples()
    transcript_json = []
    inheritances = []
    for tx, symbol, inheritance in transcripts:
        transcript_json.append(
            {
                "transcript_name": tx.transcript_name,
                "genome_reference": tx.genome_reference,
                "chromosome": tx.chromosome,
                "tx_start": tx.tx_start,
                "tx_end": tx.tx_end,
                "strand": tx.strand,
                "tags": tx.tags,
                "cds_start": tx.cds_start,
                "cds_end": tx.cds_end,
                "exon_starts": list(tx.exon_starts),
                "exon_ends": list(tx.exon_ends),
                "gene": _gene(tx.gene_id, symbol),
            }
        )
        inheritances.append({"hgnc_id": tx.gene_id, "inheritance": inheritance, "transcript_name": tx.transcript_name})
    phenotypes = session.execute(
        select(Phenotype, Gene.hgnc_symbol)
        .join(GenePanelPhenotype, GenePanelPhenotype.phenotype_id == Phenotype.id)
        .join(Gene, Gene.hgnc_id == Phenotype.gene_id)
        .where(
            GenePanelPhenotype.genepanel_name == name,
            GenePanelPhenotype.genepanel_version == version,
            Phenotype.gene_id == int_ids(genes or [0]),
        )
        .order_by(Phenotype.gene_id, Phenotype.id)
    ).tuples()
    return {
        "name": panel.name,
        "version": panel.version,
        "official": panel.official,
        "transcripts": transcript_json,
        "inheritances": inheritances,
        "phenotypes": [
            {
                "id": p.id,
                "description": p.description,
                "inheritance": p.inheritance,
                "omim_id": p.omim_id,
                "gene": _gene(p.gene_id, symbol),
            }
            for p, symbol in phenotypes
        ],
        "geneassessments": gene_assessments.current(session, user, genes),
    }
