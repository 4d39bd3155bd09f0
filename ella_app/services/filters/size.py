"""``size``: filter alleles by length: those for which ``length <mode> threshold`` holds (mode default ``>``)."""

from __future__ import annotations

import operator
from typing import Any

from ella_app.services.filters.base import FilterConfigError, number
from ella_app.services.filters.context import FilterContext

NAME = "size"
SCOPE = "allele"
MODES = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge, "==": operator.eq}


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    threshold = number(config, "threshold", NAME)
    if threshold is None:
        raise FilterConfigError("filter 'size' needs a 'threshold'")
    compare = MODES.get(config.get("mode", ">"))
    if compare is None:
        raise FilterConfigError(f"filter 'size': 'mode' must be one of {' '.join(MODES)}")
    return {a for a in allele_ids if compare(ctx.alleles[a].length, threshold)}
