"""Conformance: the ``external`` filter (ClinVar and HGMD).

Mirrors ELLA src/datalayer/tests/test_externalfilter.py::test_externalfilter (same generated annotations,
configs and expected outcome), plus the shapes our importer stores (``rcvs`` form, HGMD from INFO) through the
real importer.
"""

from __future__ import annotations

import binascii
import json
import operator
import random
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import assume, example, given

from ella_app.services.filters import external
from ella_app.services.filters.context import analysis_context
from ella_app.services.importer import import_analysis
from tests.api.factories import BRCA2, HBOC, copy_db, make_panel, session_for, template_db
from tests.filters.builders import CONFORMANCE, allele, context, run

OPERATORS = {"==": operator.eq, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}

# ELLA's clinical significance groups and review status stars (externalfilter.py), as facts
CLINSIG = {
    "pathogenic": [
        "pathogenic",
        "likely pathogenic",
        "pathologic",
        "suspected pathogenic",
        "likely pathogenic - adrenal bilateral pheochromocy",
        "likely pathogenic - adrenal pheochromocytoma",
        "probable-pathogenic",
        "probably pathogenic",
        "pathogenic variant for bardet-biedl syndrome",
    ],
    "uncertain": ["uncertain", "variant of unknown significance", "uncertain significance"],
    "benign": ["benign", "suspected benign", "probable-non-pathogenic", "probably not pathogenic", "likely benign"],
}
STATUS = {
    1: "criteria provided, conflicting interpretations",
    2: "criteria provided, multiple submitters, no conflicts",
    0: "no assertion criteria provided",
    4: "practice guideline",
    3: "reviewed by expert panel",
}
TAGS = [None, "FP", "DM", "DFP", "R", "DP", "DM?"]


def test_the_groups_and_stars_are_ellas():
    assert {k: set(v) for k, v in CLINSIG.items()} == {k: set(v) for k, v in external.CLINSIG_GROUPS.items()}
    assert {v: k for k, v in STATUS.items()}.items() <= external.REVIEW_STATUS_STARS.items()
    assert external.REVIEW_STATUS_STARS["no assertion provided"] == 0


def random_casing(rng: random.Random, group: str) -> str:
    text = rng.choice(CLINSIG[group])
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


