"""``inheritancemodel``: alleles that do (not) fit a recessive model, from the proband's genotypes.

``filter_mode``:

* ``recessive_non_candidates`` filters an allele when, in each of its panel genes, the gene is recessive
  only (AR) and the allele is the only one in play in the gene, heterozygous: no second hit.
* ``recessive_candidates`` filters an allele when, in one of its genes, the gene is not dominant only (AD)
  and the allele is homozygous or has company in the gene. Meant as an exception that rescues candidates.

"In play" means the alleles the filter is given: those still left when it runs (scope ``analysis``).
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.base import FilterConfigError
from ella_app.services.filters.context import FilterContext

NAME = "inheritancemodel"
SCOPE = "analysis"
MODES = ("recessive_non_candidates", "recessive_candidates")


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    mode = config.get("filter_mode")
    if mode not in MODES:
        raise FilterConfigError(f"filter 'inheritancemodel': 'filter_mode' must be one of {', '.join(MODES)}")
    regex = ctx.inclusion_regex()
    allele_genes: dict[int, set[int]] = {}
    gene_alleles: dict[int, set[int]] = {}
    for allele_id in allele_ids:
        genes = {
            tx.gene_id for t, tx in ctx.panel_transcripts(allele_id) if regex is None or regex.match(t["transcript"])
        }
        allele_genes[allele_id] = genes
        for gene_id in genes:
            gene_alleles.setdefault(gene_id, set()).add(allele_id)

    def types(allele_id: int) -> set[str]:
        return {g.type for g in ctx.proband_genotypes(allele_id)}

    def gene_matches(gene_id: int, allele_id: int) -> bool:
        modes = ctx.panel.inheritance(gene_id)
        company = len(gene_alleles[gene_id]) > 1
        if mode == "recessive_non_candidates":
            return modes == {"AR"} and not company and types(allele_id) == {"Heterozygous"}
        return modes != {"AD"} and (company or "Homozygous" in types(allele_id))

    filtered = set()
    for allele_id, genes in allele_genes.items():
        if not genes:
            continue
        matches = [gene_matches(g, allele_id) for g in genes]
        if all(matches) if mode == "recessive_non_candidates" else any(matches):
            filtered.add(allele_id)
    return filtered
