"""``quality``: filter poor calls of the probands (ELLA's QualityFilter).

Config (at least one): ``qual`` (QUAL below it), ``allele_ratio`` (allele ratio below it; a ratio of 0 is
ignored, it is often an artefact of missing AD), ``filter_status`` {``pattern`` (regular expression searched
in FILTER), ``filter_empty`` (whether an empty or ``.`` FILTER counts as matching; without it, an empty FILTER
never matches), ``inverse``}.

Per proband sample that has the allele, the call is poor when every configured criterion says so (a missing
QUAL or ratio is never poor). An allele is filtered when its call is poor in every proband sample that has it.
"""

from __future__ import annotations

import re
from typing import Any

from ella_app.services.filters.context import FilterContext, GenotypeData

NAME = "quality"
SCOPE = "analysis"


def _status_matches(status: str | None, pattern: re.Pattern[str], filter_empty: bool, inverse: bool) -> bool:
    empty = status is None or status == "."
    matched = filter_empty if empty else bool(pattern.search(status or ""))
    return not matched if inverse else matched


def _poor(call: GenotypeData, config: dict[str, Any], pattern: re.Pattern[str] | None) -> bool:
    if "qual" in config and not (call.variant_quality is not None and call.variant_quality < config["qual"]):
        return False
    if "allele_ratio" in config:
        ratio = call.allele_ratio
        if not (ratio is not None and ratio < config["allele_ratio"] and ratio != 0.0):
            return False
    if pattern is not None:
        status = config["filter_status"]
        if not _status_matches(
            call.filter_status, pattern, bool(status.get("filter_empty", False)), bool(status.get("inverse", False))
        ):
            return False
    return True


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    pattern = re.compile(config["filter_status"]["pattern"]) if "filter_status" in config else None
    probands = ctx.proband_ids
    filtered = set()
    for allele_id in allele_ids:
        genotypes = ctx.alleles[allele_id].genotypes
        calls = [genotypes[s] for s in probands if s in genotypes]
        if calls and all(_poor(call, config, pattern) for call in calls):
            filtered.add(allele_id)
    return filtered
