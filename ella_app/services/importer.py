"""Import an analysis (folder, ``.analysis`` or VCF) into the database inside the caller's transaction.

Validation first (files, JSON, PED ↔ VCF samples, gene panel, the name not yet taken, the user group deposit
rule that applies), then a bulk load of the records where the proband carries an ALT, as ELLA's deposit does
(``import_blocks``: multiallelic blocks, compound genotypes, CNVs when ``app.feature_flags.cnv`` is on;
``import_prefilters``: the rule's prefilters), then the rule's postprocessors (``import_postprocess``).
A parser thread turns the VCF into COPY text in chunks; the calling thread
writes each chunk: allele keys COPY'd into a temporary table, new alleles added with
``INSERT … ON CONFLICT DO NOTHING`` (alleles are shared across analyses), ids looked up by the unique
index, then ``annotation``, ``genotype`` and ``genotypesampledata`` COPY'd straight into their tables.
Annotations of already known alleles are versioned set-based at the end (a new version only when it
changed). Any error propagates and the caller rolls everything back. ``pg_try_advisory_xact_lock`` on the
analysis name keeps two importers (CLI, watchers on several hosts) from importing one analysis twice.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Analysis,
    AnalysisInterpretation,
    AnnotationConfig,
    GenePanel,
    InterpretationLog,
    Sample,
)
from ella_app.errors import ConfigError, ConflictError, InputError, MissingDependencyError
from ella_app.formats import annotation_config as annconf
from ella_app.formats.analysis_folder import AnalysisSpec, DataEntry, Pedigree, load_analysis, parse_ped
from ella_app.formats.vcf import VcfReader, allele_shape, cnv_shape
from ella_app.services.import_blocks import Site, SiteError, SiteReader, blocks, escape_copy, genotype_rows
from ella_app.services.import_postprocess import run_postprocessors
from ella_app.services.import_prefilters import (
    DepositRule,
    Prefilter,
    classified_keys,
    decided_blocks,
    deposit_rule,
)
from ella_app.services.results import ChangeReport, ProgressFn, no_progress


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x414E4C59  # "ANLY": first key of the two-key advisory lock on an analysis name
# Records per chunk; they bound the memory (a chunk queued, one parsed, one written). The first chunk is
# larger: PostgreSQL plans the foreign-key checks of a session once, when the first rows arrive, and a plan
# made for a nearly empty table (a sequential scan) would be kept for the whole import, making it
# quadratic. Plans cached by earlier imports on a pooled connection are dropped (DISCARD PLANS) first.
FIRST_CHUNK = 5000
CHUNK = 2500
GENOME = "GRCh37"


class AnalysisLocked(ConflictError):
    """Another process holds the import lock of this analysis name right now."""


def try_lock(session: Session, name: str) -> bool:
    """Take the transaction-level advisory lock of an analysis name; False if another session holds it."""
    return bool(
        session.execute(
            text("SELECT pg_try_advisory_xact_lock(:ns, hashtext(:name))"), {"ns": LOCK_NAMESPACE, "name": name}
        ).scalar_one()
    )


# ------------------------------------------------------------------------------------------ preparation


@dataclass
class PreparedEntry:
    """A data entry with its VCF header read and its samples checked against the PED."""

    entry: DataEntry
    samples: list[str]  # VCF column order
    pedigree: Pedigree | None
    proband_index: int


def _prepare(entry: DataEntry) -> PreparedEntry:
    with VcfReader(entry.vcf) as vcf:
        header = vcf.header
    source = str(entry.vcf)
    if not header.samples:
        raise InputError("the VCF has no sample columns", source=source, line=header.header_line)
    pedigree = parse_ped(entry.ped) if entry.ped else None
    if pedigree is None:
        if len(header.samples) > 1:
            raise InputError(
                f"{len(header.samples)} samples but no PED file (expected {entry.vcf.name.split('.vcf')[0]}.ped)",
                source=source,
                line=header.header_line,
            )
        return PreparedEntry(entry, header.samples, None, 0)
    for member in pedigree.members:
        if member.sample not in header.samples:
            raise InputError(
                f"sample {member.sample!r} is not in the VCF {entry.vcf.name} (its samples: "
                f"{', '.join(header.samples)})",
                source=str(pedigree.path),
                line=member.line,
            )
    for name in header.samples:
        if pedigree.member(name) is None:
            raise InputError(
                f"sample {name!r} is not in the PED file {pedigree.path.name}", source=source, line=header.header_line
            )
    return PreparedEntry(entry, header.samples, pedigree, header.samples.index(pedigree.proband.sample))


def active_annotation_config(session: Session) -> annconf.AnnotationConfig:
    """The latest annotation config in the database, else our packaged default."""
    row = session.scalars(select(AnnotationConfig).order_by(AnnotationConfig.id.desc()).limit(1)).first()
    if row is None:
        return annconf.default_config()
    deposit = annconf.validate_config({"deposit": row.deposit}, source=f"annotationconfig {row.id}")
    return annconf.AnnotationConfig(deposit, row.id, f"annotationconfig {row.id}")


# ------------------------------------------------------------------------------------------ parsing (producer)


@dataclass
class _Chunk:
    """Parsed blocks of one VCF, as COPY text fragments waiting for their allele and genotype ids."""

    entry: int
    alleles: list[str] = field(default_factory=list)  # import_allele lines, without the leading index
    annotations: list[str] = field(default_factory=list)  # escaped annotation JSON, per allele
    genotypes: list[tuple[int, int, str]] = field(default_factory=list)  # (allele, second allele or -1, tail)
    sampledata: list[list[str]] = field(default_factory=list)  # genotypesampledata tails per genotype
    keys: list[tuple[str, int, str, str]] = field(default_factory=list)  # per allele: CHROM, POS, REF, ALT
    records: int = 0  # records read for this chunk, imported or not


class _RowWriter:
    """Turns the records of one VCF into the COPY fragments of :class:`_Chunk` objects: sites grouped into
    multiallelic blocks, the group's prefilters applied, one genotype per block (``import_blocks``)."""

    def __init__(
        self,
        index: int,
        prepared: PreparedEntry,
        mapper: annconf.AnnotationMapper,
        sample_ids: list[int],
        *,
        prefilter: Prefilter | None = None,
        cnv_enabled: bool = False,
    ):
        self.index = index
        self.prepared = prepared
        self.mapper = mapper
        self.sample_ids = sample_ids
        self.sites = SiteReader(prepared.proband_index, prepared.samples)
        self.prefilter = prefilter
        self.cnv_enabled = cnv_enabled
        self.source = str(prepared.entry.vcf)
        self.carried = 0  # records whose ALT the proband carries
        self.prefiltered = 0  # of those, left out by the prefilters
        self._seen: dict[int, int] = {}  # hash of the variant key → line, to refuse duplicates
        self.line = 0  # the line being read

    def _error(self, exc: Exception, line: int) -> InputError:
        return InputError(str(exc), source=self.source, line=line)

    def _sites(self, vcf: VcfReader, chunk: list[_Chunk]) -> Iterator[Site]:
        seen = self._seen
        for record in vcf:
            chunk[0].records += 1
            self.line = record.line
            try:
                site = self.sites.site(record)
            except ValueError as exc:
                raise self._error(exc, record.line) from None
            if site.carried:
                key = hash((record.chrom, record.pos, record.ref, record.alt))
                first = seen.setdefault(key, record.line)
                if first != record.line:
                    raise self._error(
                        ValueError(
                            f"variant {record.chrom}:{record.pos} {record.ref}>{record.alt} is listed twice "
                            f"(also on line {first})"
                        ),
                        record.line,
                    )
                self.carried += 1
            yield site

    def _emit(self, block: list[Site], chunk: _Chunk) -> None:
        """Add the block's imported sites (alleles, annotation) and its genotype to the chunk."""
        positions: dict[int, int] = {}
        for site in block:
            if not site.keep:
                if site.carried:
                    self.prefiltered += 1
                continue
            record = site.record
            try:
                if site.is_cnv:
                    if not self.cnv_enabled:
                        raise ValueError(
                            f"CNV record (INFO/SVTYPE={site.svtype}, ALT {record.alt}): importing CNVs needs the "
                            "feature flag app.feature_flags.cnv: true in ella_config.yml"
                        )
                    shape = cnv_shape(record.pos, record.ref, record.alt, site.svtype or "", site.info.get("SVLEN"))
                else:
                    shape = allele_shape(record.pos, record.ref, record.alt)
                annotation = escape_copy(_dumps(self.mapper.annotate(site.info)))
            except ValueError as exc:
                raise self._error(exc, record.line) from None
            positions[id(site)] = len(chunk.alleles)
            chunk.keys.append((record.chrom, record.pos, record.ref, record.alt))
            chunk.alleles.append(
                f"{escape_copy(record.chrom)}\t{record.pos}\t{escape_copy(record.ref)}\t{escape_copy(record.alt)}\t"
                f"{shape.start}\t{shape.open_end}\t{escape_copy(shape.change_from)}\t{escape_copy(shape.change_to)}\t"
                f"{shape.change_type}\t{'cnv' if site.is_cnv else 'snv'}\t{shape.length}\n"
            )
            chunk.annotations.append(annotation)
        if not positions:
            return
        try:
            rows = genotype_rows(block, self.sample_ids, self.prepared.samples, self.prepared.proband_index)
        except ValueError as exc:
            raise self._error(exc, block[0].record.line) from None
        assert rows is not None
        second = -1 if rows.second is None else positions[id(rows.second)]
        chunk.genotypes.append((positions[id(rows.first)], second, rows.genotype_tail))
        chunk.sampledata.append(rows.sampledata)

    def chunks(self, vcf: VcfReader) -> Iterator[_Chunk]:
        holder = [_Chunk(self.index)]
        size = FIRST_CHUNK
        try:
            for block in decided_blocks(blocks(self._sites(vcf, holder)), self.prefilter):
                self._emit(block, holder[0])
                if len(holder[0].alleles) >= size:
                    yield holder[0]
                    holder[0], size = _Chunk(self.index), CHUNK
        except SiteError as exc:  # from a prefilter criterion, which names the record's line
            raise self._error(exc, exc.line or self.line) from None
        if holder[0].records:
            yield holder[0]


