"""Variants pasted into the IMPORT page (ELLA's manual import, feature U15): parsed, checked and turned into
the input the annotation service (ella-anno) accepts.

A paste is one or more blocks. A line starting with ``-`` starts a block and names it (``-Diag-HBOC-12``: the
analysis name, as in ELLA's batch import); text before the first such line is a block without a name. Every
variant of a block must be given in one format (ELLA: "variants for the same sample must all be given in the
same format"):

* ``vcf``: VCF data lines (tab-separated CHROM POS ID REF ALT [QUAL FILTER INFO [FORMAT SAMPLE…]]), with or
  without the ``#CHROM`` header line; a header is added when missing.
* ``genomic``: ``13-32890607-G-T`` (ella-anno's form) or ``13:32890607 G>T`` / ``chr13:32890607 G>T``; sent
  to the service in its form ``13-32890607-G-T``.
* ``hgvsc``: ``NM_000059.3:c.7397T>C``, converted by the service.
* ``seqpilot``: a SeqPilot export (tab-separated, a header with ``Transcript`` and ``c. HGVS``), passed through.

A genomic or HGVS line may end with the genotype ``(het)`` or ``(hom)`` (ELLA also reads ``(homo)``); a VCF
line carries it in FORMAT/GT. A block without genotypes can only be imported as single variants (ELLA's
``Variants`` mode), not as an analysis.

Pure parsing: no database. Every problem is an :class:`InputError` naming the line of the paste; all problems of
a paste are reported together (up to :data:`MAX_PROBLEMS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ella_app.errors import InputError, InputErrors

MAX_CHARS = 5_000_000  # a paste larger than this is refused (deposit a VCF with ella-cli instead)
MAX_VARIANTS = 20_000  # per block
MAX_PROBLEMS = 20
MAX_POS = 2**31 - 1

KINDS = ("vcf", "genomic", "hgvsc", "seqpilot")
KIND_NAMES = {
    "vcf": "VCF lines",
    "genomic": "genomic positions",
    "hgvsc": "HGVS names",
    "seqpilot": "a SeqPilot export",
}
CHROMOSOMES = frozenset([str(n) for n in range(1, 23)] + ["X", "Y", "MT"])
GENOTYPES = {"het": "het", "hom": "hom", "homo": "hom"}

_GT_SUFFIX = re.compile(r"\s+\((?P<gt>[A-Za-z]+)\)\s*$")
# 13-32890607-G-T (ella-anno's own form)
_DASHED = re.compile(r"^(?:chr)?(?P<chrom>[0-9XYMT]{1,2})-(?P<pos>\d+)-(?P<ref>[A-Za-z]+)-(?P<alt>[A-Za-z]+)$", re.I)
# 13:32890607 G>T, chr13:32890607G>T, 13:32890607:G:T
_COLON = re.compile(
    r"^(?:chr)?(?P<chrom>[0-9XYMT]{1,2}):(?P<pos>\d+)(?:\s*|:)(?P<ref>[A-Za-z]+)(?:\s*>\s*|:)(?P<alt>[A-Za-z]+)$",
    re.I,
)
_HGVSC = re.compile(r"^(?P<tx>[A-Za-z]{2}_\d+(?:\.\d+)?)(?:\([A-Za-z0-9-]+\))?:c\.(?P<change>\S+)$")
_BASES = re.compile(r"^[ACGTN]+$")
_HELP = (
    "give VCF columns (CHROM POS ID REF ALT …, tab-separated), a genomic position (13:32890607 G>T or "
    "13-32890607-G-T) or an HGVS name (NM_000059.3:c.7397T>C), optionally followed by (het) or (hom)"
)


@dataclass(frozen=True)
class PastedVariant:
    line: int  # line number in the whole paste (1-based)
    text: str  # the line as pasted (trimmed)
    display: str  # 13:32890607 G>T, or the HGVS name
    genotype: str | None  # het | hom | None


@dataclass
class PastedBlock:
    name: str | None  # from the "-name" line
    line: int  # first line of the block (the "-name" line, if any)
    kind: str = ""
    variants: list[PastedVariant] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # VCF "#" lines or the SeqPilot header
    samples: list[str] = field(default_factory=list)  # VCF sample columns

    @property
    def has_genotypes(self) -> bool:
        return bool(self.variants) and all(v.genotype for v in self.variants)

    def anno_input(self) -> str:
        """The text sent to the annotation service (``POST /api/v1/annotate {"input": …}``)."""
        if self.kind == "genomic":
            return "\n".join(_dashed(v) for v in self.variants)
        if self.kind == "hgvsc":
            return "\n".join(v.text for v in self.variants)
        return "\n".join([*self.header, *(v.text for v in self.variants)])

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "line": self.line,
            "kind": self.kind,
            "kind_name": KIND_NAMES.get(self.kind, self.kind),
            "has_genotypes": self.has_genotypes,
            "samples": self.samples,
            "variants": [
                {"line": v.line, "text": v.text, "display": v.display, "genotype": v.genotype} for v in self.variants
            ],
        }


def _dashed(variant: PastedVariant) -> str:
    chrom_pos, change = variant.display.split(" ", 1)
    chrom, pos = chrom_pos.split(":")
    ref, alt = change.split(">")
    suffix = f" ({variant.genotype})" if variant.genotype else ""
    return f"{chrom}-{pos}-{ref}-{alt}{suffix}"


class _Problems:
    def __init__(self) -> None:
        self.items: list[InputError] = []

    def add(self, line: int, problem: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(InputError(problem, line=line))

    def raise_if_any(self) -> None:
        if len(self.items) == 1:
            raise self.items[0]
        if self.items:
            raise InputErrors(self.items)


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise InputError(
            f"the pasted data has {len(text):,} characters; at most {MAX_CHARS:,} can be imported at once "
            "(split it, or deposit the VCF with ella-cli deposit analysis)",
            key="data",
        )


def split_batch(text: str) -> list[tuple[str | None, int, list[tuple[int, str]]]]:
    """The blocks of a paste: (name, first line, [(line number, line)]) without blank lines."""
    blocks: list[tuple[str | None, int, list[tuple[int, str]]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if line.startswith("-"):
            blocks.append((line.lstrip("-").strip() or None, number, []))
            continue
        if not blocks:
            blocks.append((None, number, []))
        blocks[-1][2].append((number, line))
    return blocks


def parse(text: str) -> list[PastedBlock]:
    """Every block of a paste, checked; raises InputError/InputErrors naming the lines that are wrong."""
    check_size(text)
    problems = _Problems()
    blocks = []
    for name, first, lines in split_batch(text):
        block = PastedBlock(name, first)
        if name is not None and not re.fullmatch(r"[\w.+-]{1,100}", name):
            problems.add(first, f"the block name {_quote(name)} may hold letters, digits, '.', '_', '+' and '-' only")
        if not lines:
            problems.add(first, f"the block {_quote(name or '')} has no variants")
        else:
            _parse_block(block, lines, problems)
        blocks.append(block)
    if not blocks:
        raise InputError("nothing to import: paste at least one variant", key="data")
    problems.raise_if_any()
    return blocks


def parse_one(text: str) -> PastedBlock:
    """The data of one job: a single block (a ``-name`` line is allowed, not several)."""
    blocks = parse(text)
    if len(blocks) > 1:
        raise InputError(
            f"one job takes the variants of one sample; {len(blocks)} blocks ('-name' lines) were given", key="data"
        )
    return blocks[0]


# ------------------------------------------------------------------------------------------ blocks


def _line_kind(line: str) -> str | None:
    stripped = line.strip()
    if "\t" in stripped and len(stripped.split("\t")) >= 5:
        return "vcf"
    body = _GT_SUFFIX.sub("", stripped)
    if _DASHED.match(body) or _COLON.match(body):
        return "genomic"
    if ":c." in body:
        return "hgvsc"
    return None


def _parse_block(block: PastedBlock, lines: list[tuple[int, str]], problems: _Problems) -> None:
    header = [(n, ln) for n, ln in lines if ln.startswith("#")]
    data = [(n, ln) for n, ln in lines if not ln.startswith("#")]
    first_data = data[0][1] if data else ""
    if any(ln.startswith("#CHROM") for _, ln in header):
        block.kind = "vcf"
    elif _is_seqpilot_header(first_data):
        block.kind = "seqpilot"
    elif header:
        number, line = header[0]
        problems.add(number, f"{_quote(line)}: header lines need the '#CHROM' line of a VCF")
        return
    if not data or (block.kind == "seqpilot" and len(data) == 1):
        problems.add(lines[0][0], "the block has no variants")
        return
    if len(data) > MAX_VARIANTS:
        problems.add(data[0][0], f"{len(data):,} variants in one block; at most {MAX_VARIANTS:,}")
        return
    if block.kind == "seqpilot":
        _seqpilot(block, data, problems)
        return
    if not block.kind:
        kind = _line_kind(first_data)
        if kind is None:
            problems.add(data[0][0], f"{_quote(first_data.strip())} is not a variant: {_HELP}")
            return
        block.kind = kind
    if block.kind == "vcf":
        _vcf(block, header, data, problems)
    elif block.kind == "genomic":
        _genomic(block, data, problems)
    else:
        _hgvsc(block, data, problems)
    if len({v.display for v in block.variants}) < len(block.variants):
        seen: dict[str, int] = {}
        for v in block.variants:
            if v.display in seen:
                problems.add(v.line, f"{v.display} is listed twice in this block (also on line {seen[v.display]})")
            seen.setdefault(v.display, v.line)


def _other_format(number: int, line: str, kind: str, problems: _Problems) -> bool:
    """True (and a problem noted) if the line is in another format than the block's."""
    found = _line_kind(line)
    if found is not None and found != kind:
        problems.add(
            number,
            f"{_quote(line.strip())} is given as {KIND_NAMES[found]}, but this block holds {KIND_NAMES[kind]}: "
            "the variants of one sample must be given in one format (start another block with a '-name' line)",
        )
        return True
    return False


