"""Import an analysis (folder, ``.analysis`` or VCF) into the database inside the caller's transaction.

Validation first (files, JSON, PED ↔ VCF samples, gene panel, the name not yet taken), then a bulk load of
the records where the proband carries an ALT. A parser thread turns the VCF into COPY text in chunks; the
calling thread writes each chunk: allele keys COPY'd into a temporary table, new alleles added with
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
from collections.abc import Iterator
from dataclasses import dataclass
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
from ella_app.errors import ConflictError, InputError, MissingDependencyError
from ella_app.formats import annotation_config as annconf
from ella_app.formats.analysis_folder import AnalysisSpec, DataEntry, Pedigree, load_analysis, parse_ped
from ella_app.formats.vcf import VcfReader, VcfRecord, allele_shape, genotype_type, parse_info
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


def _escape(value: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return must be escaped."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _int_or_null(value: str) -> str:
    if value in (".", ""):
        return "\\N"
    int(value)  # validates
    return value


@dataclass
class _Chunk:
    """Up to CHUNK parsed records of one VCF, as COPY text fragments waiting for their allele ids."""

    entry: int
    alleles: list[str]  # import_allele lines, without the leading chunk index
    annotations: list[str]  # escaped annotation JSON
    genotypes: list[str]  # genotype line tails: "\t<sample>\t<filter>\t<qual>\n"
    sampledata: list[list[str]]  # genotypesampledata line tails per record: "\t<sample>\t...\n"
    records: int = 0  # records read for this chunk, imported or not


class _RowWriter:
    """Turns the records of one VCF into the COPY fragments of a :class:`_Chunk`."""

    def __init__(self, index: int, prepared: PreparedEntry, mapper: annconf.AnnotationMapper, sample_ids: list[int]):
        self.index = index
        self.prepared = prepared
        self.mapper = mapper
        self.sample_ids = sample_ids
        self.proband_sample_id = sample_ids[prepared.proband_index]
        self._formats: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._seen: dict[int, int] = {}  # hash of the variant key → line, to refuse duplicates

    def _positions(self, fmt: list[str]) -> tuple[int, ...]:
        key = tuple(fmt)
        found = self._formats.get(key)
        if found is None:
            if "GT" not in fmt:
                raise ValueError("FORMAT has no GT field")
            found = tuple(fmt.index(k) if k in fmt else 99 for k in ("GT", "GQ", "DP", "AD", "PL"))
            self._formats[key] = found
        return found

    def add(self, record: VcfRecord, chunk: _Chunk) -> bool:
        """Append the record to the chunk; False when the proband carries no ALT (record skipped)."""
        gt_i, gq_i, dp_i, ad_i, pl_i = self._positions(record.format)
        proband = record.samples[self.prepared.proband_index]
        if gt_i >= len(proband) or not genotype_type(proband[gt_i])[1]:
            return False
        if record.alt.startswith("<"):
            raise ValueError(f"structural variant {record.alt} (symbolic ALT): CNV import is not enabled")
        key = hash((record.chrom, record.pos, record.ref, record.alt))
        first = self._seen.setdefault(key, record.line)
        if first != record.line:
            raise ValueError(
                f"variant {record.chrom}:{record.pos} {record.ref}>{record.alt} is listed twice (also on line {first})"
            )
        shape = allele_shape(record.pos, record.ref, record.alt)
        chunk.alleles.append(
            f"{_escape(record.chrom)}\t{record.pos}\t{record.ref}\t{record.alt}\t{shape.start}\t{shape.open_end}\t"
            f"{shape.change_from}\t{shape.change_to}\t{shape.change_type}\t{shape.length}\n"
        )
        chunk.annotations.append(_escape(_dumps(self.mapper.annotate(parse_info(record.info)))))
        qual = "\\N" if record.qual is None else repr(record.qual)
        chunk.genotypes.append(f"\t{self.proband_sample_id}\t{_escape(record.filter)}\t{qual}\n")
        lines = []
        for sample_id, fields in zip(self.sample_ids, record.samples, strict=True):
            n = len(fields)
            gtype = genotype_type(fields[gt_i] if gt_i < n else "./.")[0]
            gq = _int_or_null(fields[gq_i]) if gq_i < n else "\\N"
            dp = _int_or_null(fields[dp_i]) if dp_i < n else "\\N"
            ad = fields[ad_i].split(",") if ad_i < n else ()
            depth, ratio = "\\N", "\\N"
            if len(ad) >= 2 and ad[0] != "." and ad[1] != ".":
                ref_reads, alt_reads = int(ad[0]), int(ad[1])
                depth = f'{{"REF":{ref_reads},"ALT":{alt_reads}}}'
                if ref_reads + alt_reads:
                    ratio = repr(alt_reads / (ref_reads + alt_reads))
            pl = fields[pl_i] if pl_i < n else "."
            if pl not in (".", ""):
                for value in pl.split(","):
                    _int_or_null(value)
                pl = "{" + pl.replace(".", "NULL") + "}"
            else:
                pl = "\\N"
            lines.append(f"\t{sample_id}\tf\tf\t{gtype}\t{gq}\t{pl}\t{dp}\t{depth}\t{ratio}\n")
        chunk.sampledata.append(lines)
        return True

    def chunks(self, vcf: VcfReader) -> Iterator[_Chunk]:
        chunk, size = _Chunk(self.index, [], [], [], []), FIRST_CHUNK
        for record in vcf:
            chunk.records += 1
            try:
                self.add(record, chunk)
            except ValueError as exc:
                raise InputError(str(exc), source=vcf.source, line=record.line) from None
            if len(chunk.alleles) >= size:
                yield chunk
                chunk, size = _Chunk(self.index, [], [], [], []), CHUNK
        if chunk.records:
            yield chunk


class _Producer(threading.Thread):
    """Parses the VCFs in a thread while the caller's thread writes the previous chunk (psycopg2 releases the
    GIL while PostgreSQL works), so parsing and database work overlap on two cores."""

    def __init__(self, writers: list[tuple[_RowWriter, Path]]) -> None:
        super().__init__(name="vcf-parser", daemon=True)
        self.writers = writers
        self.queue: Queue[_Chunk | BaseException | None] = Queue(maxsize=1)
        self.stopped = threading.Event()

    def _put(self, item: _Chunk | BaseException | None) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except Full:
                continue
        return False

    def run(self) -> None:
        try:
            for writer, path in self.writers:
                with VcfReader(path) as vcf:
                    for chunk in writer.chunks(vcf):
                        if not self._put(chunk):
                            return
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
    change_from text NOT NULL, change_to text NOT NULL, change_type text NOT NULL, length int NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS import_annotation (allele_id int NOT NULL, annotation jsonb NOT NULL) ON COMMIT DROP;
TRUNCATE import_allele, import_annotation;
DROP TABLE IF EXISTS import_annotation_cmp;
"""