class _Producer(threading.Thread):
    """Parses the VCFs in a thread while the caller's thread writes the previous chunk (psycopg2 releases the
    GIL while PostgreSQL works), so parsing and database work overlap on two cores."""

    def __init__(self, writers: list[tuple[_RowWriter, Path]]) -> None:
        super().__init__(name="vcf-parser", daemon=True)
        self.writers = writers
        self.queue: Queue[_Chunk | BaseException | None] = Queue(maxsize=1)
        self.stopped = threading.Event()
        self.cpu = 0.0  # CPU seconds of the parser thread

    def _put(self, item: _Chunk | BaseException | None) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except Full:
                continue
        return False

    def run(self) -> None:
        started = time.thread_time()
        try:
            for writer, path in self.writers:
                with VcfReader(path) as vcf:
                    for chunk in writer.chunks(vcf):
                        if not self._put(chunk):
                            return
            self.cpu = time.thread_time() - started
            self._put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)

    def __iter__(self) -> Iterator[_Chunk]:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


# ------------------------------------------------------------------------------------------ writing (consumer)

# Temporary tables live until the transaction ends; several imports in one transaction reuse them.
_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS import_allele (
    idx int NOT NULL, chromosome text NOT NULL, vcf_pos bigint NOT NULL, vcf_ref text NOT NULL,
    vcf_alt text NOT NULL, start_position bigint NOT NULL, open_end_position bigint NOT NULL,
    change_from text NOT NULL, change_to text NOT NULL, change_type text NOT NULL, caller_type text NOT NULL,
    length int NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS import_annotation (allele_id int NOT NULL, annotation jsonb NOT NULL) ON COMMIT DROP;
TRUNCATE import_allele, import_annotation;
DROP TABLE IF EXISTS import_annotation_cmp;
"""

# New alleles are inserted (their ids come back), then every staged key is looked up by the unique index.
_INSERT_ALLELES = """
INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, change_from, change_to,
                    change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length)
