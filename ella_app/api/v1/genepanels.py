"""``/api/v1/genepanels/``: the gene panels of the caller's group, and one panel with genes and transcripts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import op, path_param, ref
from ella_app.api.v1 import params
from ella_app.db.models import GenePanel, GenePanelPhenotype, GenePanelTranscript, Phenotype, Transcript
from ella_app.services import access
from ella_app.services.filters.context import load_panel

bp = params.install(Blueprint("genepanels", __name__))


@bp.get("/genepanels/")
@login_required
def list_genepanels() -> Any:
    user = params.user()
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
    return jsonify(
        [
            {**_panel_json(panel), "gene_count": genes or 0, "transcript_count": transcripts or 0}
            for panel, genes, transcripts in db().execute(query).tuples()
        ]
    )


def _panel_json(panel: GenePanel) -> dict[str, Any]:
    return {
        "name": panel.name,
        "version": panel.version,
        "official": panel.official,
        "genome_reference": panel.genome_reference,
        "date_created": panel.date_created.isoformat() if panel.date_created else None,
    }


@bp.get("/genepanels/<name>/<version>/")
@login_required
def get_genepanel(name: str, version: str) -> Any:
    panel = access.get_genepanel(db(), params.user(), name, version)
    data = load_panel(db(), name, version)
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
    phenotypes = db().scalars(
        select(Phenotype)
        .join(GenePanelPhenotype, GenePanelPhenotype.phenotype_id == Phenotype.id)
        .where(GenePanelPhenotype.genepanel_name == name, GenePanelPhenotype.genepanel_version == version)
        .order_by(Phenotype.gene_id, Phenotype.id)
    )
    for phenotype in phenotypes:
        if phenotype.gene_id in genes:
            genes[phenotype.gene_id]["phenotypes"].append(
                {
                    "description": phenotype.description,
                    "inheritance": phenotype.inheritance,
                    "omim_id": phenotype.omim_id,
                }
            )
    return jsonify({**_panel_json(panel), "genes": sorted(genes.values(), key=lambda g: g["symbol"])})


PATHS = {
    "/genepanels/": {
        "get": op(
            "Gene panels of the caller's group", "genepanels", response={"type": "array", "items": ref("GenePanel")}
        )
    },
    "/genepanels/{name}/{version}/": {
        "get": op(
            "A gene panel with genes, transcripts and phenotypes",
            "genepanels",
            params=[path_param("name", "string"), path_param("version", "string")],
            response=ref("GenePanel"),
        )
    },
}
