"""``external``: alleles by what ClinVar and HGMD say about them (ELLA's ExternalFilter).

Config: ``clinvar`` {``num_stars`` [operator, n], ``combinations`` [[category, operator, category or count],
...], ``inverse``} and ``hgmd`` {``tags`` (``null`` = not in HGMD), ``inverse``}. With both, an allele must
match both; with one, that one; with neither (or empty objects), nothing matches.

ClinVar reads ``external.CLINVAR`` as the importer stores it from the ``clinvarjson`` converter: either ELLA's
converted form ``{variant_description, items: [{rcv, clinical_significance_descr, ...}]}`` or the incoming
form ``{variant_description, rcvs: {accession: {clinical_significance_descr: [...], ...}}}``, which ELLA
converts to the first (list values joined with ", "). Only submissions (accessions starting ``SCV``) count;
each is put in a category by its significance (case-insensitive, ELLA's lists below; others count nowhere).
``variant_description`` is the review status, worth 0-4 stars; an entry whose status is not in ELLA's table,
or that has no submission, never matches (but is caught by ``inverse``). ``num_stars`` defaults to
``[">=", 0]``; every combination must hold.

HGMD reads ``external.HGMD.tag``; ``null`` in ``tags`` matches alleles without an HGMD tag.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from ella_app.services.filters.context import AlleleData, FilterContext

NAME = "external"
SCOPE = "allele"

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}

CLINSIG_GROUPS: dict[str, frozenset[str]] = {
    "pathogenic": frozenset(
        {
            "pathogenic",
            "likely pathogenic",
            "pathologic",
            "suspected pathogenic",
            "likely pathogenic - adrenal bilateral pheochromocy",
            "likely pathogenic - adrenal pheochromocytoma",
            "probable-pathogenic",
            "probably pathogenic",
            "pathogenic variant for bardet-biedl syndrome",
        }
    ),
    "uncertain": frozenset({"uncertain", "variant of unknown significance", "uncertain significance"}),
    "benign": frozenset(
        {"benign", "suspected benign", "probable-non-pathogenic", "probably not pathogenic", "likely benign"}
    ),
}

REVIEW_STATUS_STARS: dict[str, int] = {
    "no assertion criteria provided": 0,
    "no assertion provided": 0,
    "criteria provided, conflicting interpretations": 1,
    "criteria provided, single submitter": 1,
    "criteria provided, multiple submitters, no conflicts": 2,
    "reviewed by expert panel": 3,
    "practice guideline": 4,
}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return None


def _submissions(clinvar: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(accession, significance) of every entry, in either stored form."""
    items = clinvar.get("items")
    if isinstance(items, list):
        return [
            (item["rcv"], _text(item.get("clinical_significance_descr")))
            for item in items
            if isinstance(item, dict) and isinstance(item.get("rcv"), str)
        ]
    rcvs = clinvar.get("rcvs")
    if isinstance(rcvs, dict):
        return [
            (str(accession), _text(entry.get("clinical_significance_descr")))
            for accession, entry in rcvs.items()
            if isinstance(entry, dict)
        ]
    return []


def clinvar_counts(allele: AlleleData) -> tuple[int, dict[str, int]] | None:
    """(stars, submissions per category) of the allele's ClinVar entry; None when it has none that counts."""
    clinvar = allele.external().get("CLINVAR")
    if not isinstance(clinvar, dict):
        return None
    status = clinvar.get("variant_description")
    stars = REVIEW_STATUS_STARS.get(status) if isinstance(status, str) else None
    if stars is None:
        return None
    submissions = [sig for accession, sig in _submissions(clinvar) if accession[:3].upper() == "SCV"]
    if not submissions:
        return None
    counts = {group: 0 for group in CLINSIG_GROUPS}
    for significance in submissions:
        if significance is None:
            continue
        lowered = significance.lower()
        for group, names in CLINSIG_GROUPS.items():
            if lowered in names:
                counts[group] += 1
    return stars, counts


def _clinvar(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    star_op, star_count = config.get("num_stars", [">=", 0])
    compare_stars = OPERATORS[star_op]
    combinations = config.get("combinations", [])
    matched = set()
    for allele_id in allele_ids:
        found = clinvar_counts(ctx.alleles[allele_id])
        if found is None:
            continue
        stars, counts = found
        if not compare_stars(stars, star_count):
            continue
        if all(
            OPERATORS[op](counts[left], counts[right] if isinstance(right, str) else right)
            for left, op, right in combinations
        ):
            matched.add(allele_id)
    return set(allele_ids) - matched if config.get("inverse", False) else matched


def hgmd_tag(allele: AlleleData) -> str | None:
    hgmd = allele.external().get("HGMD")
    tag = hgmd.get("tag") if isinstance(hgmd, dict) else None
    return tag if isinstance(tag, str) else None


def _hgmd(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    tags = set(config["tags"])
    matched = {a for a in allele_ids if hgmd_tag(ctx.alleles[a]) in tags}
    return set(allele_ids) - matched if config.get("inverse", False) else matched


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    clinvar, hgmd = config.get("clinvar"), config.get("hgmd")
    results = []
    if clinvar:
        results.append(_clinvar(ctx, allele_ids, clinvar))
    if hgmd:
        results.append(_hgmd(ctx, allele_ids, hgmd))
    if not results:
        return set()
    return set.intersection(*results)
