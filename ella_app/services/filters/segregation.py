"""``segregation``: keep what fits a model of inheritance in the family, filter the rest (ELLA's
SegregationFilter).

Config (all five keys, each ``{"enable": bool}``): ``denovo`` (with optional ``gq_threshold`` {proband,
mother, father}), ``compound_heterozygous``, ``recessive_homozygous``, ``no_coverage_parents``,
``parental_mosaicism``.

The family is that of the proband who has a family id (and is affected); its father and mother are the
proband's parents, its siblings the samples of the family whose ``sibling_id`` is the proband, affected or
not. An analysis without such a proband is not filtered. Alleles the family's proband was not called with
(those of another proband of the analysis) are never filtered.

When the proband has both parents, every allele of the family is filtered except those kept by an enabled
rule:

* ``denovo`` (Vigeland et al. 2016, father + mother = child): autosomal (and X in PAR1/PAR2) 0/0+0/0=0/1,
  0/0+0/0=1/1, 0/0+0/1=1/1, 0/1+0/0=1/1; X outside the PARs, boy: 0+0/0=1; girl: 0+0/0=0/1, 0+0/0=1/1,
  0+0/1=1/1. Parents without coverage never give a de novo. With ``gq_threshold``, each of the trio must have
  a GQ of at least its threshold (or no GQ).
* ``parental_mosaicism``: the proband carries the allele (heterozygous; on X outside the PARs also
  homozygous) with an allele ratio above 0.3, and one parent has an allele ratio in (0, 0.3] (an X-linked
  father: (0, 0.8]) while the other's is not above 0.3 (X-linked father: 0.8); both parents covered.
* ``compound_heterozygous`` (Kamphans et al. 2013): heterozygous in every affected, not homozygous in any
  unaffected (parents and unaffected siblings), heterozygous in exactly one parent (when both are there);
  then at least two such alleles in one gene (by annotation symbol, transcripts matching
  ``transcripts.inclusion_regex``), with at least one from each parent's side (when both are there).
* ``recessive_homozygous``: homozygous in the proband and in every affected sibling, not homozygous in an
  unaffected sibling, and heterozygous in both parents (autosomal and PARs), or, on X outside the PARs,
  heterozygous in the mother and reference in the father.
* ``no_coverage_parents``: a parent has no coverage ("No coverage" genotype).

With ``recessive_homozygous`` enabled, alleles homozygous in the proband and in every unaffected sibling are
filtered too, parents or not. The PARs are GRCh37's: X:60001-2699520 and X:154931044-155260560.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ella_app.services.filters.context import AlleleData, FilterContext, SampleData

NAME = "segregation"
SCOPE = "analysis"

PAR1_START, PAR1_END = 60_001, 2_699_520
PAR2_START, PAR2_END = 154_931_044, 155_260_560

HOM, HET, REF, NO_COVERAGE = "Homozygous", "Heterozygous", "Reference", "No coverage"

MOSAIC_HETEROZYGOUS = (0.0, 0.3)  # (low, high]
MOSAIC_HOMOZYGOUS = (0.0, 0.8)
NOT_MOSAIC = 0.3


def x_minus_par(allele: AlleleData) -> bool:
    """On X outside the pseudo-autosomal regions (positions as stored: 0-based start, open end)."""
    if allele.chromosome != "X":
        return False
    start, end = allele.start_position, allele.open_end_position
    return end <= PAR1_START or (start > PAR1_END and end <= PAR2_START) or start > PAR2_END


@dataclass(frozen=True)
class Family:
    proband: SampleData
    father: SampleData | None
    mother: SampleData | None
    affected_siblings: tuple[SampleData, ...]
    unaffected_siblings: tuple[SampleData, ...]

    @property
    def has_parents(self) -> bool:
        return self.father is not None and self.mother is not None


def family_of(ctx: FilterContext) -> Family | None:
    probands = [s for s in ctx.samples if s.proband and s.family_id is not None]
    if len({s.family_id for s in probands}) != 1:
        return None
    proband = next((s for s in probands if s.affected), None)
    if proband is None:
        return None
    siblings = [s for s in ctx.samples if s.family_id == proband.family_id and s.sibling_id == proband.id]
    return Family(
        proband,
        ctx.sample(proband.father_id),
        ctx.sample(proband.mother_id),
        tuple(s for s in siblings if s.affected),
        tuple(s for s in siblings if not s.affected),
    )


class Calls:
    """One allele's genotype data per family member (None where the member has none)."""

    def __init__(self, allele: AlleleData) -> None:
        self.allele = allele

    def type(self, sample: SampleData | None) -> str | None:
        data = self.allele.genotypes.get(sample.id) if sample is not None else None
        return data.type if data is not None else None

    def ratio(self, sample: SampleData | None) -> float | None:
        data = self.allele.genotypes.get(sample.id) if sample is not None else None
        return data.allele_ratio if data is not None else None

    def gq(self, sample: SampleData | None) -> int | None:
        data = self.allele.genotypes.get(sample.id) if sample is not None else None
        return data.genotype_quality if data is not None else None


def _siblings_fit(calls: Calls, family: Family) -> bool:
    return all(calls.type(s) != HOM for s in family.unaffected_siblings) and all(
        calls.type(s) == HOM for s in family.affected_siblings
    )


