"""``inheritancemodel``: alleles that do (not) fit a recessive model, from the probands' genotypes alone
(ELLA's InheritanceModelFilter; meant for single samples, family data is not used).

An allele's genes are the panel genes among the HGNC ids of its annotation transcripts (those matching
``transcripts.inclusion_regex``). Per gene, over the alleles in play (those still left when the filter runs)
that some proband sample has a genotype for:

* ``recessive_non_candidates``: the gene's panel transcripts are all ``AR``, and the allele is the gene's only
  one and heterozygous in every proband sample that has it. Filtered when this holds in every gene of the
  allele.
* ``recessive_candidates``: the gene's panel transcripts are not all ``AD``, and the gene has more than one
  allele, or its only allele is homozygous in some proband sample. Filtered when this holds in one gene of the
  allele; meant as an exception that rescues candidates.
"""

from __future__ import annotations

from typing import Any

from ella_app.services.filters.context import FilterContext

NAME = "inheritancemodel"
SCOPE = "analysis"


def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    mode = config["filter_mode"]
    regex = ctx.inclusion_regex()
    panel_genes = set(ctx.panel.inheritance_values)
    probands = ctx.proband_ids
    types: dict[int, set[str]] = {}
    allele_genes: dict[int, set[int]] = {}
    gene_alleles: dict[int, set[int]] = {}
    for allele_id in allele_ids:
        genotypes = ctx.alleles[allele_id].genotypes
        found = {genotypes[s].type for s in probands if s in genotypes}
        if not found:
            continue
        genes = ctx.annotation_genes(allele_id, regex) & panel_genes
        types[allele_id] = found
        allele_genes[allele_id] = genes
        for gene_id in genes:
            gene_alleles.setdefault(gene_id, set()).add(allele_id)

    def fits(gene_id: int, allele_id: int) -> bool:
        single = len(gene_alleles[gene_id]) == 1
        if mode == "recessive_non_candidates":
            return ctx.panel.only_inheritance(gene_id, "AR") and single and types[allele_id] == {"Heterozygous"}
        return not ctx.panel.only_inheritance(gene_id, "AD") and (not single or "Homozygous" in types[allele_id])

    filtered = set()
    for allele_id, genes in allele_genes.items():
        if not genes:
            continue
        results = [fits(g, allele_id) for g in genes]
        if all(results) if mode == "recessive_non_candidates" else any(results):
            filtered.add(allele_id)
    return filtered
