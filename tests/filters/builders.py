"""Filter contexts built by hand for the conformance tests: panels, samples, genotypes and alleles shaped as
ELLA stores them (the same inputs ELLA's own filter tests give its filters)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterable
from typing import Any

from hypothesis import settings

from ella_app.services.filters import FILTERS
from ella_app.services.filters.context import (
    AlleleData,
    AssessmentData,
    FilterContext,
    GenotypeData,
    PanelData,
    PanelTranscript,
    SampleData,
)

# Property tests run many cases on the shared 2-core machine; ELLA_HYPOTHESIS_EXAMPLES raises the number.
EXAMPLES = int(os.environ.get("ELLA_HYPOTHESIS_EXAMPLES", "150"))
settings.register_profile("conformance", max_examples=EXAMPLES, deadline=None, derandomize=True)
CONFORMANCE = settings.get_profile("conformance")

_ids = itertools.count(1)


def transcript(
    name: str,
    gene_id: int,
    *,
    symbol: str | None = None,
    chromosome: str = "1",
    tx_start: int = 1000,
    tx_end: int = 1500,
    strand: str = "+",
    cds_start: int | None = 1230,
    cds_end: int | None = 1430,
    exon_starts: Iterable[int] = (1100, 1200, 1300, 1400),
    exon_ends: Iterable[int] = (1160, 1260, 1360, 1460),
    inheritance: str = "AD/AR",
) -> PanelTranscript:
    """A panel transcript; the defaults are the transcript most of ELLA's filter tests use."""
    return PanelTranscript(
        name,
        gene_id,
        symbol or f"GENE{gene_id}",
        chromosome,
        tx_start,
        tx_end,
        strand,
        cds_start,
        cds_end,
        tuple(exon_starts),
        tuple(exon_ends),
        inheritance,
    )


def panel(*transcripts: PanelTranscript) -> PanelData:
    return PanelData("testpanel", "v01", list(transcripts))


def sample(
    sample_id: int,
    *,
    proband: bool = True,
    affected: bool = True,
    sex: str | None = "Female",
    family_id: str | None = None,
    father_id: int | None = None,
    mother_id: int | None = None,
    sibling_id: int | None = None,
) -> SampleData:
    return SampleData(
        sample_id,
        f"S{sample_id}",
        proband,
        affected,
        sex,
        family_id,
        father_id,
        mother_id,
        sibling_id,
        "HTS",
    )


def genotype(
    sample_id: int,
    kind: str,
    *,
    gq: int | None = 99,
    ratio: float | None = None,
    filter_status: str | None = "PASS",
    qual: float | None = 500.0,
) -> GenotypeData:
    return GenotypeData(sample_id, kind, gq, None, None, ratio, None, None, False, filter_status, qual)


def allele(
    *,
    allele_id: int | None = None,
    chromosome: str = "1",
    start: int = 1300,
    end: int | None = None,
    change_type: str = "SNP",
    change_from: str = "A",
    change_to: str = "G",
    vcf_alt: str = "G",
    annotation: dict[str, Any] | None = None,
    genotypes: Iterable[GenotypeData] = (),
    classification: str | None = None,
    outdated: bool = False,
    length: int | None = None,
    caller_type: str = "snv",
) -> AlleleData:
    allele_id = next(_ids) if allele_id is None else allele_id
    end = start + 1 if end is None else end
    return AlleleData(
        id=allele_id,
        genome_reference="GRCh37",
        chromosome=chromosome,
        start_position=start,
        open_end_position=end,
        vcf_pos=start + 1,
        vcf_ref=change_from or "N",
        vcf_alt=vcf_alt,
        change_type=change_type,
        change_from=change_from,
        change_to=change_to,
        length=end - start if length is None else length,
        caller_type=caller_type,
        annotation=annotation or {},
        annotation_id=allele_id,
        genotypes={g.sample_id: g for g in genotypes},
        assessment=None
        if classification is None
        else AssessmentData(allele_id, classification, dt.datetime.now(dt.UTC), outdated),
    )


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def vcf_allele(chromosome: str, pos: int, ref: str, alt: str, **kw: Any) -> AlleleData:
    """An allele with the coordinates ELLA derives from a VCF record (``vardb/util/vcfrecord.py``): common
    suffix and prefix trimmed; SNP [pos-1, pos); deletion [start, start + len); insertion [start - 1, start)
    with length 1; anything else an indel."""
    n_suffix = _common_prefix(ref[::-1], alt[::-1])
    r, a = (ref[:-n_suffix], alt[:-n_suffix]) if n_suffix else (ref, alt)
    n_prefix = _common_prefix(r, a)
    r, a = r[n_prefix:], a[n_prefix:]
    start = pos - 1 + n_prefix
    if len(r) == len(a) == 1:
        kind, end = "SNP", start + 1
    elif r and a:
        kind, end = "indel", start + len(r)
    elif len(r) < len(a):
        kind, start, end = "ins", start - 1, start
    else:
        kind, end = "del", start + len(r)
    allele_ = allele(
        chromosome=chromosome, start=start, end=end, change_type=kind, change_from=r, change_to=a, vcf_alt=alt, **kw
    )
    allele_.vcf_pos, allele_.vcf_ref = pos, ref
    allele_.length = 1 if kind == "ins" else max(len(r), len(a))
    return allele_


def context(
    alleles: Iterable[AlleleData],
    *,
    panel_data: PanelData | None = None,
    samples: Iterable[SampleData] = (),
    app_config: dict[str, Any] | None = None,
) -> FilterContext:
    return FilterContext(
        app_config if app_config is not None else {},
        panel_data or panel(),
        list(samples),
        {a.id: a for a in alleles},
    )


def run(name: str, ctx: FilterContext, config: dict[str, Any], allele_ids: Iterable[int] | None = None) -> set[int]:
    ids = set(ctx.alleles if allele_ids is None else allele_ids)
    return FILTERS[name].apply(ctx, ids, config)