SELECT %(genome)s, chromosome, start_position, open_end_position, change_from, change_to, change_type,
       caller_type, vcf_pos, vcf_ref, vcf_alt, length
FROM import_allele ORDER BY chromosome, vcf_pos
ON CONFLICT (genome_reference, chromosome, vcf_pos, vcf_ref, vcf_alt) DO NOTHING
RETURNING id, chromosome, vcf_pos, vcf_ref, vcf_alt
"""
_ALLELE_IDS = """
SELECT i.idx, a.id
FROM import_allele i
JOIN allele a ON a.genome_reference = %(genome)s AND a.chromosome = i.chromosome AND a.vcf_pos = i.vcf_pos
             AND a.vcf_ref = i.vcf_ref AND a.vcf_alt = i.vcf_alt
ORDER BY i.idx
"""

# Alleles already known: a new annotation version only where the annotation or its config changed (ELLA).
_ANNOTATE_EXISTING = [
    (
        None,
        """
        CREATE TEMP TABLE import_annotation_cmp ON COMMIT DROP AS
        SELECT DISTINCT ON (i.allele_id) i.allele_id, i.annotation, cur.id AS current_id,
               (cur.annotation IS DISTINCT FROM i.annotation
                OR cur.annotation_config_id IS DISTINCT FROM CAST(%(config_id)s AS int)) AS changed
        FROM import_annotation i
        LEFT JOIN annotation cur ON cur.allele_id = i.allele_id AND cur.date_superceeded IS NULL
        ORDER BY i.allele_id
        """,
    ),
    (
        "annotations_superseded",
        """
        UPDATE annotation SET date_superceeded = now()
        FROM import_annotation_cmp i
        WHERE annotation.id = i.current_id AND i.changed
        """,
    ),
    (
        "annotations_versioned",
        """
        INSERT INTO annotation (allele_id, annotation, schema_version, annotation_config_id, previous_annotation_id)
        SELECT allele_id, annotation, 1, %(config_id)s, current_id FROM import_annotation_cmp WHERE changed
        ON CONFLICT (allele_id) WHERE date_superceeded IS NULL DO NOTHING
        """,
    ),
]


class _OneRead(io.TextIOBase):
    """The whole COPY text in one read: each read needs the GIL, which the parser thread mostly holds, and
    ``io.StringIO`` would hold a second, four-bytes-per-character copy of it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        text, self.text = self.text, ""
        return text


