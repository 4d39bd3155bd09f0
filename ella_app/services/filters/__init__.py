"""The allele filters of a filter configuration (ELLA spec §2.4), one module per filter type.

Each module has ``NAME``, ``SCOPE`` and ``apply(ctx, allele_ids, config) -> set of allele ids to filter out``.
``SCOPE`` is ``"allele"`` when the filter judges each allele on its own, ``"analysis"`` when it needs the
other alleles of the analysis (as an exception it then sees every allele still in play, not only the ones the
filter removed). The set is ELLA's (``src/datalayer/allelefilter/allelefilter.py``): every filter name ELLA
accepts runs. ``apply`` trusts its config: configs are validated first, by the one validator in
``formats/filterconfigs.py`` (``services/filtering.py`` does so before running them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ella_app.services.filters import (
    callertype,
    classification,
    consequence,
    external,
    frequency,
    gene,
    inheritancemodel,
    ppy,
    quality,
    region,
    segregation,
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
    for m in (
        frequency,
        region,
        classification,
        external,
        ppy,
        inheritancemodel,
        consequence,
        quality,
        segregation,
        gene,
        size,
        callertype,
    )
}
