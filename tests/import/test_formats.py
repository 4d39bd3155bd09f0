"""The analysis folder, PED, VCF and annotation-config formats, without a database."""

from __future__ import annotations

import binascii
import json

import pytest

from ella_app.errors import InputError
from ella_app.formats import analysis_folder as af
from ella_app.formats.annotation_config import AnnotationConfig, default_config
from ella_app.formats.vcf import GENOTYPE_TYPES, VcfReader, allele_shape, parse_gt, parse_info
from tests.conftest import UPSTREAM
from tests.support import vcfgen


def test_legacy_analysis_file_of_testanalysis_001():
    spec = af.load_analysis(UPSTREAM / "analyses" / "TestAnalysis-001" / "TestAnalysis-001.analysis")
    assert (spec.name, spec.genepanel_name, spec.genepanel_version, spec.priority) == (
        "TestAnalysis-001",
        "HBOC",
        "v1.0.0",
        1,
    )
    assert spec.form == "legacy-analysis-file" and [d.vcf.name for d in spec.data] == ["TestAnalysis-001.vcf"]
    assert spec.data[0].ped is not None and spec.data[0].ped.name == "TestAnalysis-001.ped"
    assert spec.report and "analysis report" in spec.report and spec.warnings and "warnings" in spec.warnings


def test_current_form_with_several_vcfs_and_sanger(tmp_path):
    folder = vcfgen.write_analysis(tmp_path, "Multi-1", 3)
    vcfgen.write_vcf(folder / "sanger.vcf", 2, ["PROBAND"])
    doc = json.loads((folder / "Multi-1.analysis").read_text())
    doc["data"].append({"vcf": "sanger.vcf", "technology": "Sanger", "callerName": "manual"})
    doc["report"], doc["warnings"] = "json report", "json warnings"
    (folder / "Multi-1.analysis").write_text(json.dumps(doc))
    (folder / "warnings.txt").write_text("file warnings")
    spec = af.load_analysis(folder)
    assert [(d.vcf.name, d.technology, d.caller_name) for d in spec.data] == [
        ("Multi-1.vcf", "HTS", None),
        ("sanger.vcf", "Sanger", "manual"),
    ]
    assert spec.report == "json report" and spec.warnings == "file warnings"  # files override JSON
    assert spec.priority == 2 and str(spec.date_requested) == "2024-03-01"


@pytest.mark.parametrize(
    ("name", "panel"),
    [
        ("Diag-excap01-123456789.HBOC_v1.0.0", ("HBOC", "v1.0.0")),
        ("Diag-wgs22-4455-Mendel-v03", ("Mendel", "v03")),
        ("Diag-excap-77.Ciliopati_v2", ("Ciliopati", "v2")),
    ],
)
def test_folder_name_form(name, panel):
    assert af.parse_folder_name(name, source=name) == panel


def test_folder_name_without_panel_is_an_error(tmp_path):
    folder = tmp_path / "no-panel-here"
    folder.mkdir()
    with pytest.raises(InputError, match="cannot read the gene panel"):
        af.load_analysis(folder)


def test_two_analysis_files_are_an_error(tmp_path):
    folder = vcfgen.write_analysis(tmp_path, "Two-1", 2)
    (folder / "other.analysis").write_text("{}")
    with pytest.raises(InputError, match=r"more than one \.analysis file"):
        af.load_analysis(folder)


def test_ped_parsing(tmp_path):
    ped = vcfgen.write_ped(tmp_path / "f.ped", vcfgen.TRIO)
    pedigree = af.parse_ped(ped)
    assert pedigree.proband.sample == "PROBAND" and pedigree.proband.father == "FATHER"
    assert [m.sex for m in pedigree.members] == ["Female", "Male", "Female"]
    ped.write_text(ped.read_text() + "FAM2\tX\t0\t0\t1\t1\t0\n")
    with pytest.raises(InputError, match="one family per PED file"):
        af.parse_ped(ped)


def test_allele_shapes_and_genotypes():
    assert allele_shape(100, "A", "G").change_type == "SNP"
    d = allele_shape(100, "GAC", "G")
    assert (d.start, d.open_end, d.change_from, d.change_to, d.change_type, d.length) == (100, 102, "AC", "", "del", 2)
    i = allele_shape(100, "G", "GTT")  # ELLA: an insertion starts at the base before it, length 1
    assert (i.start, i.open_end, i.change_from, i.change_to, i.change_type, i.length) == (99, 100, "", "TT", "ins", 1)
    assert allele_shape(100, "AC", "GT").change_type == "indel"
    assert GENOTYPE_TYPES[parse_gt("0/1")] == "Heterozygous"
    assert GENOTYPE_TYPES[parse_gt("1|1")] == "Homozygous"
    assert GENOTYPE_TYPES[parse_gt("1|.")] == "Heterozygous"
    assert GENOTYPE_TYPES[parse_gt("0/0")] == "Reference"
    assert GENOTYPE_TYPES[parse_gt("1")] == "Homozygous"
    assert parse_gt("./.") == (-1, -1) and parse_gt("1/2") == (1, 2)
    assert parse_gt("1/2") not in GENOTYPE_TYPES  # a second ALT: not homozygous, not importable
    with pytest.raises(ValueError, match="not a genotype"):
        parse_gt("a/1")