class _Writer:
    """Writes chunks: resolve allele ids, then COPY annotation, genotype and sample data straight in."""

    def __init__(self, cursor: Any, config_id: int | None) -> None:
        self.cursor = cursor
        self.config = "\\N" if config_id is None else str(config_id)
        self.counts = {
            "variants": 0,
            "records": 0,
            "alleles_created": 0,
            "alleles_existing": 0,
            "annotations_created": 0,
            "genotypes": 0,
            "genotype_sample_data": 0,
        }
        cursor.execute("DISCARD PLANS")
        cursor.execute(_STAGING)

    def _copy(self, table: str, columns: str, lines: list[str]) -> None:
        if lines:
            data = _OneRead("".join(lines))
            self.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", data, size=len(data.text) + 1)

    def write(self, chunk: _Chunk) -> None:
        cur, counts = self.cursor, self.counts
        counts["records"] += chunk.records
        n = len(chunk.alleles)
        if not n:
            return
        self._copy(
            "import_allele",
            "idx, chromosome, vcf_pos, vcf_ref, vcf_alt, start_position, open_end_position, change_from, change_to, "
            "change_type, caller_type, length",
            [f"{i}\t{line}" for i, line in enumerate(chunk.alleles)],
        )
        cur.execute("ANALYZE import_allele")
        cur.execute(_INSERT_ALLELES, {"genome": GENOME})
        inserted = {(c, p, r, a): allele_id for allele_id, c, p, r, a in cur.fetchall()}
        new_ids = set(inserted.values())
        if len(inserted) == n:  # all new: no look-up needed
            ids = [inserted[key] for key in chunk.keys]
        else:
            cur.execute(_ALLELE_IDS, {"genome": GENOME})
            ids = [allele_id for _, allele_id in cur.fetchall()]
        if len(ids) != n:
            raise RuntimeError(f"resolved {len(ids)} of {n} alleles")
        cur.execute("TRUNCATE import_allele")
        n_genotypes = len(chunk.genotypes)
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('genotype', 'id')) FROM generate_series(1, %s)", (n_genotypes,)
        )
        genotype_ids = [row[0] for row in cur.fetchall()]
        new_annotations: list[str] = []
        known_annotations: list[str] = []
        created = 0
        config = self.config
        for allele_id, annotation in zip(ids, chunk.annotations, strict=True):
            if allele_id in new_ids:
                created += 1
                new_annotations.append(f"{allele_id}\t{annotation}\t1\t{config}\n")
            else:
                known_annotations.append(f"{allele_id}\t{annotation}\n")
        genotypes: list[str] = []
        sampledata: list[str] = []
        for (first, second, tail), tails, genotype_id in zip(
            chunk.genotypes, chunk.sampledata, genotype_ids, strict=True
        ):
            second_id = "\\N" if second < 0 else ids[second]
            genotypes.append(f"{genotype_id}\t{ids[first]}\t{second_id}{tail}")
            sampledata.extend(f"{genotype_id}{t}" for t in tails)
        self._copy("annotation", "allele_id, annotation, schema_version, annotation_config_id", new_annotations)
        self._copy("import_annotation", "allele_id, annotation", known_annotations)
        self._copy("genotype", "id, allele_id, secondallele_id, sample_id, filter_status, variant_quality", genotypes)
        self._copy(
            "genotypesampledata",
            "genotype_id, sample_id, secondallele, multiallelic, type, genotype_quality, genotype_likelihood, "
            "sequencing_depth, allele_depth, allele_ratio, copy_number",
            sampledata,
        )
        counts["variants"] += n
        counts["alleles_created"] += created
        counts["alleles_existing"] += n - created
        counts["annotations_created"] += created
        counts["genotypes"] += n_genotypes
        counts["genotype_sample_data"] += len(sampledata)

    def finish(self, config_id: int | None) -> None:
        counts = self.counts
        counts["annotations_superseded"] = 0
        if counts["alleles_existing"]:
            self.cursor.execute("ANALYZE import_annotation")
            for name, statement in _ANNOTATE_EXISTING:
                self.cursor.execute(statement, {"config_id": config_id})
                if name == "annotations_superseded":
                    counts[name] = self.cursor.rowcount
                elif name:
                    counts["annotations_created"] += self.cursor.rowcount


