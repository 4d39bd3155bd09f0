"""Gene panels written through the models, for the import tests (until the panel deposit is used here)."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from ella_app.db.models import Gene, GenePanel, GenePanelTranscript, Transcript


def make_panel(db_url: str, name: str = "HBOC", version: str = "v1.0.0") -> None:
    """A small panel (BRCA1, BRCA2) written through the models, until the panel deposit is used here."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        genes = {1100: "BRCA1", 1101: "BRCA2"}
        for hgnc_id, symbol in genes.items():
            if session.get(Gene, hgnc_id) is None:
                session.add(Gene(hgnc_id=hgnc_id, hgnc_symbol=symbol))
        session.flush()
        transcripts = [
            ("NM_007294.3", 1100, "17", 41196311, 41277500, "-"),
            ("NM_000059.3", 1101, "13", 32889616, 32973809, "+"),
        ]
        panel = GenePanel(name=name, version=version, genome_reference="GRCh37", official=True)
        session.add(panel)
        for tx_name, gene_id, chrom, start, end, strand in transcripts:
            tx = session.query(Transcript).filter_by(transcript_name=tx_name).one_or_none()
            if tx is None:
                tx = Transcript(
                    gene_id=gene_id,
                    transcript_name=tx_name,
                    chromosome=chrom,
                    tx_start=start,
                    tx_end=end,
                    strand=strand,
                    cds_start=start + 100,
                    cds_end=end - 100,
                    exon_starts=[start],
                    exon_ends=[end],
                )
                session.add(tx)
                session.flush()
            session.add(
                GenePanelTranscript(
                    genepanel_name=name, genepanel_version=version, transcript_id=tx.id, inheritance="AD"
                )
            )
        session.commit()
    engine.dispose()
