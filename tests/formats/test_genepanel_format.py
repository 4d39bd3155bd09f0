"""The gene panel TSV parser: ELLA's columns by name, comments, coordinates, and every bad-input class."""

from __future__ import annotations

from pathlib import Path

import pytest

from ella_app.errors import InputError, InputErrors
from ella_app.formats.genepanel import (
    find_panel_folders,
    read_panel_folder,
    read_phenotypes,
    read_transcripts,
    split_panel_name,
)
from tests.conftest import DEMO_FIXTURES

HEADER = (
    "#chromosome\tread start\tread end\tname\tstrand\tHGNC id\tHGNC symbol\tinheritance\t"
    "coding start\tcoding end\texon starts\texon ends"
)
BRCA2 = "13\t100\t900\tNM_000059.3\t+\t1101\tBRCA2\tAD\t150\t850\t100,400,800,\t200,500,900,"
PHENO_HEADER = "HGNC id\tHGNC symbol\tinheritance\tphenotype MIM number\tphenotype"


def write(tmp_path: Path, text: str, name: str = "x_genes_transcripts.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def transcripts(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    return write(tmp_path, "\n".join(["# a comment", header, *rows]) + "\n")


def error_of(fn, *args) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args)
    return info.value


# --- panel names and folders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basename", "expected"),
    [("HBOC_v1.0.0", ("HBOC", "v1.0.0")), ("Cardio_v2", ("Cardio", "v2")), ("A_vx_y", ("A", "vx_y"))],
)
def test_split_panel_name(basename, expected):
    assert split_panel_name(basename) == expected


@pytest.mark.parametrize("basename", ["HBOC", "HBOC_1.0.0", "HBOC_v", "_v1", "Cardio_Full_v1"])
def test_split_panel_name_refuses_bad_names(basename):
    error = error_of(split_panel_name, basename)
    assert "NAME_vVERSION" in error.message and basename in error.message


def test_demo_panels_parse():
    folders = find_panel_folders(DEMO_FIXTURES / "genepanels")
    panels = {p.key: p for p in map(read_panel_folder, folders)}
    assert set(panels) == {"HBOC_v1.0.0", "Cardio_v1.0.0", "Ciliopathy_v1.0.0"}
    brca2 = next(t for t in panels["HBOC_v1.0.0"].transcripts if t.name == "NM_000059.3")
    assert (brca2.chromosome, brca2.tx_start, brca2.tx_end, brca2.strand) == ("13", 32889616, 32973809, "+")
    assert len(brca2.exon_starts) == len(brca2.exon_ends) == 27
    assert brca2.hgnc_id == 1101 and brca2.inheritance == "AD"
    for panel in panels.values():
        assert panel.transcripts and panel.phenotypes
        assert {p.hgnc_id for p in panel.phenotypes} <= set(panel.genes())


def test_missing_files_and_folders(tmp_path):
    assert "not found" in error_of(read_panel_folder, tmp_path / "nope_v1").message
    folder = tmp_path / "HBOC_v1.0.0"
    folder.mkdir()
    (folder / "HBOC_v1.0.0_genes_transcripts.tsv").write_text(HEADER + "\n")
    error = error_of(read_panel_folder, folder)
    assert "HBOC_v1.0.0_phenotypes.tsv" in error.message and "file not found" in error.message
    assert "no gene panel folders" in error_of(find_panel_folders, tmp_path / "HBOC_v1.0.0").message


# --- transcripts file --------------------------------------------------------------------------------


