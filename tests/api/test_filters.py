"""The filters of a filter config (spec §2.4), on hand-made contexts (no database), and the run order with
exceptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ella_app.services import filtering
from ella_app.services.filters import FILTERS
from ella_app.services.filters.base import FilterConfigError
from ella_app.services.filters.context import (
    AlleleData,
    AssessmentData,
    FilterContext,
    GenotypeData,
    PanelData,
    PanelTranscript,
    SampleData,
)

CONFIG: dict[str, Any] = {"transcripts": {"inclusion_regex": "NM_.*"}}
# BRCA2-like, + strand: exons [1000,1100) [2000,2100) [3000,3200), coding 1050..3100
PLUS = PanelTranscript(
    "NM_000059.3", 1101, "BRCA2", "13", 1000, 3200, "+", 1050, 3100, (1000, 2000, 3000), (1100, 2100, 3200), "AD"
)
# minus strand gene, AR
MINUS = PanelTranscript("NM_000001.1", 2000, "RECE", "2", 5000, 7000, "-", 5100, 6900, (5000, 6800), (5300, 7000), "AR")
AD_AR = PanelTranscript("NM_000002.1", 3000, "BOTH", "3", 100, 900, "+", 100, 900, (100,), (900,), "AD/AR")
PANEL = PanelData("P", "v1", [PLUS, MINUS, AD_AR])
PROBAND = SampleData(1, "P1", True, True, "Female", None, None, None, None, "HTS")


def allele(
    allele_id: int,
    start: int,
    *,
    chromosome: str = "13",
    transcripts: list[dict[str, Any]] | None = None,
    frequencies: dict[str, Any] | None = None,
    genotype: str = "Heterozygous",
    ratio: float | None = 0.5,
    qual: float | None = 500.0,
    filter_status: str | None = "PASS",
    classification: str | None = None,
    outdated: bool = False,
    length: int = 1,
    caller_type: str = "snv",
) -> AlleleData:
    annotation: dict[str, Any] = {}
    if transcripts is not None:
        annotation["transcripts"] = transcripts
    if frequencies is not None:
        annotation["frequencies"] = frequencies
    return AlleleData(
        id=allele_id,
        genome_reference="GRCh37",
        chromosome=chromosome,
        start_position=start,
        open_end_position=start + length,
        vcf_pos=start + 1,
        vcf_ref="A",
        vcf_alt="G",
        change_type="SNP",
        change_from="A",
        change_to="G",
        length=length,
        caller_type=caller_type,
        annotation=annotation,
        filter_status=filter_status,
        variant_quality=qual,
        genotypes={1: GenotypeData(1, genotype, 99, 100, None, ratio, None, None, False, filter_status, qual)},
        assessment=None
        if classification is None
        else AssessmentData(allele_id, classification, dt.datetime.now(dt.UTC), outdated),
    )


def t(name: str, consequences: list[str], symbol: str = "BRCA2", hgnc_id: int = 1101, hgvsc: str = "c.1A>G") -> dict:
    return {
        "transcript": name,
        "symbol": symbol,
        "hgnc_id": hgnc_id,
        "consequences": consequences,
        "HGVSc": f"{name}:{hgvsc}",
        "HGVSc_short": hgvsc,
    }


def ctx(*alleles: AlleleData) -> FilterContext:
    return FilterContext(CONFIG, PANEL, [PROBAND], {a.id: a for a in alleles})


def apply(name: str, context: FilterContext, config: dict[str, Any]) -> set[int]:
    return FILTERS[name].apply(context, set(context.alleles), config)


def freq(value: float, num: int = 10_000, provider: str = "GNOMAD_EXOMES", pop: str = "G") -> dict[str, Any]:
    return {provider: {"freq": {pop: value}, "num": {pop: num}}}


FREQ = {
    "groups": {"external": {"GNOMAD_EXOMES": ["G"]}, "internal": {"inDB": ["OUSWES"]}},
    "thresholds": {"AD": {"external": 0.005, "internal": 0.05}, "default": {"external": 0.01, "internal": 0.05}},
    "num_thresholds": {"GNOMAD_EXOMES": {"G": 5000}},
}


def test_frequency_thresholds_by_inheritance_num_and_gene_override():
    brca2 = [t("NM_000059.3", ["missense_variant"])]
    rece = [t("NM_000001.1", ["missense_variant"], "RECE", 2000)]
    context = ctx(
        allele(1, 1060, transcripts=brca2, frequencies=freq(0.007)),  # AD gene: 0.007 >= 0.005
        allele(2, 5200, chromosome="2", transcripts=rece, frequencies=freq(0.007)),  # AR: default 0.01
        allele(3, 1060, transcripts=brca2, frequencies=freq(0.5, num=100)),  # too few alleles counted
        allele(4, 1060, transcripts=brca2, frequencies={"inDB": {"freq": {"OUSWES": 0.06}}}),  # internal
        allele(5, 1060, transcripts=brca2),  # no frequencies
        allele(6, 99999, frequencies=freq(0.02)),  # no panel gene: default
        allele(7, 1060, transcripts=brca2, frequencies={"GNOMAD_EXOMES": "garbage"}),
    )
    assert apply("frequency", context, FREQ) == {1, 4, 6}
    override = {**FREQ, "genes": {"1101": {"thresholds": {"external": 0.5}}}}
    assert apply("frequency", context, override) == {6}


def test_frequency_allele_in_an_ad_gene_uses_the_ad_thresholds_whatever_its_other_genes():
    # ELLA: an allele annotated with a gene whose panel transcripts are all AD is judged by "AD"
    both = [t("NM_000059.3", ["missense_variant"]), t("NM_000001.1", ["missense_variant"], "RECE", 2000)]
    assert apply("frequency", ctx(allele(1, 1060, transcripts=both, frequencies=freq(0.007))), FREQ) == {1}
    assert apply("frequency", ctx(allele(1, 1060, transcripts=both, frequencies=freq(0.004))), FREQ) == set()


def test_frequency_config_errors_are_clear():
    config = {"filters": [{"name": "frequency", "config": {"groups": {}, "thresholds": {}}}]}
    with pytest.raises(FilterConfigError, match=r"thresholds.AD: missing required key\(s\): AD, default"):
        filtering.run(ctx(allele(1, 1)), config, {1})


def test_consequence_one_listed_consequence_is_enough():
    config = {"consequences": ["intron_variant", "synonymous_variant"], "genepanel_only": True}
    context = ctx(
        allele(1, 1, transcripts=[t("NM_000059.3", ["intron_variant"])]),
        allele(2, 1, transcripts=[t("NM_000059.3", ["intron_variant"]), t("NM_000059.4", ["missense_variant"])]),
        allele(3, 1, transcripts=[t("ENST0001", ["missense_variant"]), t("NM_000059.3", ["synonymous_variant"])]),
        allele(
            4, 1, transcripts=[t("NM_999.1", ["missense_variant"], "OTHER", 1), t("NM_000059.3", ["intron_variant"])]
        ),
        allele(5, 1),
    )
    # ELLA: filtered as soon as one considered transcript has a listed consequence (2: intronic on one
    # transcript); 3: the Ensembl transcript does not match the inclusion regex; 4: OTHER is no panel gene
    assert apply("consequence", context, config) == {1, 2, 3, 4}
    assert apply("consequence", context, {**config, "consequences": ["missense_variant"]}) == {2}
    assert apply("consequence", context, {**config, "consequences": ["missense_variant"], "genepanel_only": False}) == {
        2,
        4,
    }


@pytest.mark.parametrize(
    ("start", "kept"),
    [
        (1060, True),  # coding exon
        (1020, False),  # 5'UTR exon part beyond utr_region 0
        (1100, True),  # +1 splice (exon end is exclusive 1100 → intron position 1)
        (1105, True),  # +6
        (1106, False),  # +7
        (1980, True),  # -20 before exon 2
        (1979, False),
        (1500, False),  # deep intronic
        (3100, False),  # 3' UTR
        (50, False),  # other chromosome position / outside
    ],
)
def test_region_plus_strand(start, kept):
    config = {"splice_region": [-20, 6], "utr_region": [0, 0]}
    result = apply("region", ctx(allele(1, start)), config)
    assert (result == set()) is kept


def test_region_minus_strand_and_utr_padding():
    config = {"splice_region": [-20, 6], "utr_region": [-10, 5]}
    # minus strand exons [5000,5300) [6800,7000); transcript runs right to left, coding 5100..6899
    assert apply("region", ctx(allele(1, 5310, chromosome="2")), config) == set()  # 11 bp right of exon: -11 (upstream)
    assert apply("region", ctx(allele(1, 5330, chromosome="2")), config) == {1}  # -31
    assert apply("region", ctx(allele(1, 6795, chromosome="2")), config) == set()  # +5 (downstream)
    assert apply("region", ctx(allele(1, 6905, chromosome="2")), config) == set()  # 5'UTR, 6 bp upstream of CDS
    assert apply("region", ctx(allele(1, 6920, chromosome="2")), config) == {1}


def test_region_rescues_by_hgvsc_distance():
    config = {"splice_region": [-20, 6], "utr_region": [0, 0]}
    near = allele(1, 1500, transcripts=[t("NM_000059.3", ["intron_variant"], hgvsc="c.100+4A>G")])
    far = allele(2, 1500, transcripts=[t("NM_000059.3", ["intron_variant"], hgvsc="c.100+40A>G")])
    utr = allele(3, 1500, transcripts=[t("NM_000059.3", ["5_prime_UTR_variant"], hgvsc="c.-12A>G")])
    assert apply("region", ctx(near, far, utr), config) == {2, 3}


def test_quality_all_criteria_must_hold():
    context = ctx(
        allele(1, 1, qual=50, ratio=0.1),
        allele(2, 1, qual=50, ratio=0.4),
        allele(3, 1, qual=500, ratio=0.1),
        allele(4, 1, qual=50, ratio=0.0),  # a ratio of 0 is ignored
        allele(5, 1, qual=None, ratio=0.1),
    )
    assert apply("quality", context, {"qual": 100, "allele_ratio": 0.25}) == {1}
    assert apply("quality", context, {"qual": 100}) == {1, 2, 4}


@pytest.mark.parametrize(
    ("status", "filter_empty", "inverse", "filtered"),
    [
        ("PASS", False, True, False),
        ("LowQual", False, True, True),
        (".", False, True, True),  # empty never matches unless filter_empty; inverse then filters it
        (".", True, True, False),
        (None, False, False, False),
        ("LowQual", False, False, False),
        ("PASS", False, False, True),
    ],
)
def test_quality_filter_status(status, filter_empty, inverse, filtered):
    config = {"filter_status": {"pattern": "^PASS$", "filter_empty": filter_empty, "inverse": inverse}}
    assert (apply("quality", ctx(allele(1, 1, filter_status=status)), config) == {1}) is filtered


def test_classification_and_outdated():
    context = ctx(
        allele(1, 1, classification="1"),
        allele(2, 1, classification="2", outdated=True),
        allele(3, 1, classification="4"),
        allele(4, 1),
    )
    assert apply("classification", context, {"classes": ["1", "2"]}) == {1, 2}
    assert apply("classification", context, {"classes": ["1", "2"], "exclude_outdated": True}) == {1}


def test_gene_modes_and_inverse():
    brca2 = t("NM_000059.3", ["missense_variant"])
    rece = t("NM_000001.1", ["missense_variant"], "RECE", 2000)
    context = ctx(allele(1, 1, transcripts=[brca2]), allele(2, 1, transcripts=[brca2, rece]), allele(3, 1))
    assert apply("gene", context, {"genes": [1101]}) == {1}
    assert apply("gene", context, {"genes": [1101], "mode": "one"}) == {1, 2}
    assert apply("gene", context, {"genes": [1101], "inverse": True}) == {2, 3}


def test_inheritance_model():
    rece = [t("NM_000001.1", ["missense_variant"], "RECE", 2000)]
    single_het = ctx(allele(1, 5200, chromosome="2", transcripts=rece))
    assert apply("inheritancemodel", single_het, {"filter_mode": "recessive_non_candidates"}) == {1}
    assert apply("inheritancemodel", single_het, {"filter_mode": "recessive_candidates"}) == set()
    compound = ctx(allele(1, 5200, chromosome="2", transcripts=rece), allele(2, 5210, chromosome="2", transcripts=rece))
    assert apply("inheritancemodel", compound, {"filter_mode": "recessive_non_candidates"}) == set()
    assert apply("inheritancemodel", compound, {"filter_mode": "recessive_candidates"}) == {1, 2}
    homozygous = ctx(allele(1, 5200, chromosome="2", transcripts=rece, genotype="Homozygous"))
    assert apply("inheritancemodel", homozygous, {"filter_mode": "recessive_non_candidates"}) == set()
    dominant = ctx(allele(1, 1060, transcripts=[t("NM_000059.3", ["missense_variant"])]))
    assert apply("inheritancemodel", dominant, {"filter_mode": "recessive_non_candidates"}) == set()
    assert apply("inheritancemodel", dominant, {"filter_mode": "recessive_candidates"}) == set()
    mixed = ctx(
        allele(
            1,
            200,
            chromosome="3",
            transcripts=[t("NM_000002.1", ["missense_variant"], "BOTH", 3000)],
            genotype="Homozygous",
        )
    )
    assert apply("inheritancemodel", mixed, {"filter_mode": "recessive_candidates"}) == {1}


def test_size_and_callertype():
    context = ctx(allele(1, 1, length=1), allele(2, 1, length=5000, caller_type="cnv"))
    assert apply("size", context, {"threshold": 1000, "mode": "<"}) == {1}
    assert apply("size", context, {"threshold": 1000}) == {2}
    assert apply("callertype", context, {"callerTypes": ["snv"]}) == {1}


def test_run_order_and_exceptions():
    brca2 = [t("NM_000059.3", ["missense_variant"])]
    context = ctx(
        allele(1, 1060, transcripts=brca2, frequencies=freq(0.2)),
        allele(2, 1060, transcripts=brca2, frequencies=freq(0.2), classification="5"),
        allele(3, 1060, transcripts=[t("NM_000059.3", ["synonymous_variant"])]),
        allele(4, 1060, transcripts=brca2),
    )
    config = {
        "filters": [
            {
                "name": "frequency",
                "config": FREQ,
                "exceptions": [{"name": "classification", "config": {"classes": ["4", "5"]}}],
            },
            {
                "name": "segregation",
                "config": {
                    key: {"enable": True}
                    for key in (
                        "denovo",
                        "compound_heterozygous",
                        "recessive_homozygous",
                        "no_coverage_parents",
                        "parental_mosaicism",
                    )
                },
            },
            {"name": "consequence", "config": {"consequences": ["synonymous_variant"]}},
            {"name": "frequency", "config": FREQ},
        ]
    }
    remaining, excluded = filtering.run(context, config, set(context.alleles))
    # 2 is rescued from the first frequency filter by its class, but the second one has no exception
    assert remaining == {4}
    assert excluded == {"frequency": [1, 2], "segregation": [], "consequence": [3]}  # no family: no segregation
    config["filters"].pop()
    assert filtering.run(context, config, set(context.alleles))[0] == {2, 4}
    assert filtering.unsupported_filters(config) == []


def test_run_rejects_bad_configs():
    context = ctx(allele(1, 1))
    for bad in (
        {},
        {"filters": [{"config": {}}]},
        {"filters": [{"name": "nope", "config": {}}]},
        {"filters": [{"name": "gene", "config": []}]},
        {"filters": [{"name": "gene", "config": {"genes": "x"}}]},
    ):
        with pytest.raises(FilterConfigError):
            filtering.run(context, bad, {1})