def _genotype(number: int, line: str, problems: _Problems) -> tuple[str, str | None]:
    match = _GT_SUFFIX.search(line)
    if not match:
        return line.strip(), None
    value = match.group("gt").lower()
    if value not in GENOTYPES:
        problems.add(number, f"unknown genotype ({match.group('gt')}): use (het) or (hom)")
    return line[: match.start()].strip(), GENOTYPES.get(value)


def _check_change(number: int, chrom: str, pos: str, ref: str, alt: str, problems: _Problems) -> str | None:
    chrom = chrom.upper().removeprefix("CHR")
    chrom = "MT" if chrom == "M" else chrom
    ref, alt = ref.upper(), alt.upper()
    if chrom not in CHROMOSOMES:
        problems.add(number, f"chromosome {chrom!r} is not one of 1-22, X, Y, MT")
        return None
    if not pos.isdigit() or not 0 < int(pos) <= MAX_POS:
        problems.add(number, f"position {pos!r} is not a positive whole number")
        return None
    for label, bases in (("REF", ref), ("ALT", alt)):
        if not _BASES.match(bases):
            problems.add(number, f"{label} {bases!r} must be bases (A, C, G, T, N)")
            return None
    if ref == alt:
        problems.add(number, f"REF and ALT are both {ref!r}: not a variant")
        return None
    return f"{chrom}:{int(pos)} {ref}>{alt}"


