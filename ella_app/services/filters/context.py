"""What the filters (and the variant views) know about a set of alleles: loaded once, in a few queries.

* the gene panel: transcripts with exons, coding region, inheritance, and phenotype inheritance per gene;
* per allele: position, current annotation (or the one a snapshot names), the proband's call (FILTER, QUAL),
  the per-sample genotype data, and the current classification (with its outdated flag).

The annotation JSON is written by the importer (``formats/annotation_config.py``); every reader here is
tolerant: a missing or oddly shaped key reads as "no data", never as an error.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, Integer, any_, literal, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    AlleleReport,
    Annotation,
    Gene,
    GenePanelPhenotype,
    GenePanelTranscript,
    GenotypeAllele,
    GenotypeSampleData,
    Phenotype,
    Sample,
    Transcript,
)

# Sequence Ontology consequences, most severe first (Ensembl VEP's order).
CONSEQUENCE_ORDER = (
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "transcript_amplification",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_region_variant",
    "splice_donor_5th_base_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "feature_elongation",
    "regulatory_region_variant",
    "feature_truncation",
    "intergenic_variant",
)
_RANK = {name: index for index, name in enumerate(CONSEQUENCE_ORDER)}


def consequence_rank(consequence: str) -> int:
    return _RANK.get(consequence, len(CONSEQUENCE_ORDER))


def base_name(transcript: str) -> str:
    """``NM_000059.3`` → ``NM_000059`` (panel and annotation versions may differ)."""
    return transcript.split(".", 1)[0]


def int_ids(ids: Iterable[int]) -> Any:
    """``column == int_ids(ids)`` is ``column = ANY(ARRAY[...])``: one parameter however many ids."""
    return any_(literal(sorted(set(ids)), ARRAY(Integer)))


# ------------------------------------------------------------------------------------------ data classes


@dataclass(frozen=True)
class SampleData:
    id: int
    identifier: str
    proband: bool
    affected: bool
    sex: str | None
    family_id: str | None
    father_id: int | None
    mother_id: int | None
    sibling_id: int | None
    sample_type: str


@dataclass(frozen=True)
class GenotypeData:
    sample_id: int
    type: str
    genotype_quality: int | None
    sequencing_depth: int | None
    allele_depth: dict[str, Any] | None
    allele_ratio: float | None
    genotype_likelihood: list[int] | None
    copy_number: int | None
    multiallelic: bool
    # the call (VCF FILTER and QUAL) of the genotype row this sample's data belongs to
    filter_status: str | None = None
    variant_quality: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "genotype_quality": self.genotype_quality,
            "sequencing_depth": self.sequencing_depth,
            "allele_depth": self.allele_depth,
            "allele_ratio": self.allele_ratio,
            "genotype_likelihood": self.genotype_likelihood,
            "copy_number": self.copy_number,
            "multiallelic": self.multiallelic,
        }


@dataclass(frozen=True)
class AssessmentData:
    id: int
    classification: str
    date_created: dt.datetime
    outdated: bool


@dataclass
class AlleleData:
    id: int
    genome_reference: str
    chromosome: str
    start_position: int
    open_end_position: int
    vcf_pos: int
    vcf_ref: str
    vcf_alt: str
    change_type: str
    change_from: str
    change_to: str
    length: int
    caller_type: str
    annotation: dict[str, Any] = field(default_factory=dict)
    annotation_id: int | None = None
    filter_status: str | None = None
    variant_quality: float | None = None
    genotypes: dict[int, GenotypeData] = field(default_factory=dict)  # by sample id
    assessment: AssessmentData | None = None
    report_id: int | None = None

    def transcripts(self) -> list[dict[str, Any]]:
        value = self.annotation.get("transcripts")
        return (
            [t for t in value if isinstance(t, dict) and isinstance(t.get("transcript"), str)]
            if isinstance(value, list)
            else []
        )

    def frequencies(self) -> dict[str, Any]:
        value = self.annotation.get("frequencies")
        return value if isinstance(value, dict) else {}

    def external(self) -> dict[str, Any]:
        value = self.annotation.get("external")
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class PanelTranscript:
    name: str
    gene_id: int
    symbol: str
    chromosome: str
    tx_start: int
    tx_end: int
    strand: str
    cds_start: int | None
    cds_end: int | None
    exon_starts: tuple[int, ...]
    exon_ends: tuple[int, ...]
    inheritance: str


@dataclass
class PanelData:
    name: str
    version: str
    transcripts: list[PanelTranscript]
    phenotype_inheritance: dict[int, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_base: dict[str, list[PanelTranscript]] = {}
        self.symbols: dict[int, str] = {}
        self.gene_by_symbol: dict[str, int] = {}
        self.transcript_inheritance: dict[int, set[str]] = {}
        self.inheritance_values: dict[int, list[str]] = {}
        for tx in self.transcripts:
            self.by_base.setdefault(base_name(tx.name), []).append(tx)
            self.symbols[tx.gene_id] = tx.symbol
            self.gene_by_symbol.setdefault(tx.symbol, tx.gene_id)
            self.transcript_inheritance.setdefault(tx.gene_id, set()).update(_split_inheritance(tx.inheritance))
            self.inheritance_values.setdefault(tx.gene_id, []).append(tx.inheritance or "")

    def only_inheritance(self, gene_id: int, mode: str) -> bool:
        """Every panel transcript of the gene has exactly this inheritance text (ELLA's "distinct AD/AR")."""
        values = self.inheritance_values.get(gene_id)
        return bool(values) and all(v == mode for v in values)

    def inheritance(self, gene_id: int) -> set[str]:
        """Modes of inheritance of a gene: the panel transcripts', else its phenotypes'."""
        found = self.transcript_inheritance.get(gene_id) or self.phenotype_inheritance.get(gene_id) or set()
        return {m for m in found if m not in ("", "N/A")}

    def inheritance_text(self, gene_id: int) -> str:
        return "/".join(sorted(self.inheritance(gene_id)))


def match_panel(allele: AlleleData, panel: PanelData) -> list[tuple[dict[str, Any], PanelTranscript]]:
    """The allele's annotation transcripts that are panel transcripts (version ignored), with the panel one."""
    return [
        (annotated, tx)
        for annotated in allele.transcripts()
        for tx in panel.by_base.get(base_name(annotated["transcript"]), ())
    ]


def _transcript_version(name: str) -> float:
    """``NM_1.2`` → 2; a version with a suffix (``2_dupl18``) ranks half below; none ranks lowest."""
    _, _, version = name.partition(".")
    digits = re.match(r"[0-9]+", version)
    if digits is None:
        return float("-inf")
    return int(digits.group()) - (0.5 if digits.group() != version else 0.0)


def _split_inheritance(value: str | None) -> set[str]:
    return {part.strip() for part in re.split(r"[/,;]", value or "") if part.strip()}


@dataclass
class FilterContext:
    app_config: dict[str, Any]
    panel: PanelData
    samples: list[SampleData]
    alleles: dict[int, AlleleData]
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        self._matches: dict[int, list[tuple[dict[str, Any], PanelTranscript]]] = {}
        self._panel_annotation: dict[int, list[tuple[dict[str, Any], PanelTranscript]]] = {}

    @property
    def proband_ids(self) -> list[int]:
        return [s.id for s in self.samples if s.proband]

    def sample(self, sample_id: int | None) -> SampleData | None:
        return next((s for s in self.samples if s.id == sample_id), None) if sample_id is not None else None

    def annotation_hgnc_id(self, transcript: Mapping[str, Any]) -> int | None:
        """The HGNC id of an annotation transcript: its ``hgnc_id``, else the panel gene of its symbol.

        ELLA's VEP converter fills a missing HGNC id from the gene symbol; our importer keeps the VEP field
        as it is, so the panel's symbols stand in for that lookup.
        """
        value = transcript.get("hgnc_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        symbol = transcript.get("symbol")
        return self.panel.gene_by_symbol.get(symbol) if isinstance(symbol, str) else None

    def annotation_genes(self, allele_id: int, regex: re.Pattern[str] | None = None) -> set[int]:
        """HGNC ids of every annotation transcript of the allele (those whose name ``regex`` finds, if given)."""
        found = set()
        for t in self.alleles[allele_id].transcripts():
            if regex is not None and not regex.search(t["transcript"]):
                continue
            gene_id = self.annotation_hgnc_id(t)
            if gene_id is not None:
                found.add(gene_id)
        return found

    def genepanel_annotation(self, allele_id: int) -> list[tuple[dict[str, Any], PanelTranscript]]:
        """ELLA's pairing of annotation transcripts with panel transcripts: same name without version and
        same gene; per panel transcript one annotation transcript, the one with the panel's exact version,
        else the highest version."""
        found = self._panel_annotation.get(allele_id)
        if found is not None:
            return found
        best: dict[str, tuple[tuple[bool, float], dict[str, Any], PanelTranscript]] = {}
        for annotated in self.alleles[allele_id].transcripts():
            name = annotated["transcript"]
            gene_id = self.annotation_hgnc_id(annotated)
            for tx in self.panel.by_base.get(base_name(name), ()):
                if gene_id is not None and gene_id != tx.gene_id:
                    continue
                rank = (name == tx.name, _transcript_version(name))
                current = best.get(tx.name)
                if current is None or rank > current[0]:
                    best[tx.name] = (rank, annotated, tx)
        found = [(annotated, tx) for _, annotated, tx in best.values()]
        self._panel_annotation[allele_id] = found
        return found

    def proband_genotypes(self, allele_id: int) -> list[GenotypeData]:
        allele = self.alleles[allele_id]
        return [allele.genotypes[s] for s in self.proband_ids if s in allele.genotypes]

    def panel_transcripts(self, allele_id: int) -> list[tuple[dict[str, Any], PanelTranscript]]:
        """Annotation transcripts that are panel transcripts (version ignored), with the panel transcript."""
        found = self._matches.get(allele_id)
        if found is None:
            found = match_panel(self.alleles[allele_id], self.panel)
            self._matches[allele_id] = found
        return found

    def genes(self, allele_id: int) -> set[int]:
        """HGNC ids of the panel genes the allele's annotation places it in."""
        return {tx.gene_id for _, tx in self.panel_transcripts(allele_id)}

    def inclusion_regex(self) -> re.Pattern[str] | None:
        pattern = self.app_config.get("transcripts", {}).get("inclusion_regex")
        if not isinstance(pattern, str) or not pattern:
            return None
        try:
            return re.compile(pattern)
        except re.error:
            return None


# ------------------------------------------------------------------------------------------ loading


def outdated_after_days(app_config: Mapping[str, Any]) -> dict[str, int]:
    options = app_config.get("classification", {}).get("options", [])
    return {
        str(o["value"]): int(o["outdated_after_days"])
        for o in options
        if isinstance(o, dict) and "value" in o and isinstance(o.get("outdated_after_days"), int)
    }


def is_outdated(
    app_config: Mapping[str, Any], classification: str, date_created: dt.datetime, now: dt.datetime
) -> bool:
    days = outdated_after_days(app_config).get(classification)
    return days is not None and (now - date_created).days >= days


_PANEL_TTL = 60.0  # seconds; panels change only by a (rare) ``deposit genepanel --replace``
_panels: dict[tuple[str, str, str], tuple[float, PanelData]] = {}


def load_panel(session: Session, name: str, version: str) -> PanelData:
    """A gene panel's transcripts and inheritance (kept for a minute per database: panels hardly change)."""
    key = (str(session.get_bind().engine.url), name, version)
    cached = _panels.get(key)
    if cached is not None and time.monotonic() - cached[0] < _PANEL_TTL:
        return cached[1]
    panel = _read_panel(session, name, version)
    if len(_panels) > 256:
        _panels.clear()
    _panels[key] = (time.monotonic(), panel)
    return panel


def _read_panel(session: Session, name: str, version: str) -> PanelData:
    rows = session.execute(
        select(
            Transcript.transcript_name,
            Transcript.gene_id,
            Gene.hgnc_symbol,
            Transcript.chromosome,
            Transcript.tx_start,
            Transcript.tx_end,
            Transcript.strand,
            Transcript.cds_start,
            Transcript.cds_end,
            Transcript.exon_starts,
            Transcript.exon_ends,
            GenePanelTranscript.inheritance,
        )
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .join(Gene, Gene.hgnc_id == Transcript.gene_id)
        .where(GenePanelTranscript.genepanel_name == name, GenePanelTranscript.genepanel_version == version)
        .order_by(Transcript.chromosome, Transcript.tx_start)
    ).tuples()
    transcripts = [
        PanelTranscript(
            tx, gene, symbol, chrom, start, end, strand, cds_start, cds_end, tuple(s or ()), tuple(e or ()), mode
        )
        for tx, gene, symbol, chrom, start, end, strand, cds_start, cds_end, s, e, mode in rows
    ]
    phenotypes: dict[int, set[str]] = {}
    for gene_id, inheritance in session.execute(
        select(Phenotype.gene_id, Phenotype.inheritance)
        .join(GenePanelPhenotype, GenePanelPhenotype.phenotype_id == Phenotype.id)
        .where(GenePanelPhenotype.genepanel_name == name, GenePanelPhenotype.genepanel_version == version)
    ).tuples():
        phenotypes.setdefault(gene_id, set()).update(_split_inheritance(inheritance))
    return PanelData(name, version, transcripts, phenotypes)


def load_samples(session: Session, analysis_id: int) -> list[SampleData]:
    rows = session.scalars(select(Sample).where(Sample.analysis_id == analysis_id).order_by(Sample.id))
    return [
        SampleData(
            id=s.id,
            identifier=s.identifier,
            proband=s.proband,
            affected=s.affected,
            sex=s.sex,
            family_id=s.family_id,
            father_id=s.father_id,
            mother_id=s.mother_id,
            sibling_id=s.sibling_id,
            sample_type=s.sample_type,
        )
        for s in rows
    ]


def analysis_allele_ids(session: Session, analysis_id: int) -> list[int]:
    query = (
        select(GenotypeAllele.c.allele_id)
        .join(Sample, Sample.id == GenotypeAllele.c.sample_id)
        .where(Sample.analysis_id == analysis_id)
        .distinct()
    )
    return sorted(session.scalars(query))


# genotype id, allele id, second allele of the genotype, FILTER, QUAL (a row of the genotypeallele view)
Call = tuple[int, int, bool, str | None, float | None]


def load_alleles(
    session: Session,
    allele_ids: Iterable[int],
    app_config: Mapping[str, Any],
    *,
    sample_ids: Iterable[int] = (),
    annotation_ids: Mapping[int, int] | None = None,
    assessment_ids: Mapping[int, int | None] | None = None,
    now: dt.datetime | None = None,
    calls: list[Call] | None = None,
) -> dict[int, AlleleData]:
    """Alleles with annotation, genotypes (of ``sample_ids``) and classification.

    ``annotation_ids``/``assessment_ids`` (allele id → row id, from a snapshot) pin the annotation and the
    classification to those rows instead of the current ones. ``calls`` are the genotype rows of the samples
    when the caller has them already.
    """
    ids = sorted(set(allele_ids))
    now = now or dt.datetime.now(dt.UTC)
    if not ids:
        return {}
    alleles: dict[int, AlleleData] = {}
    query = (
        select(
            Allele.id,
            Allele.genome_reference,
            Allele.chromosome,
            Allele.start_position,
            Allele.open_end_position,
            Allele.vcf_pos,
            Allele.vcf_ref,
            Allele.vcf_alt,
            Allele.change_type,
            Allele.change_from,
            Allele.change_to,
            Allele.length,
            Allele.caller_type,
            Annotation.id,
            Annotation.annotation,
        )
        .outerjoin(Annotation, (Annotation.allele_id == Allele.id) & Annotation.date_superceeded.is_(None))
        .where(Allele.id == int_ids(ids))
    )
    for (
        allele_id,
        genome,
        chrom,
        start,
        end,
        pos,
        ref,
        alt,
        change_type,
        change_from,
        change_to,
        length,
        caller,
        annotation_id,
        annotation,
    ) in session.execute(query).tuples():
        alleles[allele_id] = AlleleData(
            allele_id,
            genome,
            chrom,
            start,
            end,
            pos,
            ref,
            alt,
            change_type,
            change_from,
            change_to,
            length,
            caller,
            annotation=annotation if isinstance(annotation, dict) else {},
            annotation_id=annotation_id,
        )
    if annotation_ids:
        _pin_annotations(session, alleles, annotation_ids)
    _load_assessments(session, alleles, app_config, assessment_ids, now)
    samples = sorted(set(sample_ids))
    if samples:
        _load_genotypes(session, alleles, samples, calls)
    return alleles


def _pin_annotations(session: Session, alleles: dict[int, AlleleData], pinned: Mapping[int, int]) -> None:
    query = select(Annotation.id, Annotation.allele_id, Annotation.annotation).where(
        Annotation.id == int_ids(pinned.values())
    )
    for row_id, allele_id, data in session.execute(query).tuples():
        if allele_id in alleles and pinned.get(allele_id) == row_id:
            alleles[allele_id].annotation = data if isinstance(data, dict) else {}
            alleles[allele_id].annotation_id = row_id


def _load_assessments(
    session: Session,
    alleles: dict[int, AlleleData],
    app_config: Mapping[str, Any],
    pinned: Mapping[int, int | None] | None,
    now: dt.datetime,
) -> None:
    ids = list(alleles)
    if pinned is not None:
        wanted = [i for i in pinned.values() if i is not None]
        condition = AlleleAssessment.id == int_ids(wanted) if wanted else AlleleAssessment.id.is_(None)
    else:
        condition = (AlleleAssessment.allele_id == int_ids(ids)) & AlleleAssessment.date_superceeded.is_(None)
    query = select(
        AlleleAssessment.id, AlleleAssessment.allele_id, AlleleAssessment.classification, AlleleAssessment.date_created
    ).where(condition)
    for row_id, allele_id, classification, created in session.execute(query).tuples():
        if allele_id in alleles:
            alleles[allele_id].assessment = AssessmentData(
                row_id, classification, created, is_outdated(app_config, classification, created, now)
            )
    reports = select(AlleleReport.id, AlleleReport.allele_id).where(
        AlleleReport.allele_id == int_ids(ids), AlleleReport.date_superceeded.is_(None)
    )
    for row_id, allele_id in session.execute(reports).tuples():
        alleles[allele_id].report_id = row_id


def _load_genotypes(
    session: Session, alleles: dict[int, AlleleData], sample_ids: list[int], calls: list[Call] | None
) -> None:
    if calls is None:
        query = select(*_CALL_COLUMNS).where(
            GenotypeAllele.c.allele_id == int_ids(alleles), GenotypeAllele.c.sample_id == int_ids(sample_ids)
        )
        calls = list(session.execute(query).tuples())
    # (genotype id, second allele) -> allele: a compound genotype holds two alleles, each with its sample data
    genotype_allele: dict[tuple[int, bool], tuple[int, str | None, float | None]] = {}
    for genotype_id, allele_id, second, filter_status, qual in calls:
        allele = alleles.get(allele_id)
        if allele is None:
            continue
        genotype_allele[(genotype_id, second)] = (allele_id, filter_status, qual)
        allele.filter_status = filter_status
        allele.variant_quality = qual
    if not genotype_allele:
        return
    data = select(
        GenotypeSampleData.genotype_id,
        GenotypeSampleData.secondallele,
        GenotypeSampleData.sample_id,
        GenotypeSampleData.type,
        GenotypeSampleData.genotype_quality,
        GenotypeSampleData.sequencing_depth,
        GenotypeSampleData.allele_depth,
        GenotypeSampleData.allele_ratio,
        GenotypeSampleData.genotype_likelihood,
        GenotypeSampleData.copy_number,
        GenotypeSampleData.multiallelic,
    ).where(GenotypeSampleData.genotype_id == int_ids({g for g, _ in genotype_allele}))
    for genotype_id, second, sample_id, kind, gq, dp, ad, ratio, pl, cn, multiallelic in session.execute(data).tuples():
        found = genotype_allele.get((genotype_id, second))
        if found is None:
            continue
        allele_id, filter_status, qual = found
        alleles[allele_id].genotypes[sample_id] = GenotypeData(
            sample_id, kind, gq, dp, ad, ratio, pl, cn, multiallelic, filter_status, qual
        )


_CALL_COLUMNS = (
    GenotypeAllele.c.genotype_id,
    GenotypeAllele.c.allele_id,
    GenotypeAllele.c.secondallele,
    GenotypeAllele.c.filter_status,
    GenotypeAllele.c.variant_quality,
)


def analysis_calls(session: Session, analysis_id: int) -> list[Call]:
    query = (
        select(*_CALL_COLUMNS)
        .join(Sample, Sample.id == GenotypeAllele.c.sample_id)
        .where(Sample.analysis_id == analysis_id)
    )
    return list(session.execute(query).tuples())


def analysis_context(
    session: Session,
    app_config: dict[str, Any],
    analysis_id: int,
    genepanel: tuple[str, str],
    *,
    annotation_ids: Mapping[int, int] | None = None,
    assessment_ids: Mapping[int, int | None] | None = None,
    allele_ids: Iterable[int] | None = None,
) -> FilterContext:
    """Everything the filters need for one analysis (all its alleles unless ``allele_ids``)."""
    samples = load_samples(session, analysis_id)
    calls = analysis_calls(session, analysis_id)
    ids = {c[1] for c in calls} if allele_ids is None else set(allele_ids)
    alleles = load_alleles(
        session,
        ids,
        app_config,
        sample_ids=[s.id for s in samples],
        annotation_ids=annotation_ids,
        assessment_ids=assessment_ids,
        calls=calls,
    )
    return FilterContext(app_config, load_panel(session, *genepanel), samples, alleles)
