"""Alleles and their annotation from a VCF, without an analysis: ``deposit alleles`` and ``deposit annotation``.

ELLA's rules (``DepositAlleles``):

* every record becomes an allele (samples and genotypes are ignored); a known allele is not duplicated;
* its annotation comes from the active annotation config; a new annotation version is made only when the
  annotation or the config differs from the allele's current one, which is then kept, superseded
  (``date_superceeded``), and linked from the new one (``previous_annotation_id``);
* ``deposit alleles`` only: every record must lie inside a transcript of the gene panel (CHROM equal and
  ``tx_start <= POS - 1 <= tx_end``; CNV records, with ``INFO/SVTYPE``, are exempt) — otherwise the deposit is
  refused, listing the records outside; each allele without any allele interpretation gets one, "Not started",
  for the panel, so it shows in the variant workflow;
* ``deposit annotation`` (``annotation_only``): no panel check and no interpretation.

Ours in addition: everything is checked before anything is written (a bad record anywhere names file and
line, and nothing is stored); a variant listed twice is refused; the database work is set-based — the
records are COPY'd into a temporary table and handled with a few statements — so a 50k-record exome VCF
costs a few seconds and a second run, which changes nothing, says so.
"""

from __future__ import annotations

import bisect
import io
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import GenePanel, GenePanelTranscript, Transcript
from ella_app.errors import InputError, MissingDependencyError
from ella_app.formats import annotation_config as annconf
from ella_app.formats.vcf import VcfReader, allele_shape, cnv_shape, parse_info, sv_change_type
from ella_app.services.import_blocks import escape_copy
from ella_app.services.importer import refresh_statistics
from ella_app.services.results import ChangeReport, ProgressFn, no_progress

GENOME = "GRCh37"
CHUNK = 5000  # records per COPY
ANALYZE_FROM_ROWS = 1_000  # new alleles plus new annotation versions from which the tables are analyzed
ANALYZED_TABLES = ("allele", "annotation", "annotationshadowtranscript", "alleleinterpretation")
MAX_LISTED_OUTSIDE = 20  # records outside the panel named in the error (the count names them all)


class Regions:
    """A panel's transcripts per chromosome, for 'is this position inside one' in O(log n)."""

    def __init__(self, intervals: list[tuple[str, int, int]]) -> None:
        by_chrom: dict[str, list[tuple[int, int]]] = {}
        for chrom, start, end in intervals:
            by_chrom.setdefault(chrom, []).append((start, end))
        self._starts: dict[str, list[int]] = {}
        self._max_end: dict[str, list[int]] = {}  # running maximum of the ends, in start order
        for chrom, items in by_chrom.items():
            items.sort()
            self._starts[chrom] = [s for s, _ in items]
            running, ends = -1, []
            for _, end in items:
                running = max(running, end)
                ends.append(running)
            self._max_end[chrom] = ends

    def contains(self, chrom: str, pos0: int) -> bool:
        starts = self._starts.get(chrom)
        if not starts:
            return False
        i = bisect.bisect_right(starts, pos0) - 1
        return i >= 0 and self._max_end[chrom][i] >= pos0


def panel_regions(session: Session, name: str, version: str) -> Regions:
    if session.get(GenePanel, (name, version)) is None:
        raise MissingDependencyError(f"gene panel {name} {version} is not in the database")
    rows = session.execute(
        select(Transcript.chromosome, Transcript.tx_start, Transcript.tx_end)
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .where(GenePanelTranscript.genepanel_name == name, GenePanelTranscript.genepanel_version == version)
    ).all()
    return Regions([(c, int(s), int(e)) for c, s, e in rows])


@dataclass
class _Parsed:
    """What reading one VCF found (its records went to the staging table chunk by chunk)."""

    records: int = 0
    outside: list[str] = field(default_factory=list)
    n_outside: int = 0


