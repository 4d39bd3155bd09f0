"""``frequency``: filter alleles that are common in the population databases.

Config: ``groups`` ({external|internal: {PROVIDER: [populations]}}), ``thresholds`` ({default | <inheritance>:
{external, internal}}), optional ``num_thresholds`` ({PROVIDER: n} or {PROVIDER: {population: n}}: a
frequency counts only when its allele number is at least n) and ``genes`` ({hgnc id: {thresholds,
num_thresholds?}}) overriding the thresholds for one gene.

An allele is filtered when some configured frequency reaches the threshold of its group. The thresholds
follow the allele's panel genes: a gene override if there is one, else the thresholds named after the
gene's only mode of inheritance (e.g. ``AD``), else ``default``. An allele in several genes is filtered only
when it is common for every one of them; an allele in no panel gene uses ``default``.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import FilterConfigError
from ella_app.services.filters.context import AlleleData, FilterContext

NAME = "frequency"
SCOPE = "allele"
GROUPS = ("external", "internal")


def _thresholds(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise FilterConfigError(f"filter 'frequency': {where} must be an object {{external, internal}}")
    out = {}
    for group, threshold in value.items():
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise FilterConfigError(f"filter 'frequency': {where}.{group} must be a number")
        out[group] = float(threshold)
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _num_threshold(num_thresholds: dict[str, Any], provider: str, population: str) -> int | None:
    value = num_thresholds.get(provider)
    if isinstance(value, dict):
        value = value.get(population)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_common(
    allele: AlleleData,
    groups: dict[str, dict[str, list[str]]],
    thresholds: dict[str, float],
    num_thresholds: dict[str, Any],
) -> bool:
    frequencies = allele.frequencies()
    for group, providers in groups.items():
        threshold = thresholds.get(group)
        if threshold is None:
            continue
        for provider, populations in providers.items():
            data = frequencies.get(provider)
            if not isinstance(data, dict):
                continue
            freqs = _dict(data.get("freq"))
            nums = _dict(data.get("num"))
            for population in populations:
                freq = freqs.get(population)
                if isinstance(freq, bool) or not isinstance(freq, int | float):
                    continue
                minimum = _num_threshold(num_thresholds, provider, population)
                if minimum is not None:
                    num = nums.get(population)
                    if not isinstance(num, int | float) or num < minimum:
                        continue
                if freq >= threshold:
                    return True
    return False


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    groups = config.get("groups", {})
    if not isinstance(groups, dict) or not all(
        g in GROUPS and isinstance(p, dict) and all(isinstance(v, list) for v in p.values()) for g, p in groups.items()
    ):
        raise FilterConfigError("filter 'frequency': 'groups' must be {external|internal: {PROVIDER: [populations]}}")
    raw_thresholds = config.get("thresholds")
    if not isinstance(raw_thresholds, dict) or "default" not in raw_thresholds:
        raise FilterConfigError("filter 'frequency': 'thresholds' with a 'default' entry is required")
    by_mode = {mode: _thresholds(value, f"thresholds.{mode}") for mode, value in raw_thresholds.items()}
    num_thresholds = config.get("num_thresholds", {})
    if not isinstance(num_thresholds, dict):
        raise FilterConfigError("filter 'frequency': 'num_thresholds' must be an object")
    genes: dict[int, tuple[dict[str, float], dict[str, Any]]] = {}
    raw_genes = config.get("genes", {})
    if not isinstance(raw_genes, dict):
        raise FilterConfigError("filter 'frequency': 'genes' must be an object keyed by HGNC id")
    for key, override in raw_genes.items():
        if not str(key).isdigit() or not isinstance(override, dict) or "thresholds" not in override:
            raise FilterConfigError(f"filter 'frequency': genes.{key} needs a 'thresholds' object")
        nums = override.get("num_thresholds", num_thresholds)
        genes[int(key)] = (_thresholds(override["thresholds"], f"genes.{key}.thresholds"), nums)

    def rule(gene_id: int | None) -> tuple[dict[str, float], dict[str, Any]]:
        if gene_id is None:
            return by_mode["default"], num_thresholds
        if gene_id in genes:
            return genes[gene_id]
        modes = ctx.panel.inheritance(gene_id)
        if len(modes) == 1:
            mode = next(iter(modes))
            if mode in by_mode:
                return by_mode[mode], num_thresholds
        return by_mode["default"], num_thresholds

    filtered = set()
    for allele_id in allele_ids:
        allele = ctx.alleles[allele_id]
        gene_ids: list[int | None] = list(ctx.genes(allele_id)) or [None]
        if all(_is_common(allele, groups, *rule(g)) for g in gene_ids):
            filtered.add(allele_id)
    return filtered
