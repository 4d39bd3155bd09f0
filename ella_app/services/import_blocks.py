"""From VCF records to ELLA's genotype rows: sites, multiallelic blocks and compound genotypes.

Pure logic, no database (the importer turns the result into COPY text). Follows ELLA's deposit
(``vardb/deposit/deposit_analysis.py`` ``BlockIterator`` and ``importers.py`` ``GenotypeImporter``):

* A **site** is one decomposed record with its genotypes parsed. The proband *carries* it when its GT holds
  the ALT (``max(GT) == 1``), or when it is a CNV duplication and the proband's GT is ``./.``.
* A **block** is a run of consecutive records with the same ``INFO/OLD_MULTIALLELIC`` (what ``vt decompose``
  writes for the records split from one multiallelic site); any other record is a block of its own.
* Per block, the proband's imported sites (one, or two for a compound genotype such as ``1/.`` + ``./1``)
  become **one genotype** on the proband: the ``1/.`` site is its allele, the ``./1`` site its
  ``secondallele``. Every sample gets one ``genotypesampledata`` row per imported site: its type,
  ``multiallelic`` when its GT is ``1/.``, ``./1``, ``0/.`` or ``./0``, GQ, DP, CN, PL (none on multiallelic
  genotypes: misleading after decomposition), the allele depths of the whole block (``{"REF (A)": 10,
  "G": 5}``; one ``REF`` key when the decomposed records disagree on REF, none when the proband's sites do not
  share POS and REF) and the allele ratio from them (0 without depths). A sample's ``./.`` is
  "No coverage" only if it has no call anywhere in the block, otherwise "Reference" (with respect to the
  proband's variant).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson

from ella_app.formats.vcf import (
    GENOTYPE_TYPES,
    MULTIALLELIC_GTS,
    NO_CALL_GTS,
    SV_ALT_CHANGE_TYPES,
    VcfRecord,
    parse_gt,
    parse_info,
    sv_change_type,
)

_FORMAT_KEYS = ("GT", "GQ", "DP", "AD", "PL", "CN")
_INT_LIST = re.compile(r"[0-9]+(?:,[0-9]+)*")
_ABSENT = 99  # index past any FORMAT column: "this sample has no such field"


class SiteError(ValueError):
    """A record cannot be imported; the message says why (the caller adds the file, and the line unless
    ``line`` is set)."""

    line: int | None = None


@dataclass(slots=True)
class Site:
    """One decomposed VCF record, ready for the block logic."""

    record: VcfRecord
    info: dict[str, str | bool]
    gts: list[tuple[int, ...]]  # per sample, VCF order; -1 = missing
    block: str | None  # INFO/OLD_MULTIALLELIC
    svtype: str | None  # INFO/SVTYPE: a CNV record
    change_type: str | None  # CNV change type (dup, dup_tandem, del, del_me)
    carried: bool  # the proband carries the ALT
    positions: tuple[int, ...]  # FORMAT index of GT, GQ, DP, AD, PL, CN (_ABSENT when missing)
    keep: bool = False  # imported (carried and not prefiltered)

    @property
    def is_cnv(self) -> bool:
        return self.svtype is not None

    def field(self, sample: int, which: int) -> str:
        """The raw FORMAT value (``which`` indexes GT, GQ, DP, AD, PL, CN) of a sample; "." when absent."""
        values = self.record.samples[sample]
        index = self.positions[which]
        return values[index] if index < len(values) else "."


class SiteReader:
    """Turns the records of one VCF into :class:`Site` objects for a given proband column."""

    def __init__(self, proband_index: int, sample_names: list[str]) -> None:
        self.proband_index = proband_index
        self.sample_names = sample_names
        self._formats: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._gts: dict[str, tuple[int, ...]] = {}

    def _positions(self, fmt: list[str]) -> tuple[int, ...]:
        key = tuple(fmt)
        found = self._formats.get(key)
        if found is None:
            if "GT" not in fmt:
                raise SiteError("FORMAT has no GT field")
            found = tuple(fmt.index(k) if k in fmt else _ABSENT for k in _FORMAT_KEYS)
            self._formats[key] = found
        return found

    def _gt(self, name: str, values: list[str], gt_i: int) -> tuple[int, ...]:
        raw = values[gt_i] if gt_i < len(values) else "."
        try:
            gt = parse_gt(raw)
        except ValueError as exc:
            raise SiteError(f"sample {name}: {exc}") from None
        if max(gt) > 1:
            raise SiteError(
                f"sample {name}: GT {raw!r} refers to ALT allele {max(gt)}, but the record has one "
                "ALT: decompose multiallelic sites first (vt decompose -s, or bcftools norm -m -any)"
            )
        self._gts[raw] = gt
        return gt

    def site(self, record: VcfRecord) -> Site:
        positions = self._positions(record.format)
        gt_i = positions[0]
        known = self._gts  # the valid GT strings seen so far: a file has a handful
        try:
            gts = [known[values[gt_i]] for values in record.samples]
        except (KeyError, IndexError):
            gts = [self._gt(n, v, gt_i) for n, v in zip(self.sample_names, record.samples, strict=True)]
        info = parse_info(record.info)
        svtype = info.get("SVTYPE")
        change_type = None
        if svtype is not None:
            if not isinstance(svtype, str):
                raise SiteError("INFO/SVTYPE has no value")
            change_type = sv_change_type(record.alt, svtype)
        elif record.alt.startswith("<"):
            raise SiteError(f"symbolic ALT {record.alt} without INFO/SVTYPE (a CNV record needs SVTYPE and SVLEN)")
        block = info.get("OLD_MULTIALLELIC")
        proband = gts[self.proband_index]
        carried = max(proband) == 1 or (change_type in ("dup", "dup_tandem") and proband == (-1, -1))
        return Site(
            record,
            info,
            gts,
            block if isinstance(block, str) else None,
            svtype if isinstance(svtype, str) else None,
            change_type,
            carried,
            positions,
        )


def is_sample_multiallelic(site: Site, sample: int) -> bool:
    """ELLA's ``is_sample_multiallelic``: the site is part of a multiallelic block and the sample's GT holds
    something other than 0 and 1 (another ALT of the site, decomposed into ``.``)."""
    return site.block is not None and any(a not in (0, 1) for a in site.gts[sample])


def blocks(sites: Iterator[Site]) -> Iterator[list[Site]]:
    """Consecutive sites with the same ``OLD_MULTIALLELIC``; a site without it is a block of its own."""
    current: list[Site] = []
    for site in sites:
        if current and (site.block is None or site.block != current[-1].block):
            yield current
            current = []
        current.append(site)
        if site.block is None:
            yield current
            current = []
    if current:
        yield current


# ------------------------------------------------------------------------------------------ genotype rows


def _int(value: str, what: str) -> int | None:
    if value in (".", ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise SiteError(f"{what} {value!r} is not an integer") from None


def _ints(value: str, what: str) -> list[int | None]:
    return [_int(v, what) for v in value.split(",")]


def _gt_text(gt: tuple[int, ...]) -> str:
    return "/".join("." if a < 0 else str(a) for a in gt)


def _copy_int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


@dataclass
class GenotypeRows:
    """The genotype of one block: its allele sites and COPY text tails (sample ids already in)."""

    first: Site
    second: Site | None
    genotype_tail: str  # "\t<sample id>\t<filter>\t<qual>\n", after "<genotype id>\t<allele>\t<second>"
    sampledata: list[str] = field(default_factory=list)  # "\t<sample id>\t…\n", after "<genotype id>"


def _allele_depths(block: list[Site], sample_names: list[str], only: int | None = None) -> list[dict[str, int]]:
    """ELLA's allele depths per sample, gathered over the block's records the proband carries or where some
    sample has a missing allele (``./1`` …): ``{"REF (<REF>)": n, "<ALT>": m, …}``. With ``only``, of that
    sample alone (``sample_names`` then holds its name)."""
    indices = range(len(sample_names)) if only is None else [only]
    depths: list[dict[str, int]] = [{} for _ in indices]
    for site in block:
        if not (site.carried or any(-1 in gt for gt in site.gts)):
            continue
        if site.positions[3] == _ABSENT:
            continue
        ref_key = f"REF ({site.record.ref})"
        for out, sample in enumerate(indices):
            raw = site.field(sample, 3)
            if raw in (".", ""):
                continue
            values = _ints(raw, "AD")
            if len(values) != 2 or None in values:
                continue  # not decomposed, or partly missing: no depth from this record (ELLA logs a warning)
            depths[out][ref_key] = values[0]  # type: ignore[assignment]
            depths[out][site.record.alt] = values[1]  # type: ignore[assignment]
    for sample, depth in enumerate(depths):
        refs = [k for k in depth if k.startswith("REF")]
        if len(refs) > 1:
            counts = {depth.pop(k) for k in refs}
            if len(counts) > 1:
                raise SiteError(
                    f"the decomposed records of multiallelic site {block[0].block} give sample "
                    f"{sample_names[sample]} "
                    f"different reference depths ({', '.join(refs)})"
                )
            depth["REF"] = counts.pop()
    return depths


def genotype_rows(
    block: list[Site], sample_ids: list[int], sample_names: list[str], proband_index: int
) -> GenotypeRows | None:
    """The proband's genotype of a block and every sample's data for it; None when nothing is imported."""
    if len(block) == 1:
        site = block[0]
        if not site.keep:
            return None
        if not site.is_cnv:
            return single_site_rows(site, sample_ids, sample_names, proband_index)
    return block_rows(block, sample_ids, sample_names, proband_index)


# Per GT value: (type, multiallelic, no call) — the few distinct GT strings of a file, looked up once each.
_gt_kinds: dict[str, tuple[str, bool, bool]] = {}


def _gt_kind(value: str, name: str) -> tuple[str, bool, bool]:
    found = _gt_kinds.get(value)
    if found is None:
        gt = parse_gt(value)
        kind = GENOTYPE_TYPES.get(gt)
        if kind is None:
            raise SiteError(
                f"sample {name}: GT {_gt_text(gt)} is not supported (haploid or diploid calls of a decomposed record)"
            )
        found = (kind, gt in MULTIALLELIC_GTS, gt in NO_CALL_GTS)
        if len(_gt_kinds) < 4096:
            _gt_kinds[value] = found
    return found


def _copy_scalar(value: str, what: str) -> str:
    """A one-value FORMAT field as COPY text: the digits, or \\N when missing."""
    if value.isdigit() and value.isascii():
        return value
    return _copy_int(_scalar(value, what))


def single_site_rows(site: Site, sample_ids: list[int], sample_names: list[str], proband_index: int) -> GenotypeRows:
    """:func:`block_rows` for the common case, a record that is a block of its own (not a CNV): the same rows,
    with the per-sample work done on the raw FORMAT strings (this runs once per sample and record)."""
    record = site.record
    qual = "\\N" if record.qual is None or math.isnan(record.qual) else str(int(record.qual))
    rows = GenotypeRows(site, None, f"\t{sample_ids[proband_index]}\t{escape_copy(record.filter)}\t{qual}\n")
    ref_key = f"REF ({record.ref})"
    alt = record.alt
    plain = alt.isalpha() and record.ref.isalpha()  # JSON keys that need no escaping
    gt_i, gq_i, dp_i, ad_i, pl_i, cn_i = site.positions
    append = rows.sampledata.append
    for sample, (sample_id, values) in enumerate(zip(sample_ids, record.samples, strict=True)):
        n = len(values)
        raw = values[gt_i] if gt_i < n else "."
        kind, multiallelic, no_call = _gt_kinds.get(raw) or _gt_kind(raw, sample_names[sample])
        if no_call:
            kind = "No coverage"  # a record of its own: no call anywhere in its block
        depth_json, ratio = "{}", "0"
        ad = values[ad_i] if ad_i < n else "."
        ref_reads, comma, alt_reads = ad.partition(",")
        if comma and plain and ref_reads.isdigit() and alt_reads.isdigit() and ad.isascii():
            r, a = int(ref_reads), int(alt_reads)
            depth_json = f'{{"{ref_key}":{r},"{alt}":{a}}}'
            if r + a:
                ratio = repr(a / (r + a))
        elif ad not in (".", ""):
            depth = _allele_depths([site], [sample_names[sample]], only=sample)[0]
            depth_json = escape_copy(orjson.dumps(depth).decode())
            total = sum(depth.values())
            if total:
                ratio = repr(depth.get(alt, 0) / total)
        if multiallelic:
            pl = "\\N"
        else:
            raw = values[pl_i] if pl_i < n else "."
            if _INT_LIST.fullmatch(raw):
                pl = "{" + raw + "}"
            else:
                numbers = [v for v in _ints(raw, "PL") if v is not None]
                pl = "{" + ",".join(map(str, numbers)) + "}" if numbers else "\\N"
        gq = values[gq_i] if gq_i < n else "."
        if not (gq.isdigit() and gq.isascii()):
            gq = _copy_scalar(gq, "GQ")
        dp = values[dp_i] if dp_i < n else "."
        if not (dp.isdigit() and dp.isascii()):
            dp = _copy_scalar(dp, "DP")
        cn = values[cn_i] if cn_i < n else "."
        cn = _copy_scalar(cn, "CN") if cn != "." else "\\N"
        append(
            f"\t{sample_id}\tf\t{'t' if multiallelic else 'f'}\t{kind}\t{gq}\t{pl}\t{dp}\t{depth_json}\t{ratio}\t{cn}\n"
        )
    return rows


def block_rows(
    block: list[Site], sample_ids: list[int], sample_names: list[str], proband_index: int
) -> GenotypeRows | None:
    """The general case of :func:`genotype_rows`: a multiallelic block (or a CNV record)."""
    kept = [s for s in block if s.keep]
    if not kept:
        return None
    first, second = kept[0], None
    if len(kept) > 2:
        raise SiteError(
            f"the proband carries {len(kept)} ALTs of multiallelic site {first.block}; at most two are possible"
        )
    if len(kept) == 2:
        by_gt = {s.gts[proband_index]: s for s in kept}
        if set(by_gt) != {(1, -1), (-1, 1)}:
            gts = " and ".join(_gt_text(s.gts[proband_index]) for s in kept)
            raise SiteError(
                f"the proband carries two ALTs of multiallelic site {first.block} with GT {gts}; "
                "a compound genotype needs 1/. and ./1"
            )
        first, second = by_gt[(1, -1)], by_gt[(-1, 1)]
    n = len(sample_ids)
    coverage = [False] * n
    for site in block:
        dup = site.change_type in ("dup", "dup_tandem")
        for sample, gt in enumerate(site.gts):
            if max(gt) >= 0 or dup:
                coverage[sample] = True
    depths = _allele_depths(block, sample_names)
    same_place = len({s.record.pos for s in kept}) == 1 and len({s.record.ref for s in kept}) == 1
    record = kept[0].record
    qual = "\\N" if record.qual is None or math.isnan(record.qual) else str(int(record.qual))
    filter_status = escape_copy(record.filter)
    rows = GenotypeRows(first, second, f"\t{sample_ids[proband_index]}\t{filter_status}\t{qual}\n")
    for sample, sample_id in enumerate(sample_ids):
        depth = depths[sample] if same_place else {}
        depth_json = escape_copy(orjson.dumps(depth).decode())
        total = sum(depth.values())
        for site in kept:
            gt = site.gts[sample]
            kind = GENOTYPE_TYPES.get(gt)
            if kind is None:
                raise SiteError(
                    f"sample {sample_names[sample]}: GT {_gt_text(gt)} is not supported "
                    "(haploid or diploid calls of a decomposed record)"
                )
            if gt in NO_CALL_GTS and not coverage[sample]:
                kind = "No coverage"
            multiallelic = gt in MULTIALLELIC_GTS
            ratio = repr(depth.get(site.record.alt, 0) / total) if total else "0"
            if multiallelic:
                pl = "\\N"
            else:
                values = [v for v in _ints(site.field(sample, 4), "PL") if v is not None]
                pl = "{" + ",".join(map(str, values)) + "}" if values else "\\N"
            gq = _copy_int(_scalar(site.field(sample, 1), "GQ"))
            dp = _copy_int(_scalar(site.field(sample, 2), "DP"))
            cn = _copy_int(_scalar(site.field(sample, 5), "CN"))
            rows.sampledata.append(
                f"\t{sample_id}\t{'t' if site is second else 'f'}\t{'t' if multiallelic else 'f'}\t{kind}\t"
                f"{gq}\t{pl}\t{dp}\t{depth_json}\t{ratio}\t{cn}\n"
            )
    return rows


def _scalar(value: str, what: str) -> int | None:
    if "," in value:
        raise SiteError(f"{what} {value!r} has several values; one is expected")
    return _int(value, what)


def escape_copy(value: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return must be escaped."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


__all__ = [
    "SV_ALT_CHANGE_TYPES",
    "GenotypeRows",
    "Site",
    "SiteError",
    "SiteReader",
    "blocks",
    "escape_copy",
    "genotype_rows",
    "is_sample_multiallelic",
]