def denovo(calls: Calls, family: Family, config: dict[str, Any]) -> bool:
    proband, father, mother = calls.type(family.proband), calls.type(family.father), calls.type(family.mother)
    if father in (None, NO_COVERAGE) or mother in (None, NO_COVERAGE):
        return False
    if not x_minus_par(calls.allele):
        fits = (proband in (HOM, HET) and father == REF and mother == REF) or (
            proband == HOM and {father, mother} == {HET, REF}
        )
    elif family.proband.sex == "Male":
        fits = proband == HOM and father == REF and mother == REF
    elif family.proband.sex == "Female":
        fits = (proband in (HOM, HET) and father == REF and mother == REF) or (
            proband == HOM and father == REF and mother == HET
        )
    else:
        fits = False
    if not fits:
        return False
    thresholds = config.get("gq_threshold")
    if thresholds:
        for role, sample in (("proband", family.proband), ("mother", family.mother), ("father", family.father)):
            gq = calls.gq(sample)
            if gq is not None and gq < thresholds[role]:
                return False
    return True


def _in(value: float | None, bounds: tuple[float, float]) -> bool:
    return value is not None and bounds[0] < value <= bounds[1]


def _at_most(value: float | None, bound: float) -> bool:
    return value is not None and value <= bound


def parental_mosaicism(calls: Calls, family: Family) -> bool:
    if calls.type(family.father) in (None, NO_COVERAGE) or calls.type(family.mother) in (None, NO_COVERAGE):
        return False
    proband_ratio = calls.ratio(family.proband)
    if proband_ratio is None or proband_ratio <= NOT_MOSAIC:
        return False
    father, mother = calls.ratio(family.father), calls.ratio(family.mother)
    if not x_minus_par(calls.allele):
        if calls.type(family.proband) != HET:
            return False
        father_bounds = MOSAIC_HETEROZYGOUS
    else:
        if calls.type(family.proband) not in (HET, HOM):
            return False
        father_bounds = MOSAIC_HOMOZYGOUS
    mother_bounds = MOSAIC_HETEROZYGOUS
    return (_in(father, father_bounds) and _at_most(mother, mother_bounds[1])) or (
        _in(mother, mother_bounds) and _at_most(father, father_bounds[1])
    )


def recessive_homozygous(calls: Calls, family: Family) -> bool:
    if not family.has_parents or calls.type(family.proband) != HOM or not _siblings_fit(calls, family):
        return False
    father, mother = calls.type(family.father), calls.type(family.mother)
    if x_minus_par(calls.allele):
        return father == REF and mother == HET
    return father == HET and mother == HET


def homozygous_unaffected_siblings(calls: Calls, family: Family) -> bool:
    return bool(family.unaffected_siblings) and all(
        calls.type(s) == HOM for s in (family.proband, *family.unaffected_siblings)
    )


def no_coverage_parents(calls: Calls, family: Family) -> bool:
    return family.has_parents and NO_COVERAGE in (calls.type(family.father), calls.type(family.mother))


def compound_heterozygous(ctx: FilterContext, rows: Iterable[Calls], family: Family) -> set[int]:
    affected = [family.proband, *family.affected_siblings]
    unaffected = [s for s in (family.father, family.mother) if s is not None] + list(family.unaffected_siblings)
    if not unaffected and len(affected) == 1:
        return set()
    candidates = []
    for calls in rows:
        if any(calls.type(s) != HET for s in affected):
            continue
        if any(calls.type(s) == HOM for s in unaffected):
            continue
        if family.has_parents and {calls.type(family.father), calls.type(family.mother)} != {HET, REF}:
            continue
        candidates.append(calls)
    regex = ctx.inclusion_regex()
    by_gene: dict[str, list[Calls]] = {}
    for calls in candidates:
        symbols = {
            t["symbol"]
            for t in calls.allele.transcripts()
            if isinstance(t.get("symbol"), str) and (regex is None or regex.search(t["transcript"]))
        }
        for symbol in symbols:
            by_gene.setdefault(symbol, []).append(calls)
    found: set[int] = set()
    for members in by_gene.values():
        if len(members) < 2:
            continue
        if family.has_parents and not (
            any(calls.type(family.father) == HET for calls in members)
            and any(calls.type(family.mother) == HET for calls in members)
        ):
            continue
        found.update(calls.allele.id for calls in members)
    return found


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    family = family_of(ctx)
    if family is None:
        return set()
    rows = [Calls(ctx.alleles[a]) for a in sorted(allele_ids) if family.proband.id in ctx.alleles[a].genotypes]
    filtered: set[int] = set()
    if family.has_parents:
        kept: set[int] = set()
        for calls in rows:
            if (
                (config["denovo"]["enable"] and denovo(calls, family, config["denovo"]))
                or (config["parental_mosaicism"]["enable"] and parental_mosaicism(calls, family))
                or (config["recessive_homozygous"]["enable"] and recessive_homozygous(calls, family))
                or (config["no_coverage_parents"]["enable"] and no_coverage_parents(calls, family))
            ):
                kept.add(calls.allele.id)
        if config["compound_heterozygous"]["enable"]:
            kept |= compound_heterozygous(ctx, rows, family)
        filtered = {calls.allele.id for calls in rows} - kept
    if config["recessive_homozygous"]["enable"]:
        filtered |= {calls.allele.id for calls in rows if homozygous_unaffected_siblings(calls, family)}
    return filtered
