"""A streaming VCF reader: header, samples, INFO and VEP ``CSQ`` decoding.

Pure parsing: no database. Every error is an :class:`InputError` naming the file and line. Records are
produced one at a time, so a 100k-variant file never sits in memory. Plain and gzip/bgzip files are read.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ella_app.errors import InputError

_META_INFO = re.compile(r"^##INFO=<(?P<body>.*)>\s*$")
_KV = re.compile(r'(?P<key>[A-Za-z_][\w.]*)=(?P<value>"(?:[^"\\]|\\.)*"|[^,]*)')
_CSQ_FORMAT = re.compile(r"Format:\s*(?P<fields>[^\s\"]+)")
_BASES = re.compile(r"^[ACGTNacgtn]+$")
_SYMBOLIC = re.compile(r"^<[^<>]+>$")
_FIXED = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")


@dataclass(frozen=True)
class InfoDefinition:
    id: str
    number: str
    type: str
    description: str


@dataclass
class VcfHeader:
    path: str
    fileformat: str | None = None
    meta: list[str] = field(default_factory=list)
    info: dict[str, InfoDefinition] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    has_format: bool = False
    header_line: int = 0

    def csq_fields(self, key: str = "CSQ") -> list[str] | None:
        """The sub-field names of a VEP-style INFO key, from its ``Format: a|b|c`` description."""
        definition = self.info.get(key)
        if definition is None:
            return None
        match = _CSQ_FORMAT.search(definition.description)
        return match.group("fields").split("|") if match else None


@dataclass(slots=True)
class VcfRecord:
    """One data line. ``info`` is the raw INFO column; use :func:`parse_info` to split it."""

    line: int
    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    qual: float | None
    filter: str
    info: str
    format: list[str]
    samples: list[list[str]]

    def sample_data(self, index: int) -> dict[str, str]:
        return dict(zip(self.format, self.samples[index], strict=False))


def _open(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="\n")
    return path.open("r", encoding="utf-8", newline="\n")


def _parse_info_meta(body: str, source: str, line: int) -> InfoDefinition:
    values: dict[str, str] = {}
    for match in _KV.finditer(body):
        value = match.group("value")
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"')
        values.setdefault(match.group("key"), value)
    if "ID" not in values:
        raise InputError("##INFO header line without ID", source=source, line=line)
    return InfoDefinition(
        id=values["ID"],
        number=values.get("Number", "."),
        type=values.get("Type", "String"),
        description=values.get("Description", ""),
    )


class VcfReader:
    """``with VcfReader(path) as vcf: vcf.header.samples; for record in vcf: ...``"""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.source = str(path)
        if not self.path.is_file():
            raise InputError("VCF file not found", source=self.source)
        self._fh: IO[str] | None = None
        self._line = 0
        self.header = VcfHeader(path=self.source)

    def __enter__(self) -> VcfReader:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        try:
            self._fh = _open(self.path)
            self._read_header()
        except InputError:
            self.close()
            raise

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _error(self, problem: str, line: int | None = None) -> InputError:
        return InputError(problem, source=self.source, line=self._line if line is None else line)

    def _readline(self) -> str:
        assert self._fh is not None
        try:
            text = self._fh.readline()
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._error(f"compressed file is truncated or corrupt ({exc})", self._line + 1) from None
        except UnicodeDecodeError:
            raise self._error("not UTF-8 text", self._line + 1) from None
        if text:
            self._line += 1
        return text

    def _read_header(self) -> None:
        header = self.header
        while True:
            text = self._readline()
            if not text:
                raise self._error("file ends before the #CHROM header line", self._line + 1)
            text = text.rstrip("\r\n")
            if text.startswith("##"):
                header.meta.append(text)
                if self._line == 1 and text.startswith("##fileformat="):
                    header.fileformat = text.split("=", 1)[1]
                match = _META_INFO.match(text)
                if match:
                    definition = _parse_info_meta(match.group("body"), self.source, self._line)
                    header.info[definition.id] = definition
                continue
            if not text.startswith("#CHROM"):
                raise self._error("expected the #CHROM header line")
            columns = text.split("\t")
            if tuple(columns[:8]) != _FIXED:
                raise self._error("malformed #CHROM header line (must be tab-separated CHROM..INFO)")
            if header.fileformat is None:
                raise self._error("missing ##fileformat=VCFv4.x as the first line", 1)
            header.has_format = len(columns) > 8
            if header.has_format and columns[8] != "FORMAT":
                raise self._error("the ninth column of the #CHROM line must be FORMAT")
            header.samples = columns[9:]
            if len(set(header.samples)) != len(header.samples):
                raise self._error("duplicate sample names in the #CHROM line")
            header.header_line = self._line
            return

    def __iter__(self) -> Iterator[VcfRecord]:
        n_columns = 9 + len(self.header.samples) if self.header.has_format else 8
        assert self._fh is not None
        lines = iter(self._fh)  # iterating the file is cheaper than readline() per line
        while True:
            try:
                text = next(lines, "")
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise self._error(f"compressed file is truncated or corrupt ({exc})", self._line + 1) from None
            except UnicodeDecodeError:
                raise self._error("not UTF-8 text", self._line + 1) from None
            if not text:
                return
            self._line += 1
            if text[-1] != "\n":
                raise self._error("last line is incomplete (file truncated?)")
            text = text.rstrip("\r\n")
            if not text:
                continue
            columns = text.split("\t")
            if len(columns) != n_columns:
                raise self._error(f"expected {n_columns} tab-separated columns, found {len(columns)}")
            yield self._record(columns)

    def _record(self, c: list[str]) -> VcfRecord:
        try:
            pos = int(c[1])
        except ValueError:
            raise self._error(f"POS {c[1]!r} is not an integer") from None
        if pos < 1:
            raise self._error(f"POS {pos} must be positive")
        ref, alt = c[3], c[4]
        if not _BASES.match(ref):
            raise self._error(f"REF {ref!r} is not a sequence of bases")
        if "," in alt:
            raise self._error(f"ALT {alt!r} has several alleles; decompose the file first (bcftools norm -m -any)")
        if not (_BASES.match(alt) or _SYMBOLIC.match(alt) or alt == "*"):
            raise self._error(f"ALT {alt!r} is not a sequence of bases or a symbolic allele")
        qual: float | None = None
        if c[5] != ".":
            try:
                qual = float(c[5])
            except ValueError:
                raise self._error(f"QUAL {c[5]!r} is not a number") from None
        fmt = c[8].split(":") if len(c) > 8 else []
        samples = [s.split(":") for s in c[9:]]
        return VcfRecord(
            line=self._line,
            chrom=c[0],
            pos=pos,
            id=c[2],
            ref=ref.upper(),
            alt=alt.upper() if not alt.startswith("<") else alt,
            qual=qual,
            filter=c[6],
            info=c[7],
            format=fmt,
            samples=samples,
        )


def parse_info(raw: str) -> dict[str, str | bool]:
    """Split an INFO column into ``{key: raw value}``; flags map to ``True``."""
    if raw in (".", ""):
        return {}
    result: dict[str, str | bool] = {}
    for item in raw.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        result[key] = value if sep else True
    return result


_ESCAPES = {"%3A": ":", "%3B": ";", "%3D": "=", "%25": "%", "%2C": ",", "%0D": "\r", "%0A": "\n", "%09": "\t"}
_ESCAPE_RE = re.compile("|".join(_ESCAPES), re.IGNORECASE)


def unescape(value: str) -> str:
    """Undo VCF 4.3 percent-encoding and the ``\\x2c``-style escapes some annotators write."""
    if "%" in value:
        value = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0).upper()], value)
    if "\\x" in value:
        value = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), value)
    return value


class CsqDecoder:
    """Decodes a VEP ``CSQ`` (or ``ANN``-like) value into one dict per entry, driven by the header's field list."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        self.n = len(fields)

    def decode(self, value: str) -> list[dict[str, str]]:
        entries = []
        fields = self.fields
        for entry in value.split(","):
            parts = entry.split("|")
            if len(parts) != self.n:
                raise ValueError(f"CSQ entry has {len(parts)} fields, the header declares {self.n}")
            entries.append({k: v for k, v in zip(fields, parts, strict=True) if v})
        return entries