def test_transcripts_by_header_name_with_extra_columns_and_trailing_commas(tmp_path):
    header = (
        "#chromosome\tread start\tread end\tname\tscore\tstrand\tHGNC symbol\tHGNC id\tinheritance\ttags\t"
        "coding start\tcoding end\texon starts\texon ends\tmetadata"
    )
    row = "17\t10\t90\tNM_007294.3\t0\t-\tBRCA1\t1100\tAD\tMANE Select,canonical\t20\t80\t10,50\t30,90\t{}"
    [record] = read_transcripts(transcripts(tmp_path, row, header=header))
    assert record.name == "NM_007294.3" and record.hgnc_id == 1100 and record.hgnc_symbol == "BRCA1"
    assert record.exon_starts == (10, 50) and record.exon_ends == (30, 90)
    assert record.tags == ("MANE Select", "canonical") and record.strand == "-"
    assert (record.cds_start, record.cds_end) == (20, 80)


def test_non_coding_transcript(tmp_path):
    row = "13\t100\t900\tNR_000001.1\t+\t1101\tBRCA2\tAD\t\t\t100,\t900,"
    [record] = read_transcripts(transcripts(tmp_path, row))
    assert record.cds_start is None and record.cds_end is None and record.tags == ()


def test_comments_and_blank_lines_are_skipped(tmp_path):
    path = write(tmp_path, f"# Gene panel: X\n\n{HEADER}\n# between\n{BRCA2}\n\n")
    assert [t.name for t in read_transcripts(path)] == ["NM_000059.3"]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (BRCA2.replace("\t100\t900\t", "\tabc\t900\t", 1), "read start", "'abc' is not an integer"),
        (BRCA2.replace("\t1101\t", "\tHGNC:1101\t"), "HGNC id", "not an integer"),
        (BRCA2.replace("\t+\t", "\tforward\t"), "strand", "not a strand"),
        (BRCA2.replace("100,400,800,", "100,4x0,800,"), "exon starts", "'4x0'"),
        (BRCA2.replace("100,400,800,", "100,400,"), "exon ends", "2 exon starts but 3 exon ends"),
        (BRCA2.replace("100,400,800,", "400,100,800,").replace("200,500,", "500,200,"), "exon starts", "sorted"),
        (BRCA2.replace("\t150\t850\t", "\t150\t\t"), "coding end", "both coding start and coding end"),
        (BRCA2.replace("\t150\t850\t", "\t850\t150\t"), "coding start", "after coding end"),
        (BRCA2.replace("\t150\t850\t", "\t50\t850\t"), "coding start", "outside the transcript"),
        (BRCA2.replace("\t100\t900\t", "\t900\t100\t", 1), "read start", "not below read end"),
        (BRCA2.replace("\tNM_000059.3\t", "\t\t"), "name", "empty value"),
        (BRCA2.replace("\t100\t900\t", "\t-5\t900\t", 1), "read start", "below 0"),
        (BRCA2.replace("\tAD\t", "\t\t"), "inheritance", "empty value"),
    ],
)
def test_bad_transcript_rows_name_file_line_and_column(tmp_path, row, column, words):
    path = transcripts(tmp_path, row)
    error = error_of(read_transcripts, path)
    assert (error.source, error.line, error.key) == (str(path), 3, column), error.message
    assert words in error.message and str(path) in error.message and "line 3" in error.message


def test_missing_column(tmp_path):
    path = transcripts(tmp_path, BRCA2, header=HEADER.replace("\texon ends", ""))
    error = error_of(read_transcripts, path)
    assert error.line == 2 and error.key == "exon ends" and "missing column" in error.message


def test_header_must_come_first(tmp_path):
    path = write(tmp_path, f"{BRCA2}\n{HEADER}\n")
    assert "before the header" in error_of(read_transcripts, path).message
    path = write(tmp_path, "# only comments\n")
    assert "no header line" in error_of(read_transcripts, path).message


def test_short_and_long_rows(tmp_path):
    short = "\t".join(BRCA2.split("\t")[:8])
    error = error_of(read_transcripts, transcripts(tmp_path, short))
    assert error.line == 3 and error.key == "coding start" and "missing" in error.message
    error = error_of(read_transcripts, transcripts(tmp_path, BRCA2 + "\textra"))
    assert error.line == 3 and "13 tab-separated columns" in error.message