def _genomic(block: PastedBlock, data: list[tuple[int, str]], problems: _Problems) -> None:
    for number, line in data:
        if _other_format(number, line, "genomic", problems):
            continue
        body, genotype = _genotype(number, line, problems)
        match = _DASHED.match(body) or _COLON.match(body)
        if not match:
            problems.add(number, f"{_quote(line.strip())} is not a variant: {_HELP}")
            continue
        display = _check_change(number, *match.group("chrom", "pos", "ref", "alt"), problems)
        if display:
            block.variants.append(PastedVariant(number, line.strip(), display, genotype))


def _hgvsc(block: PastedBlock, data: list[tuple[int, str]], problems: _Problems) -> None:
    for number, line in data:
        if _other_format(number, line, "hgvsc", problems):
            continue
        body, genotype = _genotype(number, line, problems)
        if not _HGVSC.match(body):
            problems.add(
                number,
                f"{_quote(line.strip())} is not an HGVS cDNA name: give transcript:c.change, e.g. "
                "NM_000059.3:c.7397T>C (het)",
            )
            continue
        block.variants.append(PastedVariant(number, line.strip(), body, genotype))


def _vcf(block: PastedBlock, header: list[tuple[int, str]], data: list[tuple[int, str]], problems: _Problems) -> None:
    columns = None
    for number, line in header:
        if line.startswith("#CHROM"):
            columns = line.rstrip().split("\t")
            if columns[:5] != ["#CHROM", "POS", "ID", "REF", "ALT"]:
                problems.add(number, "the #CHROM line must start with #CHROM, POS, ID, REF, ALT (tab-separated)")
                return
    width = len(columns) if columns else len(data[0][1].rstrip().split("\t"))
    if columns is None:
        block.header = ["##fileformat=VCFv4.1", "\t".join(_vcf_header(width))]
    else:
        block.header = [ln.rstrip() for _, ln in header]
    block.samples = (columns or _vcf_header(width))[9:]
    for number, line in data:
        if _other_format(number, line, "vcf", problems):
            continue
        cols = line.rstrip().split("\t")
        if len(cols) < 5:
            problems.add(number, f"{_quote(line.strip())}: a VCF line has at least 5 tab-separated columns ({_HELP})")
            continue
        if len(cols) != width:
            problems.add(number, f"{len(cols)} columns where the lines above have {width}")
            continue
        if "," in cols[4]:
            problems.add(number, f"ALT {cols[4]!r} has several alleles: give one line per ALT allele")
            continue
        display = _check_change(number, cols[0], cols[1], cols[3], cols[4], problems)
        if not display:
            continue
        genotype = _vcf_genotype(cols) if width >= 10 else None
        padded = cols + ["."] * (8 - len(cols)) if len(cols) < 8 else cols
        block.variants.append(PastedVariant(number, "\t".join(padded), display, genotype))
    if width < 8:
        block.header[-1] = "\t".join(_vcf_header(8))


