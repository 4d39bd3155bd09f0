"""``quality``: filter poor calls of the proband.

Config (at least one): ``qual`` (QUAL below it), ``allele_ratio`` (allele ratio below it; a ratio of 0 is
ignored, it is often an artefact of missing AD), ``filter_status`` {``pattern`` (regular expression searched
in FILTER), ``filter_empty`` (whether an empty or ``.`` FILTER counts as matching), ``inverse``}. An allele
is filtered when every configured criterion says so.
"""

from __future__ import annotations

import re
from typing import Any

from ella_app.services.filters.base import FilterConfigError, number
from ella_app.services.filters.context import FilterContext

NAME = "quality"
SCOPE = "analysis"


def _status_matches(status: str | None, pattern: re.Pattern[str], filter_empty: bool, inverse: bool) -> bool:
    empty = status is None or status in ("", ".")
    matched = filter_empty if empty else bool(pattern.search(status or ""))
    return not matched if inverse else matched


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    qual = number(config, "qual", NAME)
    ratio = number(config, "allele_ratio", NAME)
    status_config = config.get("filter_status")
    pattern = None
    if status_config is not None:
        if not isinstance(status_config, dict) or not isinstance(status_config.get("pattern"), str):
            raise FilterConfigError("filter 'quality': 'filter_status' needs a 'pattern'")
        try:
            pattern = re.compile(status_config["pattern"])
        except re.error as exc:
            raise FilterConfigError(f"filter 'quality': bad filter_status pattern: {exc}") from None
    if qual is None and ratio is None and pattern is None:
        raise FilterConfigError("filter 'quality' needs qual, allele_ratio or filter_status")
    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        checks = []
        if qual is not None:
            checks.append(allele.variant_quality is not None and allele.variant_quality < qual)
        if ratio is not None:
            ratios = [g.allele_ratio for g in ctx.proband_genotypes(allele_id)]
            checks.append(bool(ratios) and all(r is not None and r != 0.0 and r < ratio for r in ratios))
        if pattern is not None and isinstance(status_config, dict):
            checks.append(
                _status_matches(
                    allele.filter_status,
                    pattern,
                    bool(status_config.get("filter_empty", False)),
                    bool(status_config.get("inverse", False)),
                )
            )
        if all(checks):
            filtered.add(allele_id)
    return filtered