@dataclass(frozen=True, slots=True)
class AlleleShape:
    """ELLA's allele coordinates: 0-based start, open end, the changed bases, the change type and length."""

    start: int
    open_end: int
    change_from: str
    change_to: str
    change_type: str  # SNP | del | ins | indel; CNVs: dup | dup_tandem | del | del_me
    length: int


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def allele_shape(pos: int, ref: str, alt: str) -> AlleleShape:
    """ELLA's coordinates of a VCF allele (``VCFRecord._snv_allele_info``).

    The common suffix of REF and ALT is removed first, then the common prefix (moving the start): an
    insertion sits between the base before it and the next one (start = that base, open end = start + 1,
    length 1); a deletion spans the deleted bases; equal lengths of one base are a SNP, anything else an
    indel. Equivalent representations of one change (extra padding on either side) give the same shape.
    """
    if ref == alt:
        raise ValueError(f"REF and ALT are the same ({ref}): not a variant")
    start = pos - 1
    n = _common_suffix(ref, alt)
    if n:
        ref, alt = ref[:-n], alt[:-n]
    n = _common_prefix(ref, alt)
    if n:
        ref, alt = ref[n:], alt[n:]
        start += n
    if len(ref) == 1 and len(alt) == 1:
        return AlleleShape(start, start + 1, ref, alt, "SNP", 1)
    if ref and alt:
        return AlleleShape(start, start + len(ref), ref, alt, "indel", max(len(ref), len(alt)))
    if alt:
        return AlleleShape(start - 1, start, "", alt, "ins", 1)
    return AlleleShape(start, start + len(ref), ref, "", "del", len(ref))


