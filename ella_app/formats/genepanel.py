"""ELLA's gene panel folder: ``NAME_vVERSION/NAME_vVERSION_{genes_transcripts,phenotypes}.tsv``.

``*_genes_transcripts.tsv``: lines starting with ``#`` are comments, except the header, which starts with
``#chromosome``. Columns are found by header name (extra ones are ignored); coordinates are 0-based starts
and exclusive ends (BED-like); exon lists are comma separated (a trailing comma is fine); empty coding
start/end mean a non-coding transcript.

``*_phenotypes.tsv``: ``#`` lines are comments; the header starts with ``HGNC id``. An empty inheritance
becomes ``N/A``, an empty MIM number none. Phenotypes repeated on (gene, description, inheritance) are
kept once.

Everything here is parsing and validation; nothing touches the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ella_app.errors import InputError, InputErrors

T = TypeVar("T")

TRANSCRIPTS_SUFFIX = "_genes_transcripts.tsv"
PHENOTYPES_SUFFIX = "_phenotypes.tsv"
TRANSCRIPT_HEADER_START = "#chromosome"
PHENOTYPE_HEADER_START = "HGNC id"
MAX_ERRORS = 50

TRANSCRIPT_COLUMNS = (
    "#chromosome",
    "read start",
    "read end",
    "name",
    "strand",
    "HGNC id",
    "HGNC symbol",
    "inheritance",
    "coding start",
    "coding end",
    "exon starts",
    "exon ends",
)
OPTIONAL_TRANSCRIPT_COLUMNS = ("tags",)
PHENOTYPE_COLUMNS = ("HGNC id", "HGNC symbol", "inheritance", "phenotype MIM number", "phenotype")
NO_INHERITANCE = "N/A"


@dataclass(frozen=True)
class TranscriptRecord:
    name: str
    chromosome: str
    tx_start: int
    tx_end: int
    strand: str
    tags: tuple[str, ...]
    hgnc_id: int
    hgnc_symbol: str
    inheritance: str
    cds_start: int | None
    cds_end: int | None
    exon_starts: tuple[int, ...]
    exon_ends: tuple[int, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class PhenotypeRecord:
    hgnc_id: int
    hgnc_symbol: str
    inheritance: str
    omim_id: int | None
    description: str
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.hgnc_id, self.description, self.inheritance)


@dataclass
class GenePanelData:
    """One parsed panel: its identity and the rows of both files."""

    name: str
    version: str
    source: str
    transcripts: list[TranscriptRecord]
    phenotypes: list[PhenotypeRecord]

    @property
    def key(self) -> str:
        return f"{self.name}_{self.version}"

    def genes(self) -> dict[int, str]:
        """HGNC id -> symbol, from the transcripts file first, then the phenotypes file."""
        genes = {t.hgnc_id: t.hgnc_symbol for t in self.transcripts}
        for p in self.phenotypes:
            genes.setdefault(p.hgnc_id, p.hgnc_symbol)
        return genes


# --- folder handling ---------------------------------------------------------------------------------


def split_panel_name(basename: str, *, source: str | None = None) -> tuple[str, str]:
    """``HBOC_v1.0.0`` -> ``("HBOC", "v1.0.0")``: split at the first ``_``; the version starts with ``v``."""
    name, sep, version = basename.partition("_")
    if not sep or not name or len(version) < 2 or not version.startswith("v"):
        raise InputError(
            f"'{basename}' is not NAME_vVERSION (split at the first '_', the version must start with 'v', "
            "e.g. HBOC_v1.0.0)",
            source=source or basename,
        )
    return name, version


def panel_folder(folder: str | Path) -> tuple[str, str, Path, Path]:
    """Name, version and the two file paths of a panel folder; missing pieces are InputErrors."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError("gene panel folder not found (or not a directory)", source=str(path))
    base = Path(os.path.abspath(path)).name  # the name as given (a symlink keeps its own name)
    name, version = split_panel_name(base, source=str(path))
    transcripts = path / f"{base}{TRANSCRIPTS_SUFFIX}"
    phenotypes = path / f"{base}{PHENOTYPES_SUFFIX}"
    for file in (transcripts, phenotypes):
        if not file.is_file():
            raise InputError(
                "file not found (a panel folder holds <folder name>" + file.name[len(base) :] + ")", source=str(file)
            )
    return name, version, transcripts, phenotypes


