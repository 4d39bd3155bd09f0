"""``callertype``: filter alleles of the given caller types (``snv``, ``cnv``)."""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import str_list
from ella_app.services.filters.context import FilterContext

NAME = "callertype"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    types = set(str_list(config, "callerTypes", NAME))
    return {a for a in allele_ids if ctx.alleles[a].caller_type in types}