# Symbolic ALTs ELLA maps to a CNV change type; other ALTs of a record with INFO/SVTYPE take DEL/DUP from it.
SV_ALT_CHANGE_TYPES = {"<DUP>": "dup", "<DUP:TANDEM>": "dup_tandem", "<DEL>": "del", "<DEL:ME>": "del_me"}
_SVTYPE_CHANGE_TYPES = {"DEL": "del", "DUP": "dup"}


def sv_change_type(alt: str, svtype: str) -> str:
    """ELLA's change type of a CNV record (``VCFRecord.sv_change_type``)."""
    found = SV_ALT_CHANGE_TYPES.get(alt) or _SVTYPE_CHANGE_TYPES.get(svtype)
    if found is None:
        raise ValueError(
            f"CNV record with ALT {alt} and SVTYPE={svtype}: only ALT <DUP>, <DUP:TANDEM>, <DEL>, <DEL:ME> "
            "or SVTYPE DEL/DUP are supported"
        )
    return found


def cnv_shape(pos: int, ref: str, alt: str, svtype: str, svlen: str | bool | None) -> AlleleShape:
    """ELLA's coordinates of a CNV record (``VCFRecord._cnv_allele_info``): the start is POS - 1; a
    duplication has an open end of start + 1, anything else start + |SVLEN|; the length is |SVLEN|. The
    bases are empty for the symbolic ALTs of :data:`SV_ALT_CHANGE_TYPES`, REF/ALT otherwise."""
    change_type = sv_change_type(alt, svtype)
    if not isinstance(svlen, str) or not svlen:
        raise ValueError(f"CNV record (SVTYPE={svtype}) without INFO/SVLEN")
    try:
        length = abs(int(svlen.split(",", 1)[0]))
    except ValueError:
        raise ValueError(f"INFO/SVLEN {svlen!r} is not an integer") from None
    start = pos - 1
    open_end = start + 1 if change_type in ("dup", "dup_tandem") else start + length
    if alt in SV_ALT_CHANGE_TYPES:
        ref, alt = "", ""
    return AlleleShape(start, open_end, ref, alt, change_type, length)


# ------------------------------------------------------------------------------------------ genotypes

# ELLA's genotype types by the allele indices of a decomposed record (-1 = missing), ``GenotypeImporter``.
# "./." and "." are "No coverage" when the sample has no call anywhere in the (multiallelic) block.
GENOTYPE_TYPES: dict[tuple[int, ...], str] = {
    (0, 1): "Heterozygous",
    (1, 0): "Heterozygous",
    (1, -1): "Heterozygous",
    (-1, 1): "Heterozygous",
    (1, 1): "Homozygous",
    (1,): "Homozygous",
    (0, -1): "Reference",
    (-1, 0): "Reference",
    (0, 0): "Reference",
    (-1, -1): "Reference",
    (-1,): "Reference",
    (0,): "Reference",
}
# The sample's genotype at this site involves another ALT of the (decomposed) multiallelic site.
MULTIALLELIC_GTS = frozenset({(1, -1), (-1, 1), (0, -1), (-1, 0)})
NO_CALL_GTS = frozenset({(-1, -1), (-1,)})

_GT_SPLIT = re.compile(r"[/|]")
_gt_cache: dict[str, tuple[int, ...]] = {}


def parse_gt(value: str) -> tuple[int, ...]:
    """Allele indices of a GT value (``0/1`` → (0, 1), ``1|.`` → (1, -1), ``1`` → (1,)); ValueError if malformed."""
    found = _gt_cache.get(value)
    if found is not None:
        return found
    parts = _GT_SPLIT.split(value or ".")
    if not all(a == "." or a.isdigit() for a in parts):
        raise ValueError(f"GT {value!r} is not a genotype")
    parsed = tuple(-1 if a == "." else int(a) for a in parts)
    if len(_gt_cache) < 4096:
        _gt_cache[value] = parsed
    return parsed
