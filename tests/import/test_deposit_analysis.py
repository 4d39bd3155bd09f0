"""``ella-cli deposit analysis``: the real TestAnalysis-001 trio, folder forms, duplicates, shared alleles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import UPSTREAM, Cli
from tests.support import vcfgen

from .conftest import count, make_panel, query

TEST_ANALYSIS = UPSTREAM / "analyses" / "TestAnalysis-001"


@pytest.fixture
def pcli(cli: Cli, db_url: str) -> Cli:
    make_panel(db_url)
    return cli


def test_testanalysis_001_imports_with_samples_genotypes_and_proband(pcli, db_url):
    result = pcli.ok("deposit", "analysis", str(TEST_ANALYSIS), "--json").json()
    assert result["changed"] is True and result["created"] == 1
    assert result["variants"] == 6 and result["alleles_created"] == 6 and result["form"] == "legacy-analysis-file"
    assert result["proband"] == ["TestSample-001"]

    [(analysis_id, name, panel, version, report, warnings)] = query(
        db_url, "SELECT id, name, genepanel_name, genepanel_version, report, warnings FROM analysis"
    )
    assert (name, panel, version) == ("TestAnalysis-001", "HBOC", "v1.0.0")
    assert "This is the analysis report" in report and "accumulated warnings" in warnings

    samples = query(
        db_url,
        "SELECT s.identifier, s.proband, s.sex, s.affected, s.family_id, f.identifier, m.identifier "
        "FROM sample s LEFT JOIN sample f ON f.id = s.father_id LEFT JOIN sample m ON m.id = s.mother_id "
        "ORDER BY s.identifier",
    )
    assert samples == [
        ("TestSample-001", True, "Male", True, "TestFam", "TestSample-002", "TestSample-003"),
        ("TestSample-002", False, "Male", False, "TestFam", None, None),
        ("TestSample-003", False, "Female", False, "TestFam", None, None),
    ]
    # one genotype per variant, on the proband; sample data for all three
    genotypes = query(
        db_url,
        "SELECT s.identifier, count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id GROUP BY 1",
    )
    assert genotypes == [("TestSample-001", 6)]
    gsd = query(
        db_url,
        "SELECT d.type, d.genotype_quality, d.sequencing_depth, d.allele_depth, "
        "round(d.allele_ratio::numeric, 3)::float, d.genotype_likelihood "
        "FROM genotypesampledata d JOIN genotype g ON g.id = d.genotype_id "
        "JOIN allele a ON a.id = g.allele_id WHERE a.vcf_pos = 32890607 ORDER BY d.sample_id",
    )
    assert len(gsd) == 3
    # ELLA's allele depth keys: "REF (<REF>)" and the ALT itself
    assert gsd[0] == ("Heterozygous", 99, 187, {"REF (G)": 107, "T": 80}, 0.428, [2048, 0, 2917])
    alleles = query(
        db_url,
        "SELECT chromosome, vcf_pos, vcf_ref, vcf_alt, start_position, open_end_position, change_from, change_to, "
        "change_type FROM allele ORDER BY vcf_pos",
    )
    assert ("13", 32890645, "GAC", "G", 32890645, 32890647, "AC", "", "del") in alleles
    assert ("13", 32890607, "G", "T", 32890606, 32890607, "G", "T", "SNP") in alleles

    [(annotation,)] = query(
        db_url,
        "SELECT n.annotation FROM annotation n JOIN allele a ON a.id = n.allele_id WHERE a.vcf_pos = 32890607",
    )
    nm = next(t for t in annotation["transcripts"] if t["transcript"] == "NM_000059.3")
    assert nm["HGVSc_short"] == "c.10G>T" and nm["consequences"] == ["stop_gained"] and nm["HGVSp"] == "p.Gly4Ter"
    assert annotation["external"]["HGMD"] == {
        "acc_num": "CM082514",
        "disease": "Breast and/or ovarian cancer",
        "tag": "DM",
    }
    assert annotation["external"]["CLINVAR_VCF"]["clnsig"] == ["1"]
    [(first,)] = query(
        db_url,
        "SELECT n.annotation FROM annotation n JOIN allele a ON a.id = n.allele_id WHERE a.vcf_pos = 32893344",
    )
    assert first["frequencies"]["ExAC"]["count"]["G"] == 131 and first["frequencies"]["ExAC"]["num"]["SAS"] == 16622

    [(status, workflow_status)] = query(db_url, "SELECT status, workflow_status FROM analysisinterpretation")
    # warnings.txt alone does not make it "Not ready": only a group's analysis_not_ready_warnings does (ELLA)
    assert status == "Not started" and workflow_status == "Interpretation"
    assert query(db_url, "SELECT priority FROM interpretationlog WHERE analysis_id = :a", a=analysis_id) == [(1,)]
    assert query(db_url, "SELECT command FROM clilog") == [("analysis",)]
    # the source folder is left where it was
    assert (TEST_ANALYSIS / "READY").exists()


def test_duplicate_import_is_refused_and_skip_existing_is_a_noop(pcli, db_url):
    pcli.ok("deposit", "analysis", str(TEST_ANALYSIS))
    again = pcli("deposit", "analysis", str(TEST_ANALYSIS))
    assert again.exit_code == 5 and "Analysis TestAnalysis-001 is already imported" in again.stderr
    skipped = pcli.ok("deposit", "analysis", str(TEST_ANALYSIS), "--skip-existing", "--json").json()
    assert skipped["changed"] is False and skipped["unchanged"] == 1
    assert count(db_url, "analysis") == 1 and count(db_url, "genotype") == 6


def test_current_form_trio_filters_records_without_proband_alt(pcli, db_url, tmp_path):
    folder = vcfgen.write_analysis(tmp_path, "Trio-1", 200, trio=True, no_alt_every=4, gz=True)
    result = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert result["records"] == 200 and result["variants"] == 150 and result["skipped_no_proband_alt"] == 50
    assert result["samples"] == 3 and result["proband"] == ["PROBAND"] and result["form"] == "analysis-file"
    assert count(db_url, "genotype") == 150 and count(db_url, "genotypesampledata") == 450
    assert query(db_url, "SELECT date_requested::text FROM analysis") == [("2024-03-01",)]
    assert query(db_url, "SELECT priority FROM interpretationlog") == [(2,)]
    assert query(db_url, "SELECT workflow_status FROM analysisinterpretation") == [("Interpretation",)]
    # only the proband carries the genotypes; no genotype row has a non-ALT proband
    types = query(
        db_url,
        "SELECT DISTINCT d.type FROM genotypesampledata d JOIN genotype g ON g.id = d.genotype_id "
        "WHERE d.sample_id = g.sample_id",
    )
    assert {t for (t,) in types} <= {"Heterozygous", "Homozygous"}
    [(freq,)] = query(
        db_url,
        "SELECT n.annotation->'frequencies'->'GNOMAD_EXOMES'->'num'->>'NFE' FROM annotation n "
        "JOIN allele a ON a.id = n.allele_id WHERE a.vcf_pos = 100000 AND a.chromosome = '1'",
    )
    assert freq == "30000"


def test_folder_name_form_and_single_vcf_form(pcli, db_url, tmp_path):
    folder = vcfgen.write_analysis(tmp_path, "Diag-excap01-123.HBOC_v1.0.0", 30, form="folder-name")
    (folder / "tracks").mkdir()
    shutil.copy(next(folder.glob("*.vcf")), folder / "tracks" / "igv-track.vcf")  # IGV tracks are not data
    result = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert result["form"] == "folder-name" and result["variants"] == 30
    assert query(db_url, "SELECT name, genepanel_name, genepanel_version FROM analysis") == [
        ("Diag-excap01-123.HBOC_v1.0.0", "HBOC", "v1.0.0")
    ]
    vcf = tmp_path / "Diag-2-HBOC-v1.0.0.vcf"
    vcfgen.write_vcf(vcf, 30, ["S2"], seed=1)
    single = pcli.ok("deposit", "analysis", str(vcf), "--json").json()
    # the same variants: the alleles are shared, not duplicated
    assert single["form"] == "vcf" and single["alleles_created"] == 0 and single["alleles_existing"] == 30
    assert count(db_url, "allele") == 30 and count(db_url, "analysis") == 2 and count(db_url, "genotype") == 60


def test_annotation_is_versioned_only_when_it_changes(pcli, db_url, tmp_path):
    vcfgen.write_analysis(tmp_path / "a", "A-1", 20, seed=5)
    vcfgen.write_analysis(tmp_path / "b", "B-1", 20, seed=5)  # identical records and annotation
    pcli.ok("deposit", "analysis", str(tmp_path / "a" / "A-1"))
    same = pcli.ok("deposit", "analysis", str(tmp_path / "b" / "B-1"), "--json").json()
    assert same["annotations_created"] == 0 and same["annotations_superseded"] == 0
    # same variants, new annotation values (frequencies differ with the seed of the INFO generator)
    folder = tmp_path / "c" / "C-1"
    folder.mkdir(parents=True)
    lines_a = (tmp_path / "a" / "A-1" / "A-1.vcf").read_text().splitlines(keepends=True)
    changed = [ln.replace("GNOMAD_EXOMES__AN=250000", "GNOMAD_EXOMES__AN=260000") for ln in lines_a]
    (folder / "C-1.vcf").write_text("".join(changed))
    (folder / "C-1.analysis").write_text(
        '{"name": "C-1", "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "data": [{"vcf": "C-1.vcf"}]}'
    )
    new = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert new["annotations_created"] == 20 and new["annotations_superseded"] == 20
    assert count(db_url, "annotation") == 40
    current = query(
        db_url,
        "SELECT count(*), min((annotation->'frequencies'->'GNOMAD_EXOMES'->'num'->>'G')::int) FROM annotation "
        "WHERE date_superceeded IS NULL",
    )
    assert current == [(20, 260000)]
    assert query(db_url, "SELECT count(*) FROM annotation WHERE previous_annotation_id IS NOT NULL") == [(20,)]


def test_human_output_names_the_analysis(pcli, tmp_path: Path):
    folder = vcfgen.write_analysis(tmp_path, "Human-1", 5)
    out = pcli.ok("deposit", "analysis", str(folder)).stdout
    assert "Imported analysis Human-1" in out and "5 variants" in out


DEMO_ANALYSES = Path(__file__).resolve().parents[2] / "files" / "demo" / "analyses"
DEMO_PANEL = Path(__file__).resolve().parents[2] / "files" / "demo" / "fixtures" / "genepanels" / "HBOC_v1.0.0"


def test_demo_analyses_import_with_the_demo_panel(cli: Cli, db_url):
    if DEMO_PANEL.is_dir() and cli("deposit", "genepanel", "--help").exit_code == 0:
        cli.ok("deposit", "genepanel", "--folder", str(DEMO_PANEL))
    else:  # the panel deposit is not part of this tree yet
        make_panel(db_url)
    for folder in sorted(DEMO_ANALYSES.iterdir()):
        result = cli.ok("deposit", "analysis", str(folder), "--json").json()
        assert result["variants"] == 12, folder
    assert query(db_url, "SELECT name, genepanel_name FROM analysis ORDER BY name") == [
        ("Diag-demo01-0001.HBOC_v1.0.0", "HBOC"),
        ("Diag-demo02-0002", "HBOC"),
    ]
    assert count(db_url, "allele") == 12 and count(db_url, "sample") == 4


def test_a_single_sample_without_ped_is_an_affected_proband(cli: Cli, db_url):
    """Mirrors ELLA src/vardb/deposit/importers.py (SampleImporter.process): one sample and no .ped file make
    the sample the proband and affected; it has no family, sex or parents."""
    make_panel(db_url)
    folder = DEMO_ANALYSES / "Diag-demo01-0001.HBOC_v1.0.0"
    assert not list(folder.glob("*.ped"))
    cli.ok("deposit", "analysis", str(folder))
    assert query(db_url, "SELECT identifier, proband, affected, family_id, sex, father_id, mother_id FROM sample") == [
        ("DEMO-0001", True, True, None, None, None, None)
    ]


def test_several_vcfs_hts_and_sanger_in_one_analysis(pcli, db_url, tmp_path):
    folder = vcfgen.write_analysis(tmp_path, "Multi-2", 20, trio=True)
    trio_lines = [ln for ln in (folder / "Multi-2.vcf").read_text().splitlines() if not ln.startswith("#")]
    confirmed = ["\t".join(ln.split("\t")[:10]) for ln in trio_lines[:3]]  # three variants, proband only
    (folder / "sanger.vcf").write_text(vcfgen.header(["PROBAND"]) + "\n".join(confirmed) + "\n")
    doc = json.loads((folder / "Multi-2.analysis").read_text())
    doc["data"].append({"vcf": "sanger.vcf", "technology": "Sanger"})
    (folder / "Multi-2.analysis").write_text(json.dumps(doc))
    result = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert result["samples"] == 4 and result["proband"] == ["PROBAND", "PROBAND"]
    assert result["variants"] == 23 and result["alleles_created"] == 20 and result["alleles_existing"] == 3
    assert result["annotations_created"] == 20  # the Sanger records annotate the same alleles identically
    assert query(db_url, "SELECT sample_type, count(*) FROM sample GROUP BY 1 ORDER BY 1") == [
        ("HTS", 3),
        ("Sanger", 1),
    ]
    assert query(
        db_url,
        "SELECT s.sample_type, count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id GROUP BY 1 ORDER BY 1",
    ) == [("HTS", 20), ("Sanger", 3)]


def test_two_imports_in_one_transaction(db_url, tmp_path):
    from ella_app.db.session import transaction
    from ella_app.services.importer import import_analysis

    make_panel(db_url)
    first = vcfgen.write_analysis(tmp_path, "One-1", 10, seed=1)
    second = vcfgen.write_analysis(tmp_path, "Two-1", 10, seed=1)  # the same variants again
    with transaction(db_url) as session:
        assert import_analysis(session, first).extra["alleles_created"] == 10
        assert import_analysis(session, second).extra["alleles_existing"] == 10
    assert count(db_url, "analysis") == 2 and count(db_url, "allele") == 10 and count(db_url, "annotation") == 10


def test_analyses_list_shows_the_imported_analysis_and_its_round(pcli):
    assert pcli.ok("analyses", "list", "--json").json() == {"changed": False, "analyses": []}
    pcli.ok("deposit", "analysis", str(TEST_ANALYSIS), "--json")
    [row] = pcli.ok("analyses", "list", "--json").json()["analyses"]
    assert (row["name"], row["genepanel"], row["samples"]) == ("TestAnalysis-001", "HBOC_v1.0.0", 3)
    assert (row["workflow_status"], row["status"]) == ("Interpretation", "Not started")
    assert pcli.ok("analyses", "list", "--name", "nope", "--json").json()["analyses"] == []
    text = pcli.ok("analyses", "list").stdout
    assert "TestAnalysis-001\tHBOC_v1.0.0\t3\tInterpretation\tNot started" in text


def test_a_large_import_refreshes_the_planner_statistics(pcli, db_url, tmp_path):
    """After an import of thousands of variants the planner must know the new rows at once: with the statistics
    of the database before it, the side-list query of the new analysis picked nested sequential scans and ran
    for over 20 s (tests/e2e/test_variant_list.py timed out whenever autovacuum had not analyzed the tables
    yet). A small import leaves the statistics to autovacuum."""

    def analyzed() -> dict[str, object]:
        rows = query(
            db_url,
            "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY(:names)",
            names=["allele", "annotation", "genotype", "genotypesampledata"],
        )
        return dict(rows)

    small = vcfgen.write_analysis(tmp_path / "s", "Small-1", 50, seed=3)
    pcli.ok("deposit", "analysis", str(small), "--json")
    before = analyzed()
    folder = vcfgen.write_analysis(tmp_path / "l", "Large-1", 1500, seed=4)
    result = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert result["variants"] == 1500
    after = analyzed()
    assert set(after) == {"allele", "annotation", "genotype", "genotypesampledata"}
    assert all(after[t] is not None and after[t] != before.get(t) for t in after), (before, after)
    [(estimated,)] = query(db_url, "SELECT reltuples::int FROM pg_class WHERE relname = 'genotype'")
    assert estimated == count(db_url, "genotype") == 1550
