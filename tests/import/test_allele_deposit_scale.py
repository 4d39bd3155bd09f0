"""Exome scale: ``deposit alleles`` / ``deposit annotation`` stay linear (five times the records, not 25 times
the time), and a second run changes nothing. The suite runs 2k and 10k records (about 40 s);
``ELLA_DEPOSIT_SCALE=50000`` runs 10k and 50k, the figures in docs/import.md."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ella_app.db.models import Gene, GenePanel, GenePanelTranscript, Transcript
from ella_app.db.session import transaction
from ella_app.services.allele_deposit import deposit_alleles
from tests.support.vcfgen import write_vcf


def wide_panel(db_url: str) -> None:
    """A panel with one transcript per chromosome 1-22 over the positions vcfgen writes (from 100 000)."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        session.add(GenePanel(name="Exome", version="v1", genome_reference="GRCh37", official=True))
        for chrom in range(1, 23):
            session.add(Gene(hgnc_id=90000 + chrom, hgnc_symbol=f"G{chrom}"))
            session.flush()
            tx = Transcript(
                gene_id=90000 + chrom,
                transcript_name=f"NM_9{chrom:05d}.1",
                chromosome=str(chrom),
                tx_start=99000,
                tx_end=400000,
                strand="+",
                cds_start=99100,
                cds_end=399900,
                exon_starts=[99000],
                exon_ends=[400000],
            )
            session.add(tx)
            session.flush()
            session.add(
                GenePanelTranscript(
                    genepanel_name="Exome", genepanel_version="v1", transcript_id=tx.id, inheritance="AD"
                )
            )
        session.commit()
    engine.dispose()


def timed(db_url: str, vcf: Path, annotation_only: bool = False) -> tuple[float, dict]:
    started = time.perf_counter()
    with transaction(db_url) as session:
        report = deposit_alleles(session, vcf, genepanel=("Exome", "v1"), annotation_only=annotation_only)
    return time.perf_counter() - started, report.as_dict()


def test_50k_records_linear_and_idempotent(db_url: str, tmp_path: Path):
    wide_panel(db_url)
    n = int(os.environ.get("ELLA_DEPOSIT_SCALE", "10000"))
    small = write_vcf(tmp_path / "small.vcf", n // 5, ["PROBAND"], seed=3)
    big = write_vcf(tmp_path / "big.vcf", n, ["PROBAND"], seed=4)
    t_small, r_small = timed(db_url, small)
    assert r_small["alleles_created"] + r_small["alleles_existing"] == n // 5
    # the planner knows the new rows at once (as after a large analysis import), not after autovacuum
    assert "table_statistics" in r_small["timings"]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        estimated = dict(
            conn.execute(
                text(
                    "SELECT relname, reltuples::int FROM pg_class "
                    "WHERE relname IN ('allele', 'annotation', 'alleleinterpretation')"
                )
            ).all()
        )
    engine.dispose()
    assert estimated == dict.fromkeys(("allele", "annotation", "alleleinterpretation"), r_small["alleles_created"])
    t_big, r_big = timed(db_url, big)
    assert r_big["records"] == n and r_big["interpretations_created"] == r_big["alleles_created"]
    t_again, again = timed(db_url, big)
    assert again["changed"] is False and again["annotations_created"] == 0
    t_annotation, annotation = timed(db_url, big, annotation_only=True)
    assert annotation["changed"] is False
    print(f"\n{n // 5}: {t_small:.1f} s, {n}: {t_big:.1f} s, again: {t_again:.1f} s, annotation: {t_annotation:.1f} s")
    print(r_big["timings"], again["timings"], sep="\n")
    # linear: five times the records may cost at most ~8 times the time (quadratic would be 25 times)
    assert t_big < 8 * t_small + 5, (t_small, t_big)
    # a floor for catastrophes only (the ratio above is the real check): 10k took 10-14 s at load 4, 29 s at more
    assert t_big < n / 100 and t_again < n / 100
    engine = create_engine(db_url)
    with engine.connect() as conn:
        n_current = conn.execute(text("SELECT count(*) FROM annotation WHERE date_superceeded IS NULL")).scalar()
        n_alleles = conn.execute(text("SELECT count(*) FROM allele")).scalar()
    engine.dispose()
    assert n_current == n_alleles