def _parse(
    path: Path,
    mapper_for: Any,
    regions: Regions | None,
    cnv_enabled: bool,
    sink: Callable[[list[str]], None],
    progress: ProgressFn,
) -> _Parsed:
    """Check and convert every record; each chunk of COPY lines goes to ``sink`` (the caller's transaction
    is rolled back when a later record is bad)."""
    parsed = _Parsed()
    chunk: list[str] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    with VcfReader(path) as vcf:
        source = vcf.source
        mapper: annconf.AnnotationMapper = mapper_for(vcf.header)
        for record in vcf:
            line = record.line

            def bad(problem: str, line: int = line) -> InputError:
                return InputError(problem, source=source, line=line)

            if "," in record.alt:
                raise bad(
                    f"ALT {record.alt!r} has several alleles: decompose multiallelic sites first "
                    "(vt decompose -s, or bcftools norm -m -any)"
                )
            key = (record.chrom, record.pos, record.ref, record.alt)
            first = seen.setdefault(key, line)
            if first != line:
                variant = f"{record.chrom}:{record.pos} {record.ref}>{record.alt}"
                raise bad(f"variant {variant} is listed twice (also on line {first})")
            try:
                info = parse_info(record.info)
                svtype = info.get("SVTYPE")
                if svtype is not None:
                    if not isinstance(svtype, str):
                        raise ValueError("INFO/SVTYPE has no value")
                    if not cnv_enabled:
                        raise ValueError(
                            f"CNV record (INFO/SVTYPE={svtype}, ALT {record.alt}): importing CNVs needs the feature "
                            "flag app.feature_flags.cnv: true in ella_config.yml"
                        )
                    sv_change_type(record.alt, svtype)
                    shape = cnv_shape(record.pos, record.ref, record.alt, svtype, info.get("SVLEN"))
                elif record.alt.startswith("<"):
                    raise ValueError(
                        f"symbolic ALT {record.alt} without INFO/SVTYPE (a CNV record needs SVTYPE and SVLEN)"
                    )
                else:
                    shape = allele_shape(record.pos, record.ref, record.alt)
                annotation = escape_copy(orjson.dumps(mapper.annotate(info)).decode())
            except ValueError as exc:
                raise bad(str(exc)) from None
            if regions is not None and svtype is None and not regions.contains(record.chrom, record.pos - 1):
                parsed.n_outside += 1
                if len(parsed.outside) < MAX_LISTED_OUTSIDE:
                    fields = (record.chrom, str(record.pos), record.id, record.ref, record.alt)
                    parsed.outside.append(f"line {line}: {' '.join(fields)}")
            chunk.append(
                f"{parsed.records}\t{escape_copy(record.chrom)}\t{record.pos}\t{escape_copy(record.ref)}\t"
                f"{escape_copy(record.alt)}\t{shape.start}\t{shape.open_end}\t{escape_copy(shape.change_from)}\t"
                f"{escape_copy(shape.change_to)}\t{shape.change_type}\t{'cnv' if svtype else 'snv'}\t{shape.length}\t"
                f"{annotation}\n"
            )
            parsed.records += 1
            if len(chunk) >= CHUNK:
                sink(chunk)
                chunk = []
                progress("depositing variants", parsed.records, parsed.records)
    if chunk:
        sink(chunk)
    return parsed


