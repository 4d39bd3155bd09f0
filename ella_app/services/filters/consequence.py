"""``consequence``: filter alleles with one of the given consequences (ELLA's ConsequenceFilter).

Config: ``consequences`` (Sequence Ontology terms) and ``genepanel_only`` (look only at transcripts of the
panel's genes, by HGNC id or symbol). Transcripts must match the application's
``transcripts.inclusion_regex`` (searched in the name, as PostgreSQL's ``~`` does). An allele is filtered as
soon as one such transcript has one of the consequences: ELLA's docs pair this filter with itself as an
exception to keep, say, a variant that is synonymous on one transcript but stop-gained on another.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.context import FilterContext

NAME = "consequence"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    listed = set(config["consequences"])
    panel_only = bool(config.get("genepanel_only", False))
    regex = ctx.inclusion_regex()
    panel_genes = set(ctx.panel.symbols)
    panel_symbols = set(ctx.panel.symbols.values())
    filtered = set()
    for allele_id in allele_ids:
        for transcript in ctx.alleles[allele_id].transcripts():
            if regex is not None and not regex.search(transcript["transcript"]):
                continue
            if (
                panel_only
                and transcript.get("hgnc_id") not in panel_genes
                and transcript.get("symbol") not in panel_symbols
            ):
                continue
            consequences = transcript.get("consequences")
            if isinstance(consequences, list) and listed.intersection(c for c in consequences if isinstance(c, str)):
                filtered.add(allele_id)
                break
    return filtered
