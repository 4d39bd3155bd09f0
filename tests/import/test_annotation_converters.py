"""ELLA's ``json``, ``meta`` and ``clinvarreferences`` converters and target modes (``formats/annotation_converters``),
through the annotation mapper the importer uses, and end to end through ``deposit annotation``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ella_app.errors import InputError
from ella_app.formats.annotation_config import AnnotationConfig, AnnotationMapper, validate_config
from ella_app.formats.vcf import VcfReader, parse_info

INFO_LINES = {
    "MYJSON": '##INFO=<ID=MYJSON,Number=1,Type=String,Description="encoded JSON">',
    "DABLA": '##INFO=<ID=DABLA,Number=.,Type=String,Description="Format: foo|bar">',
    "CLINVARJSON": '##INFO=<ID=CLINVARJSON,Number=1,Type=String,Description="ClinVar JSON, base16">',
    "SPLICE": '##INFO=<ID=SPLICE,Number=.,Type=String,Description="SpliceAI. Format: ALLELE|SYMBOL|DS_AG|DS_AL">',
}


def mapper(tmp_path: Path, converters: list[dict[str, Any]]) -> AnnotationMapper:
    vcf = tmp_path / "h.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.1\n" + "\n".join(INFO_LINES.values()) + "\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    deposit = validate_config({"deposit": converters}, source="test")
    with VcfReader(vcf) as reader:
        return AnnotationConfig(deposit).mapper(reader.header)


def element(name: str, **config: Any) -> dict[str, Any]:
    return {"name": name, "converter_config": {"elements": [config]}}


ENCODERS = {"base16": base64.b16encode, "base32": base64.b32encode, "base64": base64.b64encode}
DATA = {"a1": {"b1": {"c": [1, 2, 3]}, "b2": {"d": "dabla"}}, "a2": ["foo", "bar", "baz"]}


@pytest.mark.parametrize("encoding", ["base16", "base32", "base64"])
def test_jsonconverter(tmp_path: Path, encoding: str):
    """Mirrors ELLA src/vardb/deposit/annotationconverters/tests/test_jsonconverter.py::test_jsonconverter:
    every encoding, the whole object and each subpath (a missing one gives null)."""
    raw = ENCODERS[encoding](json.dumps(DATA).encode()).decode()
    subpaths = {
        None: DATA,
        "a1": DATA["a1"],
        "a2": DATA["a2"],
        "a1.b1": DATA["a1"]["b1"],
        "a1.b2": DATA["a1"]["b2"],
        "a1.b1.c": DATA["a1"]["b1"]["c"],
        "a1.b2.d": "dabla",
        "doesnotexist": None,
        "a1.b1.doesnotexist": None,
    }
    for subpath, expected in subpaths.items():
        config: dict[str, Any] = {"source": "MYJSON", "target": "PATH.TO.TARGET", "encoding": encoding}
        if subpath:
            config["subpath"] = subpath
        ann = mapper(tmp_path, [element("json", **config)]).annotate(parse_info(f"MYJSON={raw}"))
        assert ann == {"PATH": {"TO": {"TARGET": expected}}}, subpath


def test_json_docs_example_and_bad_values(tmp_path: Path):
    """ELLA docs/technical/annotation.md, json: MYJSON=7B22…7D → PATH.TO.TARGET {"foo": 1, "bar": 2}."""
    m = mapper(tmp_path, [element("json", source="MYJSON", target="PATH.TO.TARGET", encoding="base16")])
    assert m.annotate(parse_info("MYJSON=7B22666F6F223A20312C2022626172223A20327D")) == {
        "PATH": {"TO": {"TARGET": {"foo": 1, "bar": 2}}}
    }
    with pytest.raises(ValueError, match="MYJSON is not base16-encoded JSON"):
        m.annotate(parse_info("MYJSON=XYZ"))
    with pytest.raises(ValueError, match="MYJSON has no value"):
        m.annotate(parse_info("MYJSON"))


def test_meta_docs_example(tmp_path: Path):
    """ELLA docs/technical/annotation.md, meta: header Description 'Format: foo|bar', DABLA=1|2 with int
    subelements → {"foo": 1, "bar": 2}; keys not listed as subelements are left out."""
    subelements = [{"source": "foo", "target_type": "int"}, {"source": "bar", "target_type": "int"}]
    m = mapper(tmp_path, [element("meta", source="DABLA", target="PATH.TO.TARGET", subelements=subelements)])
    assert m.annotate(parse_info("DABLA=1|2")) == {"PATH": {"TO": {"TARGET": {"foo": 1, "bar": 2}}}}
    only_bar = mapper(tmp_path, [element("meta", source="DABLA", target="x", subelements=subelements[1:])])
    assert only_bar.annotate(parse_info("DABLA=1|2")) == {"x": {"bar": 2}}
    with pytest.raises(ValueError, match="bar='x' is not of type int"):
        m.annotate(parse_info("DABLA=1|x"))
    lenient = [{"source": "foo", "target_type": "int", "target_type_throw": False}]
    soft = mapper(tmp_path, [element("meta", source="DABLA", target="x", subelements=lenient)])
    assert soft.annotate(parse_info("DABLA=y|2")) == {"x": {"foo": None}}


def test_meta_list_separator_and_split(tmp_path: Path):
    """ELLA's MetaConverter with list_separator (e.g. SpliceAI: one item per gene), values as is by default."""
    subelements = [
        {"source": "SYMBOL"},
        {"source": "DS_AG", "target_type": "float"},
        {"source": "ALLELE", "split": "/"},
    ]
    m = mapper(
        tmp_path,
        [element("meta", source="SPLICE", target="prediction.spliceai", list_separator=",", subelements=subelements)],
    )
    ann = m.annotate(parse_info("SPLICE=A/G|BRCA2|0.5|0.0,G|XYZ|0.01|0.2"))
    assert ann == {
        "prediction": {
            "spliceai": [
                {"ALLELE": ["A", "G"], "SYMBOL": "BRCA2", "DS_AG": 0.5},
                {"ALLELE": ["G"], "SYMBOL": "XYZ", "DS_AG": 0.01},
            ]
        }
    }