@st.composite
def external_annotation(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = {
        "num_benign": draw(st.integers(0, 5)),
        "num_uncertain": draw(st.integers(0, 5)),
        "num_pathogenic": draw(st.integers(0, 5)),
        "num_stars": draw(st.integers(0, 4)),
        "hgmd_tag": draw(st.sampled_from(TAGS)),
    }
    rng = random.Random(draw(st.integers(0, 2**32)))  # significance texts and casing: one draw, cheap
    base = {"rcv": "", "traitnames": "", "clinical_significance_descr": "", "variant_id": "", "submitter": ""}
    items = [
        {**base, "rcv": "SCVXXXXXXXX", "clinical_significance_descr": random_casing(rng, group)}
        for group in ("benign", "uncertain", "pathogenic")
        for _ in range(meta[f"num_{group}"])
    ]
    if not items:
        items = [{**base, "rcv": "SCVXXXXXXXX", "clinical_significance_descr": "something"}]
    annotation: dict[str, Any] = {
        "CLINVAR": {"variant_description": STATUS[meta["num_stars"]], "items": items, "variant_id": 12345}
    }
    if meta["hgmd_tag"]:
        annotation["HGMD"] = {"tag": meta["hgmd_tag"], "acc_num": "dabla", "disease": "dabla"}
    return meta, {"external": annotation}


@st.composite
def combination(draw: Any) -> list[Any]:
    left = draw(st.sampled_from(["benign", "uncertain", "pathogenic"]))
    op = draw(st.sampled_from(list(OPERATORS)))
    right = draw(st.sampled_from(["benign", "uncertain", "pathogenic", *range(6)]))
    assume(left != right)
    assume(not (op in ("<=", "<") and right == 0))
    return [left, op, right]


@st.composite
def stars(draw: Any) -> list[Any]:
    op = draw(st.sampled_from(list(OPERATORS)))
    num = draw(st.integers(0, 4))
    assume(not (op in ("<=", "<") and num == 0))
    return [op, num]


@CONFORMANCE
@given(
    st.lists(external_annotation(), min_size=1, max_size=15),
    st.lists(combination(), max_size=3),
    stars(),
    st.booleans(),
    st.lists(st.sampled_from(TAGS), unique=True),
    st.booleans(),
)
@example(
    [({"num_benign": 0, "num_uncertain": 0, "num_pathogenic": 2, "num_stars": 2, "hgmd_tag": "DM"}, None)],
    [["pathogenic", ">", "benign"]],
    [">=", 2],
    False,
    ["DM", "DM?"],
    False,
)
def test_externalfilter(annotations, combinations, num_stars, clinvar_inverse, tags, hgmd_inverse):
    """Mirrors ELLA test_externalfilter.py::test_externalfilter."""
    alleles, metas = [], []
    for meta, annotation in annotations:
        if annotation is None:  # the explicit example: 2 pathogenic submissions, 2 stars, DM
            item = {"rcv": "SCV000000001", "clinical_significance_descr": "Pathogenic"}
            annotation = {
                "external": {
                    "CLINVAR": {"variant_description": STATUS[2], "items": [item, {**item, "rcv": "SCV2"}]},
                    "HGMD": {"tag": "DM"},
                }
            }
        alleles.append(allele(annotation=annotation))
        metas.append(meta)
    ids = [a.id for a in alleles]

    config: dict[str, Any] = {}
    if combinations or num_stars:
        config["clinvar"] = {}
        if combinations:
            config["clinvar"]["combinations"] = combinations
        if num_stars:
            config["clinvar"]["num_stars"] = num_stars
        if clinvar_inverse:
            config["clinvar"]["inverse"] = clinvar_inverse
    if tags:
        config["hgmd"] = {"tags": tags}
        if hgmd_inverse:
            config["hgmd"]["inverse"] = hgmd_inverse

    clinvar_result = set(ids)
    if combinations or num_stars:
        clinvar_result = set()
        for allele_id, meta in zip(ids, metas, strict=True):
            op, count = num_stars
            if not OPERATORS[op](meta["num_stars"], count):
                continue
            if all(
                OPERATORS[op](meta.get(f"num_{left}", left), meta.get(f"num_{right}", right))
                for left, op, right in combinations
            ):
                clinvar_result.add(allele_id)
        if clinvar_inverse:
            clinvar_result = set(ids) - clinvar_result
    hgmd_result = set(ids)
    if tags:
        hgmd_result = {a for a, meta in zip(ids, metas, strict=True) if meta["hgmd_tag"] in tags}
        if hgmd_inverse:
            hgmd_result = set(ids) - hgmd_result

    assert run("external", context(alleles), config) == clinvar_result & hgmd_result


@CONFORMANCE
@given(st.lists(external_annotation(), min_size=1, max_size=8), st.lists(combination(), min_size=1, max_size=3))
def test_combinations_compare_counts(annotations, combinations):
    """ELLA test_externalfilter.py::test_externalfilter narrowed to ``combinations`` (every star rating
    counts, no HGMD criterion), so that each generated case tests the count comparisons."""
    alleles = [allele(annotation=annotation) for _, annotation in annotations]
    want = {
        a.id
        for a, (meta, _) in zip(alleles, annotations, strict=True)
        if all(
            OPERATORS[op](meta.get(f"num_{left}", left), meta.get(f"num_{right}", right))
            for left, op, right in combinations
        )
    }
    config = {"clinvar": {"num_stars": [">=", 0], "combinations": combinations}}
    assert run("external", context(alleles), config) == want


def _clinvar(status: str, *significances: str, accession: str = "SCV") -> dict[str, Any]:
    return {
        "variant_description": status,
        "items": [
            {"rcv": f"{accession}{i:09d}", "clinical_significance_descr": s} for i, s in enumerate(significances)
        ],
    }


def test_only_submissions_count_and_unknown_statuses_never_match():
    """ELLA counts entries whose accession starts with SCV (case-insensitive) and ignores review statuses it
    has no stars for; without any counted entry an allele has no ClinVar row (only ``inverse`` catches it)."""
    rcv_only = allele(annotation={"external": {"CLINVAR": _clinvar(STATUS[2], "Pathogenic", accession="RCV")}})
    lower = allele(annotation={"external": {"CLINVAR": _clinvar(STATUS[2], "Pathogenic", accession="scv")}})
    unknown = allele(annotation={"external": {"CLINVAR": _clinvar("criteria provided, conflicting", "Pathogenic")}})
    none = allele()
    ctx = context([rcv_only, lower, unknown, none])
    config = {"clinvar": {"combinations": [["pathogenic", ">", 0]]}}
    assert run("external", ctx, config) == {lower.id}
    assert run("external", ctx, {"clinvar": {**config["clinvar"], "inverse": True}}) == {
        rcv_only.id,
        unknown.id,
        none.id,
    }
    assert run("external", ctx, {"clinvar": {}}) == set()  # an empty object is no criterion, as in ELLA


def test_incoming_rcvs_form_is_read_as_ella_converts_it():
    """Our importer stores CLINVARJSON as it comes; ELLA turns ``rcvs`` into ``items`` (lists joined with
    ", "). A submission with two significances is in no category, as in ELLA."""
    data = {
        "variant_description": STATUS[3],
        "variant_id": 1,
        "rcvs": {
            "SCV000000001": {"clinical_significance_descr": ["Pathogenic"], "traitnames": ["x"]},
            "SCV000000002": {"clinical_significance_descr": ["Likely pathogenic"]},
            "SCV000000003": {"clinical_significance_descr": ["Benign", "Likely benign"]},
            "RCV000000004": {"clinical_significance_descr": ["Benign"]},
        },
    }
    one = allele(annotation={"external": {"CLINVAR": data}})
    assert external.clinvar_counts(one) == (3, {"pathogenic": 2, "uncertain": 0, "benign": 0})
    config = {"clinvar": {"num_stars": ["==", 3], "combinations": [["pathogenic", "==", 2], ["benign", "<", 1]]}}
    assert run("external", context([one]), config) == {one.id}


def test_hgmd_null_means_not_in_hgmd():
    dm, fp, absent = allele(annotation={"external": {"HGMD": {"tag": "DM"}}}), allele(), allele()
    fp.annotation = {"external": {"HGMD": {"acc_num": "CM1", "tag": "FP"}}}
    ctx = context([dm, fp, absent])
    assert run("external", ctx, {"hgmd": {"tags": [None]}}) == {absent.id}
    assert run("external", ctx, {"hgmd": {"tags": ["DM", None]}}) == {dm.id, absent.id}
    assert run("external", ctx, {"hgmd": {"tags": ["DM"], "inverse": True}}) == {fp.id, absent.id}


# ------------------------------------------------------------------------------------------ through the importer

VCF_HEADER = """##fileformat=VCFv4.1
##reference=GRCh37
##INFO=<ID=CSQ,Number=.,Type=String,Description="Format: Allele|Consequence|SYMBOL|Feature_type|Feature|HGVSc|HGNC_ID">
##INFO=<ID=CLINVARJSON,Number=1,Type=String,Description="ClinVar as base16 JSON">
##INFO=<ID=HGMD__acc_num,Number=.,Type=String,Description="HGMD accession">
##INFO=<ID=HGMD__disease,Number=.,Type=String,Description="HGMD disease">
##INFO=<ID=HGMD__tag,Number=.,Type=String,Description="HGMD tag">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPROBAND
"""


def _record(pos: int, clinvar: dict[str, Any] | None, hgmd_tag: str | None) -> str:
    info = [f"CSQ=G|missense_variant|BRCA2|Transcript|NM_000059.3|NM_000059.3:c.{pos - 32890500}A>G|1101"]
    if clinvar is not None:
        info.append("CLINVARJSON=" + binascii.hexlify(json.dumps(clinvar).encode()).decode())
    if hgmd_tag is not None:
        info += [f"HGMD__acc_num=CM{pos}", "HGMD__disease=Breast@#SPcancer", f"HGMD__tag={hgmd_tag}"]
    return "\t".join(["13", str(pos), ".", "A", "G", "500", "PASS", ";".join(info), "GT", "0/1"]) + "\n"


def test_external_reads_what_the_importer_stores(pg, tmp_path: Path):
    """ClinVar (CLINVARJSON, incoming ``rcvs`` form) and HGMD (HGMD__* INFO) as the legacy annotation config
    imports them."""
    pathogenic = {
        "variant_description": STATUS[2],
        "variant_id": 1,
        "rcvs": {
            f"SCV00000000{i}": {
                "traitnames": ["Breast cancer"],
                "clinical_significance_descr": ["Pathogenic"],
                "variant_id": ["1"],
                "submitter": ["Lab"],
                "last_evaluated": ["2020-01-01"],
            }
            for i in (1, 2)
        },
    }
    benign = {
        **pathogenic,
        "rcvs": {"SCV000000003": {**pathogenic["rcvs"]["SCV000000001"], "clinical_significance_descr": ["Benign"]}},
    }
    folder = tmp_path / "Ext-1.HBOC_v1.0.0"
    folder.mkdir()
    lines = [_record(32890600, pathogenic, "DM"), _record(32890610, benign, None), _record(32890620, None, "DM?")]
    (folder / "Ext-1.HBOC_v1.0.0.vcf").write_text(VCF_HEADER + "".join(lines))

    def build(session):
        make_panel(session, *HBOC, [BRCA2])
        session.commit()
        return import_analysis(session, folder).extra["analysis_id"]

    name, analysis_id = template_db(pg, build)
    with copy_db(pg, name) as url, session_for(url) as session:
        ctx = analysis_context(session, {}, analysis_id, HBOC)
        by_pos = {a.vcf_pos: a.id for a in ctx.alleles.values()}
        stored = ctx.alleles[by_pos[32890600]].external()
        assert stored["HGMD"] == {"acc_num": "CM32890600", "disease": "Breast cancer", "tag": "DM"}
        # ELLA's clinvarjson converter stores the incoming form as items, one per RCV (lists joined by ", ")
        assert [i["rcv"] for i in stored["CLINVAR"]["items"]] == ["SCV000000001", "SCV000000002"]
        assert "rcvs" not in stored["CLINVAR"]
        config = {"clinvar": {"num_stars": [">=", 2], "combinations": [["pathogenic", ">", "benign"]]}}
        assert run("external", ctx, config) == {by_pos[32890600]}
        assert run("external", ctx, {"hgmd": {"tags": ["DM", "DM?"]}}) == {by_pos[32890600], by_pos[32890620]}
        assert run("external", ctx, {"hgmd": {"tags": [None]}}) == {by_pos[32890610]}
        both = {"clinvar": {"combinations": [["benign", ">", 0]]}, "hgmd": {"tags": [None]}}
        assert run("external", ctx, both) == {by_pos[32890610]}
