"""``consequence``: filter alleles whose consequences are all in the given list.

Config: ``consequences`` (Sequence Ontology terms) and ``genepanel_only`` (look only at transcripts of the
panel's genes). Transcripts must also match the application's ``transcripts.inclusion_regex``. An allele is
filtered when it has at least one such transcript and every consequence on every one of them is in the list
(so a variant that is intronic on one transcript but missense on another stays). An allele without such
transcripts is kept. ELLA filters as soon as one transcript has a listed consequence; we chose to keep more.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import str_list
from ella_app.services.filters.context import FilterContext

NAME = "consequence"
SCOPE = "allele"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    listed = set(str_list(config, "consequences", NAME))
    panel_only = bool(config.get("genepanel_only", False))
    regex = ctx.inclusion_regex()
    panel_genes = set(ctx.panel.symbols)
    panel_symbols = set(ctx.panel.symbols.values())
    filtered = set()
    for allele_id in allele_ids:
        considered = []
        for transcript in ctx.alleles[allele_id].transcripts():
            if regex is not None and not regex.match(transcript["transcript"]):
                continue
            if (
                panel_only
                and transcript.get("hgnc_id") not in panel_genes
                and transcript.get("symbol") not in panel_symbols
            ):
                continue
            consequences = transcript.get("consequences")
            considered.append(set(consequences) if isinstance(consequences, list) else set())
        if considered and all(c and c <= listed for c in considered):
            filtered.add(allele_id)
    return filtered