def test_meta_header_problems_are_input_errors(tmp_path: Path):
    """ELLA asserts that the Description matches meta_pattern once and names every subelement key."""
    with pytest.raises(InputError, match="has no key nope"):
        mapper(tmp_path, [element("meta", source="DABLA", target="x", subelements=[{"source": "nope"}])])
    with pytest.raises(InputError, match="must match meta_pattern"):
        mapper(tmp_path, [element("meta", source="MYJSON", target="x", subelements=[])])


def test_clinvar_reference(tmp_path: Path):
    """Mirrors ELLA src/vardb/deposit/annotationconverters/tests/test_referenceconverters.py::
    test_clinvar_reference: pubmeds and pubmed_ids of the base16 ClinVar JSON become CLINVAR references.
    With ELLA's legacy config (target references, target_mode extend) they join other references, sorted by
    PubMed id as ELLA's importer sorts them."""
    refs = [element("clinvarreferences", source="CLINVARJSON", target="references", target_mode="extend")]
    m = mapper(tmp_path, refs)
    pmids = [30, 10, 20]
    for key in ("pubmeds", "pubmed_ids"):
        raw = base64.b16encode(json.dumps({key: pmids}).encode()).decode()
        assert m.annotate(parse_info(f"CLINVARJSON={raw}")) == {
            "references": [{"pubmed_id": p, "source": "CLINVAR", "source_info": ""} for p in sorted(pmids)]
        }
    both = mapper(
        tmp_path,
        [*refs, element("json", source="MYJSON", target="references", target_mode="extend", subpath="refs")],
    )
    extra = base64.b16encode(json.dumps({"refs": [{"pubmed_id": 15}]}).encode()).decode()
    clinvar = base64.b16encode(json.dumps({"pubmed_ids": [30, 10]}).encode()).decode()
    ann = both.annotate(parse_info(f"CLINVARJSON={clinvar};MYJSON={extra}"))
    assert [r["pubmed_id"] for r in ann["references"]] == [10, 15, 30]


def test_target_modes(tmp_path: Path):
    """ELLA's target modes: insert (once), extend (lists), append, merge (objects, recursively)."""
    obj = base64.b16encode(json.dumps({"a": {"b": 1}}).encode()).decode()
    lst = base64.b16encode(json.dumps([1, 2]).encode()).decode()

    def run(mode: str, raw: str, twice: bool = True) -> dict[str, Any]:
        els = [{"source": "MYJSON", "target": "t.x", "target_mode": mode}]
        if twice:
            els.append({"source": "CLINVARJSON", "target": "t.x", "target_mode": mode})
        m = mapper(tmp_path, [{"name": "json", "converter_config": {"elements": els}}])
        return m.annotate(parse_info(f"MYJSON={raw};CLINVARJSON={raw}"))

    assert run("insert", obj, twice=False) == {"t": {"x": {"a": {"b": 1}}}}
    with pytest.raises(ValueError, match=r"t\.x is set twice"):
        run("insert", obj)
    assert run("extend", lst) == {"t": {"x": [1, 2, 1, 2]}}
    assert run("append", lst) == {"t": {"x": [[1, 2], [1, 2]]}}
    assert run("merge", obj) == {"t": {"x": {"a": {"b": 1}}}}
    with pytest.raises(ValueError, match="extend needs a list"):
        run("extend", obj)