# ------------------------------------------------------------------------------------------ the import

# After a large import the planner's statistics of the variant tables describe the database before it: until
# autovacuum analyzes them (up to a minute or more later), the side-list query of the new analysis can pick
# nested sequential scans and run for tens of seconds. The import refreshes them itself, in its transaction
# (ANALYZE counts the transaction's own rows), always in this order, so that two imports finishing at once
# queue on the first table instead of deadlocking.
# The same order serves every importer that refreshes statistics (services/allele_deposit.py too).
STATISTICS_ORDER = (
    "allele",
    "annotation",
    "annotationshadowtranscript",
    "alleleinterpretation",
    "genotype",
    "genotypesampledata",
)
ANALYZED_TABLES = ("allele", "annotation", "genotype", "genotypesampledata")
ANALYZE_FROM_GENOTYPES = 1_000


def refresh_statistics(execute: Callable[[str], object], tables: Sequence[str]) -> None:
    """ANALYZE ``tables`` in STATISTICS_ORDER (``execute`` runs one SQL statement)."""
    for table in sorted(tables, key=STATISTICS_ORDER.index):
        execute(f"ANALYZE {table}")


def _siblings(rows: dict[str, Sample]) -> None:
    """ELLA's siblings (``SampleImporter``): when no sample has parents, every other sample is a sibling of
    the proband; otherwise the samples with the proband's father and mother are."""
    proband = next(r for r in rows.values() if r.proband)
    has_parents = any(r.father_id is not None or r.mother_id is not None for r in rows.values())
    for row in rows.values():
        if row.proband:
            continue
        if not has_parents or (row.father_id == proband.father_id and row.mother_id == proband.mother_id):
            row.sibling_id = proband.id