_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS deposit_allele (
    idx int NOT NULL, chromosome text NOT NULL, vcf_pos bigint NOT NULL, vcf_ref text NOT NULL,
    vcf_alt text NOT NULL, start_position bigint NOT NULL, open_end_position bigint NOT NULL,
    change_from text NOT NULL, change_to text NOT NULL, change_type text NOT NULL, caller_type text NOT NULL,
    length int NOT NULL, annotation text NOT NULL, allele_id int
) ON COMMIT DROP;
ALTER TABLE deposit_allele ALTER COLUMN annotation SET STORAGE EXTERNAL;
CREATE TEMP TABLE IF NOT EXISTS deposit_annotation (
    allele_id int NOT NULL, annotation text NOT NULL, current_id int
) ON COMMIT DROP;
ALTER TABLE deposit_annotation ALTER COLUMN annotation SET STORAGE EXTERNAL;
TRUNCATE deposit_allele, deposit_annotation;
"""
_COLUMNS = (
    "idx, chromosome, vcf_pos, vcf_ref, vcf_alt, start_position, open_end_position, change_from, change_to, "
    "change_type, caller_type, length, annotation"
)
_STATEMENTS: list[tuple[str | None, str]] = [
    (None, "ANALYZE deposit_allele"),
    (
        "alleles_created",
        """
        INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, change_from, change_to,
                            change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length)
        SELECT :genome, chromosome, start_position, open_end_position, change_from, change_to, change_type,
               caller_type, vcf_pos, vcf_ref, vcf_alt, length
        FROM deposit_allele ORDER BY chromosome, vcf_pos
        ON CONFLICT (genome_reference, chromosome, vcf_pos, vcf_ref, vcf_alt) DO NOTHING
        """,
    ),
    (
        None,
        """
        UPDATE deposit_allele d SET allele_id = a.id
        FROM allele a
        WHERE a.genome_reference = :genome AND a.chromosome = d.chromosome AND a.vcf_pos = d.vcf_pos
          AND a.vcf_ref = d.vcf_ref AND a.vcf_alt = d.vcf_alt
        """,
    ),
    (
        None,
        """
        INSERT INTO deposit_annotation (allele_id, annotation, current_id)
        SELECT d.allele_id, d.annotation, cur.id
        FROM deposit_allele d
        LEFT JOIN annotation cur ON cur.allele_id = d.allele_id AND cur.date_superceeded IS NULL
        WHERE cur.id IS NULL OR cur.annotation IS DISTINCT FROM CAST(d.annotation AS jsonb)
           OR cur.annotation_config_id IS DISTINCT FROM CAST(:config_id AS int)
        """,
    ),
    (
        "annotations_superseded",
        """
        UPDATE annotation SET date_superceeded = now()
        FROM deposit_annotation n
        WHERE annotation.id = n.current_id
        """,
    ),
    (
        "annotations_created",
        """
        INSERT INTO annotation (allele_id, annotation, schema_version, annotation_config_id, previous_annotation_id)
        SELECT allele_id, CAST(annotation AS jsonb), 1, CAST(:config_id AS int), current_id FROM deposit_annotation
        """,
    ),
]
_INTERPRETATIONS = """
INSERT INTO alleleinterpretation (allele_id, genepanel_name, genepanel_version, status, workflow_status)
SELECT DISTINCT d.allele_id, :gp, :gv, 'Not started', 'Interpretation'
FROM deposit_allele d
WHERE NOT EXISTS (SELECT 1 FROM alleleinterpretation ai WHERE ai.allele_id = d.allele_id)
"""


def deposit_alleles(
    session: Session,
    vcf_path: str | Path,
    *,
    genepanel: tuple[str, str] | None,
    annotation_only: bool = False,
    app_config: Mapping[str, Any] | None = None,
    config: annconf.AnnotationConfig | None = None,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Deposit the alleles and annotation of one VCF inside the caller's transaction (see the module)."""
    from ella_app.services.importer import active_annotation_config, cnv_enabled

    started = time.perf_counter()
    path = Path(vcf_path)
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    regions = None
    if genepanel is not None:
        regions = panel_regions(session, *genepanel)  # ELLA looks the panel up for both commands
    elif not annotation_only:
        raise MissingDependencyError("deposit alleles needs a gene panel")
    config = config or active_annotation_config(session)
    conn = session.connection()
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    for statement in _STAGING.strip().split(";\n"):
        conn.exec_driver_sql(statement)

    copy_seconds = 0.0
    chunks: Queue[list[str] | BaseException | None] = Queue(maxsize=2)
    stop = threading.Event()

    def put(item: list[str] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.2)
                return
            except Full:
                continue

    result: list[_Parsed] = []

    def read() -> None:  # in a thread: parsing overlaps the COPY of the previous chunk (psycopg2 frees the GIL)
        try:
            regions_checked = None if annotation_only else regions
            result.append(_parse(path, config.mapper, regions_checked, cnv_enabled(app_config), put, progress))
            put(None)
        except BaseException as exc:
            put(exc)

    t_read = time.perf_counter()
    reader = threading.Thread(target=read, name="vcf-reader", daemon=True)
    reader.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            t = time.perf_counter()
            data = io.StringIO("".join(item))
            cursor.copy_expert(f"COPY deposit_allele ({_COLUMNS}) FROM STDIN", data)
            copy_seconds += time.perf_counter() - t
    finally:
        stop.set()
        reader.join()
    parsed = result[0]
    timings = {"read_and_copy": time.perf_counter() - t_read, "copy": copy_seconds}
    if parsed.n_outside:
        assert genepanel is not None
        more = parsed.n_outside - len(parsed.outside)
        listed = "\n  ".join(parsed.outside) + (f"\n  … and {more} more" if more else "")
        raise InputError(
            f"{parsed.n_outside} variant(s) are not inside a transcript of gene panel {genepanel[0]}_{genepanel[1]} "
            f"(CNV records excepted):\n  {listed}",
            source=str(path),
        )
    counts = {k: 0 for k in ("alleles_created", "annotations_created", "annotations_superseded")}
    counts["interpretations_created"] = 0
    if parsed.records:
        params = {"genome": GENOME, "config_id": config.config_id}
        for name, statement in _STATEMENTS:
            t = time.perf_counter()
            result = conn.execute(text(statement), params)
            timings[name or statement.split()[0].lower()] = time.perf_counter() - t
            if name:
                counts[name] = result.rowcount
        if not annotation_only:
            assert genepanel is not None
            counts["interpretations_created"] = conn.execute(
                text(_INTERPRETATIONS), {"gp": genepanel[0], "gv": genepanel[1]}
            ).rowcount
        if counts["alleles_created"] + counts["annotations_created"] >= ANALYZE_FROM_ROWS:
            # as the analysis importer: fresh planner statistics in this transaction, so the work lists and
            # search do not plan with the old ones until autovacuum; in the importer's order
            t = time.perf_counter()
            refresh_statistics(conn.exec_driver_sql, ANALYZED_TABLES)
            timings["table_statistics"] = time.perf_counter() - t
    conn.exec_driver_sql("TRUNCATE deposit_allele, deposit_annotation")
    report = ChangeReport(kind="annotation" if annotation_only else "alleles")
    label = path.name
    if counts["alleles_created"]:
        report.created.append(label)
    elif counts["annotations_created"] or counts["interpretations_created"]:
        report.updated.append(label)
    else:
        report.unchanged.append(label)
    report.extra.update(
        {
            "file": str(path),
            "genepanel": None if genepanel is None else f"{genepanel[0]}_{genepanel[1]}",
            "annotation_config": config.name,
            "records": parsed.records,
            "alleles_existing": parsed.records - counts["alleles_created"],
            "annotations_unchanged": parsed.records - counts["annotations_created"],
            **counts,
            "seconds": round(time.perf_counter() - started, 3),
            "timings": {k: round(v, 3) for k, v in timings.items()},
        }
    )
    return report


def merge_reports(kind: str, reports: list[ChangeReport]) -> ChangeReport:
    """One report for several files: the files by outcome, the counts summed."""
    total = ChangeReport(kind=kind)
    sums: dict[str, int] = {}
    for report in reports:
        total.created += report.created
        total.updated += report.updated
        total.unchanged += report.unchanged
        for key, value in report.extra.items():
            if isinstance(value, int) and not isinstance(value, bool):
                sums[key] = sums.get(key, 0) + value
    total.extra.update(sums)
    total.extra["files"] = [r.extra for r in reports]
    return total
