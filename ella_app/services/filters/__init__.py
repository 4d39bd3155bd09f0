"""The allele filters of a filter configuration (ELLA spec §2.4), one module per filter type.

Each module has ``NAME``, ``SCOPE`` and ``apply(ctx, allele_ids, config) -> set of allele ids to filter out``.
``SCOPE`` is ``"allele"`` when the filter judges each allele on its own, ``"analysis"`` when it needs the
other alleles of the analysis (an exception of that scope sees every allele still in play, not only the
ones the filter removed). Filter types ELLA has but we do not run yet are listed in ``NOT_SUPPORTED``; a
config using them is still applied, without them, and the result names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ella_app.services.filters import (
    callertype,
    classification,
    consequence,
    frequency,
    gene,
    inheritancemodel,
    quality,
    region,
    size,
)
from ella_app.services.filters.context import FilterContext

ApplyFn = Callable[[FilterContext, set[int], dict[str, Any]], set[int]]


@dataclass(frozen=True)
class FilterType:
    name: str
    scope: str
    apply: ApplyFn


FILTERS: dict[str, FilterType] = {
    m.NAME: FilterType(m.NAME, m.SCOPE, m.apply)
    for m in (frequency, consequence, region, quality, classification, gene, inheritancemodel, size, callertype)
}
NOT_SUPPORTED = ("external", "ppy", "segregation")
KNOWN = (*FILTERS, *NOT_SUPPORTED)
