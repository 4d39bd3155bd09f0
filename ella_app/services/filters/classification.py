"""``classification``: filter alleles whose current classification is one of ``classes``.

With ``exclude_outdated``, an outdated classification (older than its class's ``outdated_after_days``) is
not filtered: it needs a new look.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import str_list
from ella_app.services.filters.context import FilterContext

NAME = "classification"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    classes = set(str_list(config, "classes", NAME))
    exclude_outdated = bool(config.get("exclude_outdated", False))
    filtered = set()
    for allele_id in allele_ids:
        assessment = ctx.alleles[allele_id].assessment
        if assessment is None or assessment.classification not in classes:
            continue
        if exclude_outdated and assessment.outdated:
            continue
        filtered.add(allele_id)
    return filtered
