"""``gene``: filter alleles by the panel genes their annotation places them in.

Config: ``genes`` (HGNC ids), ``mode`` ``all`` (default: every gene of the allele is listed) or ``one`` (at
least one is), ``inverse`` (filter the alleles that do *not* match). Alleles in no panel gene never match.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import FilterConfigError, int_list
from ella_app.services.filters.context import FilterContext

NAME = "gene"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    listed = set(int_list(config, "genes", NAME))
    mode = config.get("mode", "all")
    if mode not in ("all", "one"):
        raise FilterConfigError("filter 'gene': 'mode' must be 'all' or 'one'")
    matched = set()
    for allele_id in allele_ids:
        genes = ctx.genes(allele_id)
        if genes and (genes <= listed if mode == "all" else bool(genes & listed)):
            matched.add(allele_id)
    return set(allele_ids) - matched if config.get("inverse", False) else matched