def test_vcf_reader_header_and_errors(tmp_path):
    path = vcfgen.write_vcf(tmp_path / "x.vcf.gz", 3, ["A", "B"], gz=True)
    with VcfReader(path) as vcf:
        assert vcf.header.samples == ["A", "B"] and vcf.header.csq_fields()[:2] == ["Allele", "Consequence"]
        records = list(vcf)
    assert len(records) == 3 and records[0].sample_data(1)["GT"] in ("0/0", "0/1", "1/1")
    bad = tmp_path / "bad.vcf"
    bad.write_text("##fileformat=VCFv4.2\nchr1\t1\n")
    with pytest.raises(InputError, match=r"bad.vcf, line 2: expected the #CHROM header line"):
        VcfReader(bad).open()


def test_annotation_config_converters(tmp_path):
    hgvs = {"variant_id": 12345, "pubmed_ids": [111, 222]}
    info = {
        "CLINVARJSON": binascii.hexlify(json.dumps(hgvs).encode()).decode(),
        "MY__AF": "0.25,0.5",
        "MY__FILTERS": "AC0|RF",
        "MY__IND": "a:1,b:2",
        "FLAG": True,
    }
    header_text = "\n".join(
        [
            "##fileformat=VCFv4.2",
            '##INFO=<ID=CLINVARJSON,Number=1,Type=String,Description="x">',
            '##INFO=<ID=MY__AF,Number=A,Type=Float,Description="x">',
            '##INFO=<ID=MY__FILTERS,Number=1,Type=String,Description="x">',
            '##INFO=<ID=MY__IND,Number=1,Type=String,Description="x">',
            '##INFO=<ID=FLAG,Number=0,Type=Flag,Description="x">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
            "",
        ]
    )
    config = AnnotationConfig(
        [
            {"name": "clinvarjson", "converter_config": {"elements": [{"source": "CLINVARJSON"}]}},
            {
                "name": "keyvalue",
                "converter_config": {
                    "elements": [
                        {"source": "MY__AF", "target": "frequencies.MY.freq.G", "target_type": "float"},
                        {"source": "MY__FILTERS", "target": "frequencies.MY.filter.G", "split": "|"},
                        {"source": "FLAG", "target": "flags.flag"},
                        {"source": "ABSENT", "target": "never.here"},
                    ]
                },
            },
            {
                "name": "mapping",
                "converter_config": {"elements": [{"source": "MY__IND", "target": "x.ind", "target_type": "int"}]},
            },
            {"name": "somethingelse", "converter_config": {"elements": []}},
        ]
    )
    path = tmp_path / "h.vcf"
    path.write_text(header_text)
    with VcfReader(path) as vcf:
        mapper = config.mapper(vcf.header)
    ann = mapper.annotate(info)
    assert ann["external"]["CLINVAR"] == hgvs
    assert "references" not in ann  # ELLA's clinvarjson gives none: the clinvarreferences converter does
    assert ann["frequencies"]["MY"] == {"freq": {"G": 0.25}, "filter": {"G": ["AC0", "RF"]}}
    assert ann["flags"] == {"flag": True} and ann["x"] == {"ind": {"a": 1, "b": 2}} and "never" not in ann
    assert config.unsupported == ["somethingelse"]
    with pytest.raises(ValueError, match=r"MY__AF=.high. is not of the configured type"):
        mapper.annotate({"MY__AF": "high"})


def test_default_config_reads_testanalysis_info():
    path = UPSTREAM / "analyses" / "TestAnalysis-001" / "TestAnalysis-001.vcf"
    with VcfReader(path) as vcf:
        mapper = default_config().mapper(vcf.header)
        first = next(iter(vcf))
    ann = mapper.annotate(parse_info(first.info))
    assert ann["frequencies"]["ExAC"]["freq"]["G"] == pytest.approx(0.001065)
    assert {t["transcript"] for t in ann["transcripts"]} >= {"NM_000059.3", "ENST00000380152"}
    assert "CSQ" in mapper.used_sources and "EXAC__AC_SAS" in mapper.used_sources


def test_ped_with_two_fathers_is_refused(tmp_path):
    """ELLA's SampleImporter: "An analysis' family can only have one father." (and mother)."""
    ped = vcfgen.write_ped_rows(
        tmp_path / "f.ped",
        [
            ("F", "P", "D1", "M", "1", "2", "1"),
            ("F", "S", "D2", "M", "2", "1", "0"),
            ("F", "D1", "0", "0", "1", "1", "0"),
            ("F", "D2", "0", "0", "1", "1", "0"),
            ("F", "M", "0", "0", "2", "1", "0"),
        ],
    )
    with pytest.raises(InputError, match="one father per family, found D1, D2"):
        af.parse_ped(ped)
