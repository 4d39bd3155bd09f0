"""Conformance: the ``quality`` filter.

Mirrors ELLA src/datalayer/tests/test_qualityfilter.py::test_qualityfilter: alleles called in up to three
proband samples (or not), each call with QUAL, FILTER and allele ratio; the curated examples and ELLA's
parallel implementation as the oracle. A last test loads the calls from the database.
"""

from __future__ import annotations

import re
from typing import Any

import hypothesis.strategies as st
from hypothesis import assume, example, given

from ella_app.services.filters.context import analysis_context
from tests.api.factories import (
    BRCA2,
    HBOC,
    SampleSpec,
    VariantSpec,
    copy_db,
    make_analysis,
    make_panel,
    session_for,
    template_db,
)
from tests.filters.builders import CONFORMANCE, allele, context, genotype, run, sample


def build(data: list[list[dict[str, Any] | None]]) -> tuple[Any, list[int]]:
    width = max(len(row) for row in data)
    samples = [sample(i + 1) for i in range(width)]
    alleles = []
    for row in data:
        calls = [
            genotype(
                i + 1,
                "Heterozygous",
                ratio=d.get("genotype_allele_ratio"),
                filter_status=d.get("filter_status"),
                qual=d.get("variant_quality"),
            )
            for i, d in enumerate(row)
            if d is not None
        ]
        alleles.append(allele(genotypes=calls))
    return context(alleles, samples=samples), [a.id for a in alleles]


@st.composite
def calls(draw: Any) -> list[dict[str, Any] | None]:
    row: list[dict[str, Any] | None] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            row.append(
                {
                    "filter_status": draw(st.sampled_from([None, "PASS", ".", "VQSRTrancheSNP99.00to99.90"])),
                    "variant_quality": draw(st.integers(0, 250)),
                    "genotype_allele_ratio": draw(st.floats(0, 1.0, width=16)),
                }
            )
        else:
            row = [None, *row]
    assume(any(x is not None for x in row))
    return row


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if draw(st.booleans()):
        config["qual"] = draw(st.integers(0, 250))
    if draw(st.booleans()):
        config["allele_ratio"] = draw(st.floats(0, 1.0, width=16))
    if draw(st.booleans()):
        config["filter_status"] = {
            "pattern": draw(st.sampled_from(["PASS", ".*VQSRTrancheSNP.*"])),
            "inverse": draw(st.booleans()),
            "filter_empty": draw(st.booleans()),
        }
    assume(config)
    return config


def d(ar: float | None = None, qual: int | None = None, status: str | None = None) -> dict[str, Any]:
    return {"genotype_allele_ratio": ar, "variant_quality": qual, "filter_status": status}