def _vcf_header(width: int) -> list[str]:
    fixed = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if width <= 8:
        return fixed
    samples = ["SAMPLE"] if width == 10 else [f"SAMPLE{i}" for i in range(1, width - 8)]
    return [*fixed, "FORMAT", *samples]


def _vcf_genotype(cols: list[str]) -> str | None:
    keys = cols[8].split(":")
    if "GT" not in keys:
        return None
    values = cols[9].split(":")
    index = keys.index("GT")
    gt = values[index] if index < len(values) else ""
    alleles = re.split(r"[/|]", gt)
    if not any(a not in ("0", ".") for a in alleles):
        return None
    return "hom" if len(set(alleles)) == 1 else "het"


def _is_seqpilot_header(line: str) -> bool:
    columns = [c.strip() for c in line.split("\t")]
    return "Transcript" in columns and "c. HGVS" in columns


def _seqpilot(block: PastedBlock, data: list[tuple[int, str]], problems: _Problems) -> None:
    _, header_line = data[0]
    block.header = [header_line.rstrip()]
    names = [c.strip() for c in header_line.split("\t")]
    for number, line in data[1:]:
        values = dict(zip(names, (c.strip() for c in line.split("\t")), strict=False))
        transcript, change = values.get("Transcript", ""), values.get("c. HGVS", "")
        if not transcript or not change:
            problems.add(number, "a SeqPilot row needs its Transcript and c. HGVS columns")
            continue
        genotype = re.search(r"\((het|homo?)\)", values.get("Nuc Change", ""))
        block.variants.append(
            PastedVariant(
                number,
                line.rstrip(),
                f"{transcript}:{change}",
                GENOTYPES[genotype.group(1)] if genotype else None,
            )
        )