def test_duplicate_transcript_and_inconsistent_symbol(tmp_path):
    error = error_of(read_transcripts, transcripts(tmp_path, BRCA2, BRCA2))
    assert error.line == 4 and error.key == "name" and "already on line 3" in error.message
    other = BRCA2.replace("NM_000059.3", "NM_000059.4").replace("\tBRCA2\t", "\tBRCA3\t")
    error = error_of(read_transcripts, transcripts(tmp_path, BRCA2, other))
    assert error.line == 4 and error.key == "HGNC symbol"


def test_all_row_problems_are_reported_at_once(tmp_path):
    bad1 = BRCA2.replace("\t+\t", "\t?\t")
    bad2 = BRCA2.replace("NM_000059.3", "NM_2").replace("\t1101\t", "\tx\t")
    with pytest.raises(InputErrors) as info:
        read_transcripts(transcripts(tmp_path, bad1, bad2))
    assert [(e.line, e.key) for e in info.value.errors] == [(3, "strand"), (4, "HGNC id")]
    assert "2 problem(s)" in info.value.message


# --- phenotypes file ---------------------------------------------------------------------------------


def test_phenotypes_defaults_and_deduplication(tmp_path):
    path = write(
        tmp_path,
        "\n".join(
            [
                "# comment",
                PHENO_HEADER + "\tPMID\tinheritance info\tcomment",
                "1101\tBRCA2\tAD\t612555\tBreast-ovarian cancer, familial, 2\t\t\t",
                "1101\tBRCA2\tAD\t612555\tBreast-ovarian cancer, familial, 2\t123\t\tagain",
                "1101\tBRCA2\t\t\tSomething without inheritance",
                "1101\tBRCA2\tAR\t605724\tBreast-ovarian cancer, familial, 2",
            ]
        ),
        "x_phenotypes.tsv",
    )
    records = read_phenotypes(path)
    assert [(r.inheritance, r.omim_id) for r in records] == [("AD", 612555), ("N/A", None), ("AR", 605724)]


def test_phenotype_header_may_carry_a_hash(tmp_path):
    path = write(tmp_path, f"#{PHENO_HEADER}\n1100\tBRCA1\tAD\t604370\tX\n", "x_phenotypes.tsv")
    assert read_phenotypes(path)[0].description == "X"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("BRCA1\tBRCA1\tAD\t604370\tX", "HGNC id"),
        ("1100\tBRCA1\tAD\tMIM:604370\tX", "phenotype MIM number"),
        ("1100\tBRCA1\tAD\t604370\t", "phenotype"),
    ],
)
def test_bad_phenotype_rows(tmp_path, row, column):
    path = write(tmp_path, f"{PHENO_HEADER}\n{row}\n", "x_phenotypes.tsv")
    error = error_of(read_phenotypes, path)
    assert (error.line, error.key) == (2, column)


def test_symbols_must_agree_between_files(tmp_path):
    folder = tmp_path / "P_v1"
    folder.mkdir()
    (folder / "P_v1_genes_transcripts.tsv").write_text(f"{HEADER}\n{BRCA2}\n")
    (folder / "P_v1_phenotypes.tsv").write_text(f"{PHENO_HEADER}\n1101\tBRCA1\tAD\t1\tX\n")
    error = error_of(read_panel_folder, folder)
    assert error.line == 2 and error.key == "HGNC symbol" and "P_v1_phenotypes.tsv" in error.message


def test_problems_in_both_files_are_reported_together(tmp_path):
    folder = tmp_path / "P_v1"
    folder.mkdir()
    (folder / "P_v1_genes_transcripts.tsv").write_text(f"{HEADER}\n{BRCA2.replace('+', '*')}\n")
    (folder / "P_v1_phenotypes.tsv").write_text("1101\n")
    with pytest.raises(InputErrors) as info:
        read_panel_folder(folder)
    sources = [Path(e.source).name for e in info.value.errors]
    assert sources == ["P_v1_genes_transcripts.tsv", "P_v1_phenotypes.tsv"]
