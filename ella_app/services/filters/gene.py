"""``gene``: filter alleles by the panel genes their annotation places them in (ELLA's GeneFilter).

Config: ``genes`` (HGNC ids), ``mode`` ``all`` (default: every gene of the allele is listed) or ``one`` (at
least one is), ``inverse`` (filter the alleles that do *not* match). An allele's genes are those of the panel
transcripts its annotation transcripts are paired with (same name without version, same gene); alleles in no
panel gene never match.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.context import FilterContext

NAME = "gene"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    listed = set(config["genes"])
    mode = config.get("mode", "all")
    matched = set()
    for allele_id in allele_ids:
        genes = {tx.gene_id for _, tx in ctx.genepanel_annotation(allele_id)}
        if genes and (genes <= listed if mode == "all" else bool(genes & listed)):
            matched.add(allele_id)
    return set(allele_ids) - matched if config.get("inverse", False) else matched
