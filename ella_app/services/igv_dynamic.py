"""The dynamic tracks of the visual mode (ELLA spec §2.7, feature A11), written from the database: the gene
panel's transcripts (BED12), an analysis' variants (VCF) and their regions (BED), and the classified variants
a user may see (VCF). Also the track sources of an analysis the user may open."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, AlleleAssessment
from ella_app.services import access, igv_tracks
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import load_panel

VCF_HEADER = ("##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")


def _lines(lines: Iterable[str]) -> str:
    return "".join(line + "\n" for line in lines)


def vcf(rows: Iterable[tuple[str, int, str, str, str]]) -> str:
    """A minimal VCF of (chromosome, position, id, ref, alt), sorted."""
    return _lines([*VCF_HEADER, *(f"{c}\t{p}\t{i}\t{r}\t{a}\t.\t.\t." for c, p, i, r, a in sorted(rows))])


def genepanel_bed(session: Session, user: UserLike, name: str, version: str) -> str:
    """The panel's transcripts as BED12 (thick part: the coding region)."""
    access.require_panel(session, user, name, version)
    lines = []
    for tx in load_panel(session, name, version).transcripts:
        exons = sorted(zip(tx.exon_starts, tx.exon_ends, strict=False))
        sizes = ",".join(str(e - s) for s, e in exons)
        starts = ",".join(str(s - tx.tx_start) for s, _ in exons)
        cds = (tx.cds_start, tx.cds_end) if tx.cds_start is not None and tx.cds_end is not None else (tx.tx_start,) * 2
        lines.append(
            f"{tx.chromosome}\t{tx.tx_start}\t{tx.tx_end}\t{tx.symbol} ({tx.name})\t0\t{tx.strand}\t{cds[0]}\t{cds[1]}"
            f"\t0\t{len(exons)}\t{sizes}\t{starts}"
        )
    return _lines(lines)


_ANALYSIS_ALLELES = text(
    """
    SELECT a.id, a.chromosome, a.vcf_pos, a.vcf_ref, a.vcf_alt, a.start_position, a.open_end_position
    FROM allele a
    WHERE a.id IN (SELECT g.allele_id FROM genotypeallele g JOIN sample s ON s.id = g.sample_id
                   WHERE s.analysis_id = :analysis)
      AND (cardinality(CAST(:wanted AS int[])) = 0 OR a.id = ANY(CAST(:wanted AS int[])))
    """
)


def _analysis_alleles(
    session: Session, user: UserLike, analysis_id: int, allele_ids: Iterable[int]
) -> list[tuple[int, str, int, str, str, int, int]]:
    analysis = access.get_analysis(session, user, analysis_id)
    wanted = sorted(set(allele_ids))
    return [tuple(r) for r in session.execute(_ANALYSIS_ALLELES, {"analysis": analysis.id, "wanted": wanted})]  # type: ignore[misc]


def variants_vcf(session: Session, user: UserLike, analysis_id: int, allele_ids: Iterable[int] = ()) -> str:
    """The analysis' variants (all, or those of ``allele_ids``)."""
    rows = _analysis_alleles(session, user, analysis_id, allele_ids)
    return vcf((chrom, pos, str(i), ref, alt) for i, chrom, pos, ref, alt, _, _ in rows)


def regions_bed(session: Session, user: UserLike, analysis_id: int, allele_ids: Iterable[int] = ()) -> str:
    """One BED interval per variant of the analysis (at least one base long)."""
    rows = sorted((c, s, e, i) for i, c, _, _, _, s, e in _analysis_alleles(session, user, analysis_id, allele_ids))
    return _lines(f"{c}\t{s}\t{max(e, s + 1)}\tallele {i}" for c, s, e, i in rows)


def classifications_vcf(session: Session, user: UserLike) -> str:
    """The currently classified variants the user may see, with their class as the id."""
    query = (
        select(Allele.chromosome, Allele.vcf_pos, AlleleAssessment.classification, Allele.vcf_ref, Allele.vcf_alt)
        .join(AlleleAssessment, AlleleAssessment.allele_id == Allele.id)
        .where(AlleleAssessment.date_superceeded.is_(None), access.allele_allowed(user, Allele.id))
    )
    return vcf((c, p, f"class_{k}", r, a) for c, p, k, r, a in session.execute(query).tuples())


def track_sources(
    session: Session, user: UserLike, analysis_id: int, igv_data: Path, analyses_path: Path | None
) -> igv_tracks.TrackSources:
    analysis = access.get_analysis(session, user, analysis_id)
    return igv_tracks.TrackSources(
        igv_data=igv_data,
        analyses_path=analyses_path,
        analysis_id=analysis.id,
        analysis_name=analysis.name,
        genepanel=(analysis.genepanel_name, analysis.genepanel_version),
    )


def analysis_tracks_dir(session: Session, user: UserLike, analysis_id: int, analyses_path: Path) -> Path:
    """``$ANALYSES_PATH/<analysis name>/tracks`` of an analysis the user may open."""
    analysis = access.get_analysis(session, user, analysis_id)
    return igv_tracks.safe_dir(analyses_path, analysis.name, "tracks")


def group_name(user: UserLike) -> str:
    return user.group.name