def find_panel_folders(parent: str | Path) -> list[Path]:
    """Every non-hidden sub-directory of ``parent``, sorted: each must be a panel folder."""
    path = Path(parent)
    if not path.is_dir():
        raise InputError("directory not found", source=str(path))
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError("no gene panel folders (NAME_vVERSION/) in this directory", source=str(path))
    return folders


def read_panel_folder(folder: str | Path) -> GenePanelData:
    name, version, transcripts, phenotypes = panel_folder(folder)
    return read_panel_files(name, version, transcripts, phenotypes, source=str(folder))


def read_panel_files(
    name: str,
    version: str,
    transcripts_path: str | Path,
    phenotypes_path: str | Path,
    *,
    source: str | None = None,
) -> GenePanelData:
    """Parse and cross-check both files of one panel; every problem found is reported at once."""
    if not name or not version.startswith("v") or len(version) < 2:
        raise InputError(f"panel name '{name}' / version '{version}': the version must start with 'v'")
    errors: list[InputError] = []
    transcripts = _collect(errors, lambda: read_transcripts(transcripts_path))
    phenotypes = _collect(errors, lambda: read_phenotypes(phenotypes_path))
    if transcripts is not None and phenotypes is not None:
        errors.extend(_check_symbols(transcripts, phenotypes, str(phenotypes_path)))
    _raise(errors)
    assert transcripts is not None and phenotypes is not None
    return GenePanelData(name, version, source or str(transcripts_path), transcripts, phenotypes)


def _collect(errors: list[InputError], fn: Callable[[], T]) -> T | None:
    try:
        return fn()
    except InputErrors as exc:
        errors.extend(exc.errors)
    except InputError as exc:
        errors.append(exc)
    return None


def _raise(errors: list[InputError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors[:MAX_ERRORS])


def _check_symbols(
    transcripts: list[TranscriptRecord], phenotypes: list[PhenotypeRecord], source: str
) -> list[InputError]:
    symbols = {t.hgnc_id: t.hgnc_symbol for t in transcripts}
    errors = []
    for row in phenotypes:
        known = symbols.get(row.hgnc_id)
        if known is not None and known != row.hgnc_symbol:
            errors.append(
                InputError(
                    f"HGNC id {row.hgnc_id} is '{known}' in the transcripts file but '{row.hgnc_symbol}' here",
                    source=source,
                    line=row.line,
                    key="HGNC symbol",
                )
            )
    return errors


# --- TSV reading -------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def _read_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=str(path)) from None


def _rows(path: str | Path, header_start: str, required: tuple[str, ...]) -> Iterator[_Row]:
    """Yield data rows as {column: value}; the header is the first line starting with ``header_start``
    (with or without a leading ``#``)."""
    source = str(path)
    header: list[str] | None = None
    header_line = 0
    for number, raw in enumerate(_read_lines(path), start=1):
        if not raw.strip():
            continue
        if header is None:
            if raw.startswith(header_start) or raw.lstrip("#").startswith(header_start.lstrip("#")):
                header, header_line = _parse_header(raw, header_start, required, source, number), number
                continue
            if raw.startswith("#"):
                continue
            raise InputError(
                f"data before the header (a line starting with '{header_start}')", source=source, line=number
            )
        if raw.startswith("#"):
            continue
        fields = [f.strip() for f in raw.split("\t")]
        if len(fields) > len(header):
            raise InputError(
                f"{len(fields)} tab-separated columns, but the header (line {header_line}) has {len(header)}",
                source=source,
                line=number,
            )
        last_required = max(header.index(c) for c in required)
        if len(fields) <= last_required:
            raise InputError(
                f"only {len(fields)} tab-separated columns; column '{header[len(fields)]}' is missing",
                source=source,
                line=number,
                key=header[len(fields)],
            )
        fields += [""] * (len(header) - len(fields))
        yield _Row(number, dict(zip(header, fields, strict=True)))
    if header is None:
        raise InputError(f"no header line (a line starting with '{header_start}')", source=source)


def _parse_header(raw: str, header_start: str, required: tuple[str, ...], source: str, line: int) -> list[str]:
    header = [c.strip() for c in raw.split("\t")]
    if header_start.startswith("#"):
        header[0] = "#" + header[0].lstrip("#")
    else:
        header[0] = header[0].lstrip("#")
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        raise InputError(f"column(s) named twice in the header: {', '.join(duplicates)}", source=source, line=line)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(repr(c) for c in missing)} (header has: {', '.join(header)})",
            source=source,
            line=line,
            key=missing[0],
        )
    return header