def test_config_checks(tmp_path: Path):
    with pytest.raises(InputError, match="unknown converter 'refs'"):
        validate_config({"deposit": [element("refs", source="X", target="y")]}, source="c")
    with pytest.raises(InputError, match="encoding must be one of"):
        mapper(tmp_path, [element("json", source="MYJSON", target="x", encoding="rot13")])


def test_json_and_meta_through_deposit_annotation(cli, db_url: str, tmp_path: Path):
    """End to end: a stored config with json, meta and clinvarreferences drives ``deposit annotation``; a
    value the json converter cannot decode names the file and line, and nothing is stored."""
    from tests.cli.test_deposit_alleles import query, table_snapshot, with_panel

    with_panel(cli)
    config = tmp_path / "annotation-config.yml"
    config.write_text(
        json.dumps(
            {
                "deposit": [
                    element("json", source="MYJSON", target="external.MINE"),
                    element(
                        "meta",
                        source="DABLA",
                        target="prediction.dabla",
                        subelements=[{"source": "foo", "target_type": "int"}],
                    ),
                    element("clinvarreferences", source="CLINVARJSON", target="references", target_mode="extend"),
                ],
                "view": [],
            }
        )
    )
    cli.ok("annotationconfig", "update", str(config))
    clinvar = base64.b16encode(json.dumps({"pubmed_ids": [5]}).encode()).decode()
    head = (
        "##fileformat=VCFv4.1\n" + "\n".join(INFO_LINES.values()) + "\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    good = tmp_path / "v.HBOC_v1.0.0.vcf"
    good.write_text(head + f"13\t32890607\t.\tG\tT\t1\tPASS\tMYJSON=7B2261223A317D;DABLA=3|4;CLINVARJSON={clinvar}\n")
    out = cli.ok("deposit", "annotation", str(good), "--json").json()
    assert out["annotations_created"] == 1
    [(annotation,)] = query(db_url, "SELECT annotation FROM annotation")
    assert annotation == {
        "external": {"MINE": {"a": 1}},
        "prediction": {"dabla": {"foo": 3}},
        "references": [{"pubmed_id": 5, "source": "CLINVAR", "source_info": ""}],
    }
    bad = tmp_path / "bad.HBOC_v1.0.0.vcf"
    bad.write_text(head + "13\t32890607\t.\tG\tT\t1\tPASS\tMYJSON=7B22\n")
    before = table_snapshot(db_url)
    result = cli("deposit", "annotation", str(bad))
    assert result.exit_code == 2 and f"{bad}, line 7: INFO MYJSON is not base16-encoded JSON" in result.stderr
    assert table_snapshot(db_url) == before


UPSTREAM_VCF = Path(__file__).resolve().parents[1] / "data" / "ella-upstream" / "analyses" / "TestAnalysis-001"


def test_hgmd_references_of_testanalysis_001():
    """ELLA's hgmdprimaryreport and hgmdextrarefs (test_referenceconverters.py::test_HGMD_primaryreport and
    ::test_get_HGMD_extrarefs) on ELLA's TestAnalysis-001 through our default config: "Primary literature
    report. <comments>" ("No comments." for None), extra references "<reftag text>. <comments>" with the keys
    from the header's Format, HGMD's @#SP escapes undone; references sorted by PubMed id."""
    from ella_app.formats.annotation_config import default_config

    with VcfReader(UPSTREAM_VCF / "TestAnalysis-001.vcf") as vcf:
        mapper = default_config().mapper(vcf.header)
        records = list(vcf)
    by_pos = {r.pos: mapper.annotate(parse_info(r.info)) for r in records}
    assert by_pos[32890607]["references"] == [
        {"pubmed_id": 17453335, "source": "HGMD", "source_info": "Primary literature report. No comments."}
    ]
    assert by_pos[32890645]["references"] == [
        {"pubmed_id": 8589730, "source": "HGMD", "source_info": "Primary literature report. aka 279delAC"},
        {"pubmed_id": 18607349, "source": "HGMD", "source_info": "Functional characterisation. No comments."},
    ]
    assert "references" not in by_pos[32893344]
    assert any(r["source_info"] == "Additional report. No comments." for r in by_pos[32893243]["references"])
    for annotation in by_pos.values():
        pmids = [r["pubmed_id"] for r in annotation.get("references", [])]
        assert pmids == sorted(pmids)


def test_hgmd_reference_rules(tmp_path: Path):
    """ELLA's rules: a PubMed id that is not a number is left out; an unknown or empty reftag is
    "Reftag not specified"; APR without comments takes the disease; comments only with additional_sources."""
    from ella_app.formats import annotation_converters as conv

    keys = ["pmid", "reftag", "comments", "disease"]
    raw = "x|FCR||,11|APR||Breast@#SPcancer,12|ZZZ|a@#CMb|,13|||"
    assert conv.hgmd_extrarefs(raw, keys) == [
        {"pubmed_id": 11, "source": "HGMD", "source_info": "Additional phenotype. Breast cancer"},
        {"pubmed_id": 12, "source": "HGMD", "source_info": "Reftag not specified. a,b"},
        {"pubmed_id": 13, "source": "HGMD", "source_info": "Reftag not specified. No comments."},
    ]
    assert conv.hgmd_primary_report("abc", "x") == []
    assert conv.hgmd_primary_report("5", "") == [
        {"pubmed_id": 5, "source": "HGMD", "source_info": "Primary literature report. No comments."}
    ]
    with pytest.raises(ValueError, match="no 'Format: \\(pmid"):
        conv.hgmd_extrarefs_keys("Format: pmid|x", "HGMD__extrarefs")


def test_clinvarjson_incoming_form_is_converted():
    """ELLA's CLINVARJSONConverter: JSON in the incoming (v1) form becomes variant_description, variant_id and
    items (one per RCV, lists joined with ", "); other JSON is kept as it is."""
    from ella_app.formats import annotation_converters as conv

    incoming = {
        "variant_description": "criteria provided, single submitter",
        "variant_id": 5,
        "rcvs": {
            "RCV1": {
                "traitnames": ["a", "b"],
                "clinical_significance_descr": ["Pathogenic"],
                "variant_id": ["5"],
                "submitter": ["Lab"],
                "last_evaluated": ["2019-01-01"],
            }
        },
    }
    assert conv.clinvar_json(incoming) == {
        "variant_description": "criteria provided, single submitter",
        "variant_id": 5,
        "items": [
            {
                "rcv": "RCV1",
                "traitnames": "a, b",
                "clinical_significance_descr": "Pathogenic",
                "variant_id": "5",
                "submitter": "Lab",
                "last_evaluated": "2019-01-01",
            }
        ],
    }
    other = {"variant_id": 1, "items": []}
    assert conv.clinvar_json(other) == other


def test_required_source(tmp_path: Path):
    """ELLA's AnnotationImporter: an element with ``required: true`` whose source a record lacks stops the
    import ("Missing required source field in annotation")."""
    m = mapper(tmp_path, [element("json", source="MYJSON", target="x", required=True)])
    with pytest.raises(ValueError, match="INFO MYJSON is missing; the annotation config marks it required"):
        m.annotate(parse_info("DABLA=1|2"))
    assert m.annotate(parse_info("MYJSON=7B7D")) == {"x": {}}


def test_annotationimport_target_mode(tmp_path: Path):
    """Mirrors ELLA src/vardb/deposit/tests/test_importers.py::test_annotationimport_target_mode: two sources
    into one target with keyvalue extend and append, and json merge (recursive, the later value wins)."""
    (tmp_path / "h.vcf").write_text(
        "##fileformat=VCFv4.1\n"
        '##INFO=<ID=SOURCE1,Number=.,Type=String,Description="x">\n'
        '##INFO=<ID=SOURCE2,Number=.,Type=String,Description="x">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )

    def annotate(name: str, mode: str, info: str, **kw: Any) -> dict[str, Any]:
        elements = [dict(source=s, target="key", target_mode=mode, **kw) for s in ("SOURCE1", "SOURCE2")]
        deposit = validate_config({"deposit": [{"name": name, "converter_config": {"elements": elements}}]}, source="t")
        with VcfReader(tmp_path / "h.vcf") as reader:
            return AnnotationConfig(deposit).mapper(reader.header).annotate(parse_info(info))

    assert annotate("keyvalue", "extend", "SOURCE1=1,3;SOURCE2=2,4", split=",", target_type="int") == {
        "key": [1, 3, 2, 4]
    }
    assert annotate("keyvalue", "append", "SOURCE1=1;SOURCE2=2", target_type="int") == {"key": [1, 2]}
    one = base64.b16encode(json.dumps({"foobar": {"a": 1, "b": 1}}).encode()).decode()
    two = base64.b16encode(json.dumps({"foobar": {"a": 2, "c": 2}}).encode()).decode()
    assert annotate("json", "merge", f"SOURCE1={one};SOURCE2={two}", encoding="base16") == {
        "key": {"foobar": {"a": 2, "b": 1, "c": 2}}
    }
    # append with a single source: a list of one
    assert annotate("keyvalue", "append", "SOURCE1=dabla") == {"key": ["dabla"]}
