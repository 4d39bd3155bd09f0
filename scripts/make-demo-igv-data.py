#!/usr/bin/env python3
"""Make the demo IGV data (files/demo/igv-data): a small synthetic GRCh37 reference for the demo's visual mode.

No real genome is shipped with the kit (GRCh37 is 3 GB; real sites copy theirs or run ``ella-cli
igv-download``). This script writes, deterministically and with the standard library only:

* ``demo-grch37-panels.fasta``: windows of synthetic sequence at the real GRCh37 coordinates of the demo gene
  panels' exons and of the demo and upstream test variants, each window a FASTA record named
  ``<chrom>:<start>-<end> @len=<GRCh37 chromosome length>`` (igv.js reads such a file whole, without an index,
  and places every window at its coordinates on a chromosome of the real length). The bases are pseudo-random,
  seeded by the window's position; at every variant position the VCF's REF allele is written, so the variants
  sit on the reference they were called against.
* ``cytoBand.txt``: a coarse ideogram of the same chromosomes (real lengths, approximate centromeres, bands of
  equal size numbered from the centromere (p1, p2, ... and q1, q2, ...); not UCSC's band table).
* ``tracks/demo-capture-targets.bed``: a static track, the panels' exons with 20 bases on each side.

Usage: scripts/make-demo-igv-data.py [--out DIR] [--check]
  --out DIR   where to write (default: files/demo/igv-data of this repository)
  --check     write nothing; exit 1 when the files in DIR differ from what would be written
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PANELS = ROOT / "files" / "demo" / "fixtures" / "genepanels"
# The demo analyses, and ELLA's TestAnalysis-001 that the Molecule verify step imports on the demo-like host.
VCF_DIRS = (
    ROOT / "files" / "demo" / "analyses",
    ROOT / "tests" / "data" / "ella-upstream" / "analyses" / "TestAnalysis-001",
)
DEFAULT_OUT = ROOT / "files" / "demo" / "igv-data"

FASTA = "demo-grch37-panels.fasta"
CYTOBAND = "cytoBand.txt"
TARGETS = "tracks/demo-capture-targets.bed"

# GRCh37 chromosome lengths (the assembly's) and centromeres (approximate, rounded to 100 kb).
CHROMOSOMES = {
    "1": (249_250_621, (121_500_000, 128_900_000)),
    "2": (243_199_373, (90_500_000, 96_800_000)),
    "3": (198_022_430, (87_900_000, 93_900_000)),
    "4": (191_154_276, (48_200_000, 52_700_000)),
    "5": (180_915_260, (46_100_000, 50_700_000)),
    "6": (171_115_067, (58_700_000, 63_300_000)),
    "7": (159_138_663, (58_000_000, 61_700_000)),
    "8": (146_364_022, (43_100_000, 48_100_000)),
    "9": (141_213_431, (47_300_000, 50_700_000)),
    "10": (135_534_747, (38_000_000, 42_300_000)),
    "11": (135_006_516, (51_600_000, 55_700_000)),
    "12": (133_851_895, (33_300_000, 38_200_000)),
    "13": (115_169_878, (16_300_000, 19_500_000)),
    "14": (107_349_540, (16_100_000, 19_100_000)),
    "15": (102_531_392, (15_800_000, 20_700_000)),
    "16": (90_354_753, (34_600_000, 38_600_000)),
    "17": (81_195_210, (22_200_000, 25_800_000)),
    "18": (78_077_248, (15_400_000, 19_000_000)),
    "19": (59_128_983, (24_400_000, 28_600_000)),
    "20": (63_025_520, (25_600_000, 29_400_000)),
    "21": (48_129_895, (10_900_000, 14_300_000)),
    "22": (51_304_566, (12_200_000, 17_900_000)),
    "X": (155_270_560, (58_100_000, 63_000_000)),
    "Y": (59_373_566, (11_600_000, 13_400_000)),
}
PAD = 200  # bases of sequence on each side of an exon or a variant
TARGET_PAD = 20
BAND = 10_000_000  # size of an ideogram band
LINE = 60
BASES = "ACGT"
WEIGHTS = (0.29, 0.21, 0.21, 0.29)  # about 42 % GC, as in the human genome


@dataclass(frozen=True)
class Exon:
    chrom: str
    start: int  # 0-based, half open
    end: int
    name: str


class DataError(Exception):
    """An input file the generator cannot use (names the file and line)."""


def read_exons(panels: Path) -> list[Exon]:
    exons = []
    files = sorted(panels.glob("*/*_genes_transcripts.tsv"))
    if not files:
        raise DataError(f"{panels}: no *_genes_transcripts.tsv found")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            try:
                chrom, symbol = cols[0], cols[6]
                starts = [int(s) for s in cols[12].split(",") if s]
                ends = [int(s) for s in cols[13].split(",") if s]
            except (IndexError, ValueError) as exc:
                raise DataError(f"{path}:{number}: cannot read the exons: {exc}") from None
            if chrom not in CHROMOSOMES or len(starts) != len(ends):
                raise DataError(f"{path}:{number}: unknown chromosome {chrom!r} or unpaired exon starts/ends")
            exons += [
                Exon(chrom, s, e, f"{symbol} exon {i + 1}") for i, (s, e) in enumerate(zip(starts, ends, strict=True))
            ]
    return exons


def read_refs(vcf_dirs: tuple[Path, ...]) -> dict[tuple[str, int], str]:
    """{(chrom, 0-based position): base} from the REF column of every VCF under ``vcf_dirs``."""
    refs: dict[tuple[str, int], str] = {}
    for path in sorted(p for d in vcf_dirs if d.is_dir() for p in d.rglob("*.vcf")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 5 or not cols[1].isdigit() or cols[0] not in CHROMOSOMES:
                raise DataError(f"{path}:{number}: not a VCF record on a GRCh37 chromosome")
            for offset, base in enumerate(cols[3].upper()):
                key = (cols[0], int(cols[1]) - 1 + offset)
                if base not in BASES or refs.setdefault(key, base) != base:
                    raise DataError(f"{path}:{number}: REF {cols[3]!r} conflicts with another VCF or is not ACGT")
    return refs


def windows(exons: list[Exon], refs: dict[tuple[str, int], str]) -> dict[str, list[tuple[int, int]]]:
    """Merged 0-based half-open windows per chromosome."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for exon in exons:
        spans.setdefault(exon.chrom, []).append((exon.start - PAD, exon.end + PAD))
    for chrom, pos in refs:
        spans.setdefault(chrom, []).append((pos - PAD, pos + 1 + PAD))
    merged: dict[str, list[tuple[int, int]]] = {}
    for chrom, items in spans.items():
        out: list[tuple[int, int]] = []
        for start, end in sorted(items):
            start, end = max(0, start), min(CHROMOSOMES[chrom][0], end)
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[chrom] = out
    return merged