@CONFORMANCE
@example([[d(ar=0.24, qual=100)]], {"qual": 100, "allele_ratio": 0.25}, [])
@example([[d(ar=0.26, qual=99)]], {"qual": 100, "allele_ratio": 0.25}, [])
@example([[d(ar=0.24, qual=99)]], {"qual": 100, "allele_ratio": 0.25}, [0])
@example([[d(ar=0.24, qual=99)]], {"allele_ratio": 0.25}, [0])
@example([[d(ar=0.26, qual=99)]], {"allele_ratio": 0.25}, [])
@example([[d(ar=0.24, qual=99)]], {"qual": 100}, [0])
@example([[d(ar=0.24, qual=101)]], {"qual": 100}, [])
@example([[d(ar=0.24, qual=101, status="FAIL")]], {"qual": 100}, [])
@example([[d(ar=0.24, qual=None)]], {"qual": 100}, [])
@example([[d(ar=None, qual=99)]], {"allele_ratio": 0.25}, [])
@example([[d(ar=0.0, qual=99)]], {"allele_ratio": 0.25}, [])
@example([[d(status=".")], [d(status=None)]], {"filter_status": {"pattern": "\\."}}, [])
@example([[d(status=".")], [d(status=None)]], {"filter_status": {"pattern": "\\.", "filter_empty": False}}, [])
@example([[d(status=".")], [d(status=None)]], {"filter_status": {"pattern": "PASS", "filter_empty": True}}, [0, 1])
@example(
    [[d(status=".")], [d(status=None)]],
    {"filter_status": {"pattern": "PASS", "filter_empty": True, "inverse": True}},
    [],
)
@example([[d(status="FAIL")]], {"filter_status": {"pattern": "PASS", "inverse": True}}, [0])
@example([[d(ar=0.24, qual=99), d(ar=0.26, qual=99)]], {"allele_ratio": 0.25}, [])
@example([[d(ar=0.24, qual=101), d(ar=0.26, qual=99)]], {"qual": 100}, [])
@example([[d(status="VQSRTrancheSNP99.00to99.90"), d(status="PASS")]], {"filter_status": {"pattern": ".*VQSR.*"}}, [])
@example([[d(ar=0.24, qual=99), d(ar=0.24, qual=99)]], {"allele_ratio": 0.25}, [0])
@example([[d(status="VQSRTrancheSNP99.00to99.90")]], {"filter_status": {"pattern": ".*VQSRTranche.*"}}, [0])
@example(
    [[d(status="VQSRTrancheSNP99.00to99.90"), d(status="VQSRTrancheSNP99.00to99.90")]],
    {"filter_status": {"pattern": ".*VQSRTranche.*"}},
    [0],
)
@example([[None, d(ar=0.24, qual=99)], [d(ar=0.24, qual=99)]], {"allele_ratio": 0.25}, [0, 1])
@example([[None, d(ar=0.26, qual=99)], [d(ar=0.24, qual=99)]], {"allele_ratio": 0.25}, [1])
@example([[None, d(ar=0.24, qual=99)], [d(ar=0.24, qual=101)]], {"qual": 100}, [0])
@example([[None, d(ar=0.26, qual=99)], [d(ar=0.26, qual=99)]], {"allele_ratio": 0.25}, [])
@example(
    [[None, d(ar=0.26, qual=99, status="PASS")], [d(ar=0.26, qual=99, status="PASS")]],
    {"filter_status": {"pattern": "PASS"}},
    [0, 1],
)
@given(st.lists(calls(), min_size=1), configs(), st.just(None))
def test_qualityfilter(data, config, curated):
    """Mirrors ELLA test_qualityfilter.py::test_qualityfilter."""
    ctx, ids = build(data)
    result = run("quality", ctx, config)
    if curated is not None:
        assert result == {ids[k] for k in curated}

    def poor(call: dict[str, Any]) -> bool:
        if "qual" in config and (call["variant_quality"] is None or call["variant_quality"] >= config["qual"]):
            return False
        ratio = call["genotype_allele_ratio"]
        if "allele_ratio" in config and (ratio is None or ratio == 0.0 or ratio >= config["allele_ratio"]):
            return False
        if "filter_status" in config:
            status = call["filter_status"]
            fs = config["filter_status"]
            if status is None or status == ".":
                matched = bool(fs.get("filter_empty"))
            else:
                matched = bool(re.match(fs["pattern"], status))
            if fs.get("inverse"):
                matched = not matched
            if not matched:
                return False
        return True

    want = {a for a, row in zip(ids, data, strict=True) if all(poor(c) for c in row if c is not None)}
    assert result == want


def test_calls_come_from_each_samples_own_genotype(pg):
    """Two probands (two VCFs) in one analysis: each call's QUAL and FILTER are those of that sample's
    genotype row, as ELLA's genotype table has them."""

    def make(session):
        make_panel(session, *HBOC, [BRCA2])
        variant = VariantSpec("13", 32890600, "A", "G", filter_status="LowQual", qual=20, allele_ratio=0.1)
        analysis, [a] = make_analysis(session, "Q-1", HBOC, [variant], [SampleSpec("one")])
        return analysis.id, a.id

    name, (analysis_id, allele_id) = template_db(pg, make)
    with copy_db(pg, name) as url, session_for(url) as session:
        ctx = analysis_context(session, {}, analysis_id, HBOC)
        call = ctx.alleles[allele_id].genotypes[ctx.proband_ids[0]]
        assert (call.filter_status, call.variant_quality, call.allele_ratio) == ("LowQual", 20, 0.1)
        assert run("quality", ctx, {"qual": 100, "filter_status": {"pattern": "PASS", "inverse": True}}) == {allele_id}