class _RowErrors:
    """Turns value problems into InputErrors for one row, collecting them instead of stopping."""

    def __init__(self, source: str, row: _Row, errors: list[InputError]) -> None:
        self.source, self.row, self.errors = source, row, errors

    def add(self, problem: str, column: str | None = None) -> None:
        self.errors.append(InputError(problem, source=self.source, line=self.row.line, key=column))

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.row.values[column]
        if required and not value:
            self.add("empty value", column)
        return value

    def integer(self, column: str, *, required: bool = True, minimum: int | None = 0) -> int | None:
        value = self.row.values[column]
        if not value:
            if required:
                self.add("empty value, an integer is needed", column)
            return None
        try:
            number = int(value)
        except ValueError:
            self.add(f"'{value}' is not an integer", column)
            return None
        if minimum is not None and number < minimum:
            self.add(f"{number} is below {minimum}", column)
            return None
        return number

    def integers(self, column: str) -> tuple[int, ...] | None:
        value = self.row.values[column]
        parts = value.split(",")
        if parts and parts[-1] == "":
            parts.pop()  # trailing comma
        if not parts:
            self.add("empty list, at least one integer is needed", column)
            return None
        try:
            numbers = tuple(int(p.strip()) for p in parts)
        except ValueError:
            bad = next(p for p in parts if not _is_int(p.strip()))
            self.add(f"'{bad}' in '{value}' is not an integer (comma-separated list expected)", column)
            return None
        if any(n < 0 for n in numbers):
            self.add("negative coordinate in list", column)
            return None
        return numbers


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


# --- genes_transcripts.tsv ---------------------------------------------------------------------------


def read_transcripts(path: str | Path) -> list[TranscriptRecord]:
    """Parse a ``*_genes_transcripts.tsv``; reports every bad row (up to 50) in one InputErrors."""
    source = str(path)
    errors: list[InputError] = []
    records: list[TranscriptRecord] = []
    seen: dict[str, int] = {}
    symbols: dict[int, tuple[str, int]] = {}
    for row in _rows(path, TRANSCRIPT_HEADER_START, TRANSCRIPT_COLUMNS):
        record = _transcript(source, row, errors)
        if record is None:
            if len(errors) >= MAX_ERRORS:
                break
            continue
        if record.name in seen:
            errors.append(
                InputError(
                    f"transcript '{record.name}' already on line {seen[record.name]}",
                    source=source,
                    line=row.line,
                    key="name",
                )
            )
            continue
        known = symbols.get(record.hgnc_id)
        if known and known[0] != record.hgnc_symbol:
            errors.append(
                InputError(
                    f"HGNC id {record.hgnc_id} is '{known[0]}' on line {known[1]} but '{record.hgnc_symbol}' here",
                    source=source,
                    line=row.line,
                    key="HGNC symbol",
                )
            )
            continue
        seen[record.name] = row.line
        symbols.setdefault(record.hgnc_id, (record.hgnc_symbol, row.line))
        records.append(record)
    _raise(errors)
    return records