def chromosome_order(names: list[str]) -> list[str]:
    return sorted(names, key=lambda c: list(CHROMOSOMES).index(c))


def fasta_text(spans: dict[str, list[tuple[int, int]]], refs: dict[tuple[str, int], str]) -> str:
    parts = []
    for chrom in chromosome_order(list(spans)):
        length = CHROMOSOMES[chrom][0]
        for start, end in spans[chrom]:
            rng = random.Random(f"ella-demo-igv:{chrom}:{start}")
            bases = rng.choices(BASES, WEIGHTS, k=end - start)
            for pos in range(start, end):
                if (chrom, pos) in refs:
                    bases[pos - start] = refs[(chrom, pos)]
            seq = "".join(bases)
            parts.append(f">{chrom}:{start + 1}-{end} @len={length}\n")
            parts += [seq[i : i + LINE] + "\n" for i in range(0, len(seq), LINE)]
    return "".join(parts)


def cytoband_text(chromosomes: list[str]) -> str:
    lines = []
    for chrom in chromosome_order(chromosomes):
        length, (cen_start, cen_end) = CHROMOSOMES[chrom]
        middle = (cen_start + cen_end) // 2
        p_bands = max(1, round(cen_start / BAND))
        for i in range(p_bands):  # from the p telomere to the centromere: p<n> ... p1
            start, end = cen_start * i // p_bands, cen_start * (i + 1) // p_bands
            lines.append(f"{chrom}\t{start}\t{end}\tp{p_bands - i}\t{'gpos50' if (p_bands - i) % 2 else 'gneg'}")
        lines.append(f"{chrom}\t{cen_start}\t{middle}\tpcen\tacen")
        lines.append(f"{chrom}\t{middle}\t{cen_end}\tqcen\tacen")
        q_bands = max(1, round((length - cen_end) / BAND))
        for i in range(q_bands):
            start = cen_end + (length - cen_end) * i // q_bands
            end = cen_end + (length - cen_end) * (i + 1) // q_bands
            lines.append(f"{chrom}\t{start}\t{end}\tq{i + 1}\t{'gpos50' if (i + 1) % 2 else 'gneg'}")
    return "".join(line + "\n" for line in lines)


def targets_text(exons: list[Exon]) -> str:
    rows = sorted({(e.chrom, e.start - TARGET_PAD, e.end + TARGET_PAD, e.name) for e in exons})
    rows.sort(key=lambda r: (list(CHROMOSOMES).index(r[0]), r[1], r[2]))
    return "".join(f"{c}\t{s}\t{e}\t{n}\n" for c, s, e, n in rows)


def build() -> dict[str, str]:
    exons = read_exons(PANELS)
    refs = read_refs(VCF_DIRS)
    spans = windows(exons, refs)
    return {FASTA: fasta_text(spans, refs), CYTOBAND: cytoband_text(list(spans)), TARGETS: targets_text(exons)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when DIR is out of date")
    args = parser.parse_args(argv)
    try:
        files = build()
    except (DataError, OSError) as exc:
        print(f"make-demo-igv-data: {exc}", file=sys.stderr)
        return 2
    stale = [n for n, text in files.items() if not (args.out / n).is_file() or (args.out / n).read_text() != text]
    if args.check:
        for name in stale:
            print(f"out of date: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        (args.out / name).parent.mkdir(parents=True, exist_ok=True)
        (args.out / name).write_text(files[name])
    print(f"{len(stale)} file(s) written, {len(files) - len(stale)} unchanged in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