# New alleles are inserted (their ids come back), then every staged key is looked up by the unique index.
_INSERT_ALLELES = """
INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, change_from, change_to,
                    change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length)
SELECT %(genome)s, chromosome, start_position, open_end_position, change_from, change_to, change_type, 'snv',
       vcf_pos, vcf_ref, vcf_alt, length
FROM import_allele ORDER BY chromosome, vcf_pos
ON CONFLICT (genome_reference, chromosome, vcf_pos, vcf_ref, vcf_alt) DO NOTHING
RETURNING id
"""
_ALLELE_IDS = """
SELECT i.idx, a.id
FROM import_allele i
JOIN allele a ON a.genome_reference = %(genome)s AND a.chromosome = i.chromosome AND a.vcf_pos = i.vcf_pos
             AND a.vcf_ref = i.vcf_ref AND a.vcf_alt = i.vcf_alt
ORDER BY i.idx
"""

# Alleles already known: a new annotation version only where the annotation changed.
_ANNOTATE_EXISTING = [
    (
        None,
        """
        CREATE TEMP TABLE import_annotation_cmp ON COMMIT DROP AS
        SELECT DISTINCT ON (i.allele_id) i.allele_id, i.annotation, cur.id AS current_id,
               cur.annotation IS DISTINCT FROM i.annotation AS changed
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
            "change_type, length",
            [f"{i}\t{line}" for i, line in enumerate(chunk.alleles)],
        )
        cur.execute("ANALYZE import_allele")
        cur.execute(_INSERT_ALLELES, {"genome": GENOME})
        new_ids = {row[0] for row in cur.fetchall()}
        cur.execute(_ALLELE_IDS, {"genome": GENOME})
        resolved = [(idx, allele_id, allele_id in new_ids) for idx, allele_id in cur.fetchall()]
        if len(resolved) != n:
            raise RuntimeError(f"resolved {len(resolved)} of {n} alleles")
        cur.execute("TRUNCATE import_allele")
        cur.execute("SELECT nextval(pg_get_serial_sequence('genotype', 'id')) FROM generate_series(1, %s)", (n,))
        genotype_ids = [row[0] for row in cur.fetchall()]
        new_annotations: list[str] = []
        known_annotations: list[str] = []
        genotypes: list[str] = []
        sampledata: list[str] = []
        created = 0
        for (idx, allele_id, is_new), genotype_id in zip(resolved, genotype_ids, strict=True):
            if is_new:
                created += 1
                new_annotations.append(f"{allele_id}\t{chunk.annotations[idx]}\t1\t{self.config}\n")
            else:
                known_annotations.append(f"{allele_id}\t{chunk.annotations[idx]}\n")
            genotypes.append(f"{genotype_id}\t{allele_id}{chunk.genotypes[idx]}")
            sampledata.extend(f"{genotype_id}{tail}" for tail in chunk.sampledata[idx])
        self._copy("annotation", "allele_id, annotation, schema_version, annotation_config_id", new_annotations)
        self._copy("import_annotation", "allele_id, annotation", known_annotations)
        self._copy("genotype", "id, allele_id, sample_id, filter_status, variant_quality", genotypes)
        self._copy(
            "genotypesampledata",
            "genotype_id, sample_id, secondallele, multiallelic, type, genotype_quality, genotype_likelihood, "
            "sequencing_depth, allele_depth, allele_ratio",
            sampledata,
        )
        counts["variants"] += n
        counts["alleles_created"] += created
        counts["alleles_existing"] += n - created
        counts["annotations_created"] += created
        counts["genotypes"] += n
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
        counts["skipped_no_proband_alt"] = counts["records"] - counts["variants"]


# ------------------------------------------------------------------------------------------ the import


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
            session.flush()
        ids.append([rows[n].id for n in p.samples])
    return ids


def import_analysis(
    session: Session,
    path: str | Path,
    *,
    skip_existing: bool = False,
    config: annconf.AnnotationConfig | None = None,
    properties: dict[str, Any] | None = None,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Import one analysis inside the caller's transaction; raise on any problem (the caller rolls back)."""
    started = time.perf_counter()
    spec = load_analysis(path)
    return import_spec(
        session,
        spec,
        skip_existing=skip_existing,
        config=config,
        properties=properties,
        progress=progress,
        started=started,
    )


def import_spec(
    session: Session,
    spec: AnalysisSpec,
    *,
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
    session.add(
        AnalysisInterpretation(
            analysis_id=analysis.id,
            genepanel_name=spec.genepanel_name,
            genepanel_version=spec.genepanel_version,
            status="Not started",
            workflow_status="Not ready" if spec.warnings else "Interpretation",
        )
    )
    session.add(InterpretationLog(analysis_id=analysis.id, priority=spec.priority))
    session.flush()

    counts, timings = _load_variants(session, prepared, sample_ids, config, progress)
    report.created.append(spec.name)
    report.extra.update(
        {
            "analysis_id": analysis.id,
            "analysis": spec.name,
            "genepanel": f"{spec.genepanel_name}_{spec.genepanel_version}",
            "form": spec.form,
            "samples": sum(len(s) for s in sample_ids),
            "proband": [p.samples[p.proband_index] for p in prepared],
            "annotation_config": config.name,
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
    progress: ProgressFn,
) -> tuple[dict[str, int], dict[str, float]]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    writers = []
    for index, p in enumerate(prepared):
        with VcfReader(p.entry.vcf) as vcf:
            writers.append((_RowWriter(index, p, config.mapper(vcf.header), sample_ids[index]), p.entry.vcf))
    t0 = time.perf_counter()
    writer = _Writer(raw.cursor(), config.config_id)
    producer = _Producer(writers)
    producer.start()
    try:
        for chunk in producer:
            writer.write(chunk)
            progress("importing variants", writer.counts["records"], writer.counts["records"])
    finally:
        producer.stopped.set()
        producer.join()
    timings = {"parse_and_write": round(time.perf_counter() - t0, 3)}
    t1 = time.perf_counter()
    writer.finish(config.config_id)
    timings["existing_annotations"] = round(time.perf_counter() - t1, 3)
    return writer.counts, timings


# ------------------------------------------------------------------------------------------ single alleles


def import_alleles(
    session: Session,
    vcf_path: str | Path,
    *,
    genepanel_name: str,
    genepanel_version: str,
    config: annconf.AnnotationConfig | None = None,
) -> ChangeReport:
    """Alleles and annotation of a (small) VCF without samples or genotypes, each new allele with a
    "Not started" allele interpretation: the variant workflow (``deposit alleles``, the poller's
    ``Variants`` mode). Row by row: these files hold a handful of pasted variants."""
    if session.get(GenePanel, (genepanel_name, genepanel_version)) is None:
        raise MissingDependencyError(f"gene panel {genepanel_name} {genepanel_version} is not in the database")
    config = config or active_annotation_config(session)
    report = ChangeReport(kind="alleles")
    conn = session.connection()
    seen: set[tuple[str, int, str, str]] = set()
    with VcfReader(vcf_path) as vcf:
        mapper = config.mapper(vcf.header)
        for record in vcf:
            key = (record.chrom, record.pos, record.ref, record.alt)
            if record.alt.startswith("<") or key in seen:
                continue
            seen.add(key)
            try:
                annotation = mapper.annotate(parse_info(record.info))
            except ValueError as exc:
                raise InputError(str(exc), source=vcf.source, line=record.line) from None
            shape = allele_shape(record.pos, record.ref, record.alt)
            params = {
                "genome": GENOME,
                "chrom": record.chrom,
                "pos": record.pos,
                "ref": record.ref,
                "alt": record.alt,
                "start": shape.start,
                "end": shape.open_end,
                "cfrom": shape.change_from,
                "cto": shape.change_to,
                "ctype": shape.change_type,
                "length": shape.length,
            }
            allele_id = conn.execute(
                text(
                    "INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, "
                    "change_from, change_to, change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length) "
                    "VALUES (:genome, :chrom, :start, :end, :cfrom, :cto, :ctype, 'snv', :pos, :ref, :alt, :length) "
                    "ON CONFLICT (genome_reference, chromosome, vcf_pos, vcf_ref, vcf_alt) DO NOTHING RETURNING id"
                ),
                params,
            ).scalar()
            label = f"{record.chrom}:{record.pos} {record.ref}>{record.alt}"
            if allele_id is None:
                allele_id = conn.execute(
                    text(
                        "SELECT id FROM allele WHERE genome_reference = :genome AND chromosome = :chrom "
                        "AND vcf_pos = :pos AND vcf_ref = :ref AND vcf_alt = :alt"
                    ),
                    params,
                ).scalar_one()
                report.unchanged.append(label)
            else:
                report.created.append(label)
            _version_annotation(session, allele_id, annotation, config.config_id)
            open_round = conn.execute(
                text("SELECT 1 FROM alleleinterpretation WHERE allele_id = :a AND status <> 'Done'"), {"a": allele_id}
            ).first()
            if open_round is None:
                conn.execute(
                    text(
                        "INSERT INTO alleleinterpretation (allele_id, genepanel_name, genepanel_version, status, "
                        "workflow_status) VALUES (:a, :gp, :gv, 'Not started', 'Interpretation')"
                    ),
                    {"a": allele_id, "gp": genepanel_name, "gv": genepanel_version},
                )
    report.extra["allele_ids"] = len(seen)
    return report


def _version_annotation(session: Session, allele_id: int, annotation: dict[str, Any], config_id: int | None) -> None:
    conn = session.connection()
    current = conn.execute(
        text("SELECT id, annotation FROM annotation WHERE allele_id = :a AND date_superceeded IS NULL"),
        {"a": allele_id},
    ).first()
    if current is not None and current[1] == annotation:
        return
    if current is not None:
        conn.execute(text("UPDATE annotation SET date_superceeded = now() WHERE id = :id"), {"id": current[0]})
    conn.execute(
        text(
            "INSERT INTO annotation (allele_id, annotation, schema_version, annotation_config_id, "
            "previous_annotation_id) VALUES (:a, CAST(:ann AS jsonb), 1, :cfg, :prev)"
        ),
        {"a": allele_id, "ann": _dumps(annotation), "cfg": config_id, "prev": current[0] if current else None},
    )