def _create_samples(session: Session, analysis: Analysis, prepared: list[PreparedEntry]) -> list[list[int]]:
    ids: list[list[int]] = []
    for p in prepared:
        rows: dict[str, Sample] = {}
        for name in p.samples:
            member = p.pedigree.member(name) if p.pedigree else None
            # Without a PED file (one sample), ELLA makes the sample the proband and affected.
            rows[name] = Sample(
                identifier=name,
                analysis_id=analysis.id,
                sample_type=p.entry.technology,
                proband=member.proband if member else True,
                family_id=member.family if member else None,
                sex=member.sex if member else None,
                affected=member.affected if member else len(p.samples) == 1,
            )
        session.add_all(rows.values())
        session.flush()
        if p.pedigree:
            for name, row in rows.items():
                member = p.pedigree.member(name)
                assert member is not None
                row.father_id = rows[member.father].id if member.father else None
                row.mother_id = rows[member.mother].id if member.mother else None
        _siblings(rows)
        session.flush()
        ids.append([rows[n].id for n in p.samples])
    return ids


def import_analysis(
    session: Session,
    path: str | Path,
    *,
    app_config: Mapping[str, Any] | None = None,
    skip_existing: bool = False,
    config: annconf.AnnotationConfig | None = None,
    properties: dict[str, Any] | None = None,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Import one analysis inside the caller's transaction; raise on any problem (the caller rolls back).

    ``app_config`` is ``ella_config.yml``: its ``app.feature_flags.cnv`` lets CNV records in, and the
    postprocessors of a user group's deposit rule need it (classification options, the filters)."""
    started = time.perf_counter()
    spec = load_analysis(path)
    return import_spec(
        session,
        spec,
        app_config=app_config,
        skip_existing=skip_existing,
        config=config,
        properties=properties,
        progress=progress,
        started=started,
    )


def cnv_enabled(app_config: Mapping[str, Any] | None) -> bool:
    """ELLA's ``feature_is_enabled("cnv")``."""
    flags = ((app_config or {}).get("app") or {}).get("feature_flags") or {}
    return flags.get("cnv", False) is True


def import_spec(
    session: Session,
    spec: AnalysisSpec,
    *,
    app_config: Mapping[str, Any] | None = None,
    skip_existing: bool = False,
    config: annconf.AnnotationConfig | None = None,
    properties: dict[str, Any] | None = None,
    progress: ProgressFn = no_progress,
    started: float | None = None,
) -> ChangeReport:
    started = time.perf_counter() if started is None else started
    report = ChangeReport(kind="analysis")
    prepared = [_prepare(entry) for entry in spec.data]
    if not try_lock(session, spec.name):
        raise AnalysisLocked(f"analysis {spec.name} is being imported by another process")
    if session.scalar(select(Analysis.id).where(Analysis.name == spec.name)) is not None:
        if skip_existing:
            report.unchanged.append(spec.name)
            report.messages.append(f"Analysis {spec.name} is already imported; skipped")
            return report
        raise ConflictError(f"Analysis {spec.name} is already imported")
    if session.get(GenePanel, (spec.genepanel_name, spec.genepanel_version)) is None:
        raise MissingDependencyError(
            f"{spec.source}: gene panel {spec.genepanel_name} {spec.genepanel_version} is not in the database "
            "(deposit it first: ella-cli deposit genepanel)"
        )
    rule = deposit_rule(session, spec.name, (spec.genepanel_name, spec.genepanel_version))
    if rule is not None and rule.postprocess and app_config is None:
        raise ConfigError(
            f"{rule.describe()} postprocesses the analysis, which needs the application config (ELLA_CONFIG)"
        )
    config = config or active_annotation_config(session)
    analysis = Analysis(
        name=spec.name,
        genepanel_name=spec.genepanel_name,
        genepanel_version=spec.genepanel_version,
        warnings=spec.warnings,
        report=spec.report,
        date_requested=spec.date_requested,
        properties={**spec.properties, **(properties or {})},
    )
    session.add(analysis)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(f"Analysis {spec.name} is already imported") from None
    sample_ids = _create_samples(session, analysis, prepared)
    interpretation = AnalysisInterpretation(
        analysis_id=analysis.id,
        genepanel_name=spec.genepanel_name,
        genepanel_version=spec.genepanel_version,
        status="Not started",
        workflow_status="Interpretation",  # "Not ready" only by a postprocessor (analysis_not_ready_warnings)
    )
    session.add(interpretation)
    session.add(InterpretationLog(analysis_id=analysis.id, priority=spec.priority))
    session.flush()

    counts, timings = _load_variants(session, prepared, sample_ids, config, rule, cnv_enabled(app_config), progress)
    report.created.append(spec.name)
    postprocessed: list[str] = []
    if rule is not None and rule.postprocess:
        assert app_config is not None
        t0 = time.perf_counter()
        postprocessed = run_postprocessors(session, rule, analysis, interpretation, dict(app_config))
        timings["postprocess"] = round(time.perf_counter() - t0, 3)
    report.extra.update(
        {
            "analysis_id": analysis.id,
            "analysis": spec.name,
            "genepanel": f"{spec.genepanel_name}_{spec.genepanel_version}",
            "form": spec.form,
            "samples": sum(len(s) for s in sample_ids),
            "proband": [p.samples[p.proband_index] for p in prepared],
            "annotation_config": config.name,
            "deposit_rule": None if rule is None else rule.describe(),
            "postprocessed": postprocessed,
            "workflow_status": interpretation.workflow_status,
            **counts,
            "seconds": round(time.perf_counter() - started, 3),
            "timings": timings,
        }
    )
    return report


def _load_variants(
    session: Session,
    prepared: list[PreparedEntry],
    sample_ids: list[list[int]],
    config: annconf.AnnotationConfig,
    rule: DepositRule | None,
    cnv: bool,
    progress: ProgressFn,
) -> tuple[dict[str, int], dict[str, float]]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    criteria = rule.prefilters if rule is not None else ()
    classified = None
    if any("no_classification" in c for c in criteria):
        classified = classified_keys(session)
    row_writers = []
    for index, p in enumerate(prepared):
        with VcfReader(p.entry.vcf) as vcf:
            mapper = config.mapper(vcf.header)
        prefilter = Prefilter(criteria, p.proband_index, classified) if criteria else None
        row_writers.append(
            (_RowWriter(index, p, mapper, sample_ids[index], prefilter=prefilter, cnv_enabled=cnv), p.entry.vcf)
        )
    t0, cpu0 = time.perf_counter(), time.thread_time()
    writer = _Writer(raw.cursor(), config.config_id)
    producer = _Producer(row_writers)
    producer.start()
    try:
        for chunk in producer:
            writer.write(chunk)
            progress("importing variants", writer.counts["records"], writer.counts["records"])
    finally:
        producer.stopped.set()
        producer.join()
    timings = {
        "parse_and_write": round(time.perf_counter() - t0, 3),
        "parser_cpu": round(producer.cpu, 3),  # the parser thread's CPU seconds
        "writer_cpu": round(time.thread_time() - cpu0, 3),  # this thread's (COPY text, psycopg2)
    }
    t1 = time.perf_counter()
    writer.finish(config.config_id)
    timings["existing_annotations"] = round(time.perf_counter() - t1, 3)
    if writer.counts["genotypes"] >= ANALYZE_FROM_GENOTYPES:
        t2 = time.perf_counter()
        refresh_statistics(writer.cursor.execute, ANALYZED_TABLES)
        timings["table_statistics"] = round(time.perf_counter() - t2, 3)
    counts = writer.counts
    carried = sum(w.carried for w, _ in row_writers)
    counts["skipped_no_proband_alt"] = counts["records"] - carried
    counts["prefiltered"] = sum(w.prefiltered for w, _ in row_writers)
    return counts, timings


# ------------------------------------------------------------------------------------------ single alleles


def import_alleles(
    session: Session,
    vcf_path: str | Path,
    *,
    genepanel_name: str,
    genepanel_version: str,
    config: annconf.AnnotationConfig | None = None,
    app_config: Mapping[str, Any] | None = None,
) -> ChangeReport:
    """Alleles and annotation of a VCF without samples or genotypes, each allele without an interpretation
    getting a "Not started" one: the variant workflow (the poller's ``Variants`` mode). The same rules as
    ``deposit alleles`` (``services/allele_deposit``)."""
    from ella_app.services.allele_deposit import deposit_alleles

    return deposit_alleles(
        session, vcf_path, genepanel=(genepanel_name, genepanel_version), config=config, app_config=app_config
    )