def _transcript(source: str, row: _Row, errors: list[InputError]) -> TranscriptRecord | None:
    before = len(errors)
    r = _RowErrors(source, row, errors)
    chromosome = r.text("#chromosome")
    name = r.text("name")
    tx_start = r.integer("read start")
    tx_end = r.integer("read end")
    strand = r.text("strand")
    if strand and strand not in ("+", "-"):
        r.add(f"'{strand}' is not a strand (+ or -)", "strand")
    hgnc_id = r.integer("HGNC id", minimum=1)
    symbol = r.text("HGNC symbol")
    inheritance = r.text("inheritance")
    cds_start = r.integer("coding start", required=False)
    cds_end = r.integer("coding end", required=False)
    exon_starts = r.integers("exon starts")
    exon_ends = r.integers("exon ends")
    tags_text = row.values.get("tags", "")
    tags = tuple(t.strip() for t in tags_text.split(",") if t.strip())
    if bool(row.values["coding start"]) != bool(row.values["coding end"]):
        empty = "coding start" if not row.values["coding start"] else "coding end"
        r.add("give both coding start and coding end, or neither (a non-coding transcript)", empty)
    if tx_start is not None and tx_end is not None and tx_start >= tx_end:
        r.add(f"read start {tx_start} is not below read end {tx_end}", "read start")
        tx_start = tx_end = None  # no further checks against a broken span
    if cds_start is not None and cds_end is not None:
        if cds_start > cds_end:
            r.add(f"coding start {cds_start} is after coding end {cds_end}", "coding start")
        elif tx_start is not None and tx_end is not None and not (tx_start <= cds_start and cds_end <= tx_end):
            r.add(f"coding region {cds_start}-{cds_end} is outside the transcript {tx_start}-{tx_end}", "coding start")
    if exon_starts is not None and exon_ends is not None:
        _check_exons(r, exon_starts, exon_ends, tx_start, tx_end)
    if len(errors) > before:
        return None
    assert tx_start is not None and tx_end is not None and hgnc_id is not None
    assert exon_starts is not None and exon_ends is not None
    return TranscriptRecord(
        name=name,
        chromosome=chromosome,
        tx_start=tx_start,
        tx_end=tx_end,
        strand=strand,
        tags=tags,
        hgnc_id=hgnc_id,
        hgnc_symbol=symbol,
        inheritance=inheritance,
        cds_start=cds_start,
        cds_end=cds_end,
        exon_starts=exon_starts,
        exon_ends=exon_ends,
        line=row.line,
    )


def _check_exons(
    r: _RowErrors, starts: tuple[int, ...], ends: tuple[int, ...], tx_start: int | None, tx_end: int | None
) -> None:
    if len(starts) != len(ends):
        r.add(f"{len(starts)} exon starts but {len(ends)} exon ends", "exon ends")
        return
    previous_end: int | None = None
    for index, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        if start >= end:
            r.add(f"exon {index}: start {start} is not below end {end}", "exon starts")
            return
        if previous_end is not None and start < previous_end:
            r.add(
                f"exon {index} starts at {start}, before the previous exon ends ({previous_end}): "
                "exons must be sorted and must not overlap",
                "exon starts",
            )
            return
        previous_end = end
    if tx_start is not None and tx_end is not None and (starts[0] < tx_start or ends[-1] > tx_end):
        r.add(f"exons {starts[0]}-{ends[-1]} reach outside the transcript {tx_start}-{tx_end}", "exon starts")


# --- phenotypes.tsv ----------------------------------------------------------------------------------


def read_phenotypes(path: str | Path) -> list[PhenotypeRecord]:
    """Parse a ``*_phenotypes.tsv``; repeats of (gene, description, inheritance) are kept once."""
    source = str(path)
    errors: list[InputError] = []
    records: dict[tuple[int, str, str], PhenotypeRecord] = {}
    for row in _rows(path, PHENOTYPE_HEADER_START, PHENOTYPE_COLUMNS):
        r = _RowErrors(source, row, errors)
        before = len(errors)
        hgnc_id = r.integer("HGNC id", minimum=1)
        symbol = r.text("HGNC symbol")
        description = r.text("phenotype")
        omim_id = r.integer("phenotype MIM number", required=False, minimum=1)
        inheritance = row.values["inheritance"] or NO_INHERITANCE
        if len(errors) > before:
            if len(errors) >= MAX_ERRORS:
                break
            continue
        assert hgnc_id is not None
        record = PhenotypeRecord(hgnc_id, symbol, inheritance, omim_id, description, row.line)
        records.setdefault(record.key, record)
    _raise(errors)
    return list(records.values())
