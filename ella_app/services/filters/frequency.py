"""``frequency``: filter alleles that are common in the population databases (ELLA's FrequencyFilter).

Config: ``groups`` ({external|internal: {PROVIDER: [populations]}}), ``thresholds`` ({AD, default}: {external,
internal}), optional ``num_thresholds`` ({PROVIDER: {population: n}}: a frequency counts only when its
allele number is at least n) and ``genes`` ({hgnc id: {thresholds, num_thresholds?}}).

The thresholds an allele is judged by come from the genes its annotation names (every annotated transcript,
by HGNC id):

1. a gene with an entry in ``genes``: that entry's thresholds (and its ``num_thresholds``, else the
   config's); with several such genes, the allele is filtered when it is common by any of them;
2. otherwise, a gene whose panel transcripts are all ``AD``: the ``AD`` thresholds;
3. otherwise ``default``.

An allele is common when a configured frequency of a group reaches that group's threshold (and its allele
number reaches the num threshold, where one is set). Missing frequencies never count.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.context import AlleleData, FilterContext

NAME = "frequency"
SCOPE = "allele"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def is_common(
    allele: AlleleData,
    groups: dict[str, dict[str, list[str]]],
    thresholds: dict[str, float],
    num_thresholds: dict[str, dict[str, int]],
) -> bool:
    frequencies = allele.frequencies()
    for group, threshold in thresholds.items():
        for provider, populations in groups.get(group, {}).items():
            data = frequencies.get(provider)
            if not isinstance(data, dict):
                continue
            freqs, nums = data.get("freq"), data.get("num")
            freqs = freqs if isinstance(freqs, dict) else {}
            nums = nums if isinstance(nums, dict) else {}
            minimums = num_thresholds.get(provider, {})
            for population in populations:
                freq = _number(freqs.get(population))
                if freq is None or freq < threshold:
                    continue
                if population in minimums:
                    num = _number(nums.get(population))
                    if num is None or num < minimums[population]:
                        continue
                return True
    return False


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    groups = config["groups"]
    thresholds = config["thresholds"]
    num_thresholds = config.get("num_thresholds", {})
    overrides = {int(gene): override for gene, override in config.get("genes", {}).items()}
    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        genes = ctx.annotation_genes(allele_id)
        specific = [overrides[g] for g in sorted(genes) if g in overrides]
        if specific:
            common = any(
                is_common(allele, groups, o["thresholds"], o.get("num_thresholds", num_thresholds)) for o in specific
            )
        elif any(ctx.panel.only_inheritance(g, "AD") for g in genes):
            common = is_common(allele, groups, thresholds["AD"], num_thresholds)
        else:
            common = is_common(allele, groups, thresholds["default"], num_thresholds)
        if common:
            filtered.add(allele_id)
    return filtered
