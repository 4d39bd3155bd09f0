"""``/api/v1/genepanels/``: the gene panels of a user's group with their sizes, and one panel with its genes,
transcripts and phenotypes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ella_app.db.models import GenePanel, GenePanelPhenotype, GenePanelTranscript, Phenotype, Transcript
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import load_panel


def _panel_json(panel: GenePanel) -> dict[str, Any]:
    return {
        "name": panel.name,
        "version": panel.version,
        "official": panel.official,
        "genome_reference": panel.genome_reference,
        "date_created": panel.date_created.isoformat() if panel.date_created else None,
    }


def list_panels(session: Session, user: UserLike) -> list[dict[str, Any]]:
    counts = (
        select(
            GenePanelTranscript.genepanel_name,
            GenePanelTranscript.genepanel_version,
            func.count(func.distinct(Transcript.gene_id)),
            func.count(),
        )
        .join(Transcript, Transcript.id == GenePanelTranscript.transcript_id)
        .group_by(GenePanelTranscript.genepanel_name, GenePanelTranscript.genepanel_version)
        .subquery()
    )
    query = (
        select(GenePanel, counts.c[2], counts.c[3])
        .outerjoin(
            counts, (counts.c.genepanel_name == GenePanel.name) & (counts.c.genepanel_version == GenePanel.version)
        )
        .where(access.panel_allowed(GenePanel.name, GenePanel.version, user.group_id))
        .order_by(GenePanel.name, GenePanel.version)
    )
    return [
        {**_panel_json(panel), "gene_count": genes or 0, "transcript_count": transcripts or 0}
        for panel, genes, transcripts in session.execute(query).tuples()
    ]


def panel_detail(session: Session, user: UserLike, name: str, version: str) -> dict[str, Any]:
    panel = access.get_genepanel(session, user, name, version)
    data = load_panel(session, name, version)
    genes: dict[int, dict[str, Any]] = {}
    for tx in data.transcripts:
        gene = genes.setdefault(
            tx.gene_id,
            {
                "hgnc_id": tx.gene_id,
                "symbol": tx.symbol,
                "inheritance": data.inheritance_text(tx.gene_id),
                "transcripts": [],
                "phenotypes": [],
            },
        )
        gene["transcripts"].append(
            {
                "transcript_name": tx.name,
                "chromosome": tx.chromosome,
                "tx_start": tx.tx_start,
                "tx_end": tx.tx_end,
                "strand": tx.strand,
                "cds_start": tx.cds_start,
                "cds_end": tx.cds_end,
                "exon_starts": list(tx.exon_starts),
                "exon_ends": list(tx.exon_ends),
                "inheritance": tx.inheritance,
            }
        )
    phenotypes = session.execute(
        select(Phenotype.gene_id, Phenotype.description, Phenotype.inheritance, Phenotype.omim_id)
        .join(GenePanelPhenotype, GenePanelPhenotype.phenotype_id == Phenotype.id)
        .where(GenePanelPhenotype.genepanel_name == name, GenePanelPhenotype.genepanel_version == version)
        .order_by(Phenotype.gene_id, Phenotype.id)
    ).tuples()
    for gene_id, description, inheritance, omim_id in phenotypes:
        if gene_id in genes:
            genes[gene_id]["phenotypes"].append(
                {"description": description, "inheritance": inheritance, "omim_id": omim_id}
            )
    return {**_panel_json(panel), "genes": sorted(genes.values(), key=lambda g: g["symbol"])}
