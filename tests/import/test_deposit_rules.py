"""A user group's ``deposit.analysis`` rule at import: which rule applies, prefilters end to end,
postprocessors (each as ELLA's tests exercise them), and bad rules refused with the database unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from ella_app.config.loader import load_config_file
from ella_app.db.models import Allele, Analysis, AnalysisInterpretation, UserGroup
from ella_app.db.session import transaction
from ella_app.services import import_postprocess as post
from ella_app.services.watcher import AnalysisWatcher
from tests.api.factories import classify, make_filterconfig, make_group, make_user
from tests.conftest import EXAMPLE_CONFIG, UPSTREAM, Cli, table_snapshot
from tests.support import vcfgen

from .conftest import make_panel, query

TEST_ANALYSIS = UPSTREAM / "analyses" / "TestAnalysis-001"
HBOC = ("HBOC", "v1.0.0")


def app_config() -> dict[str, Any]:
    return load_config_file(EXAMPLE_CONFIG, {})


def add_group(db_url: str, name: str, rules: list[dict[str, Any]], *, filters: list[Any] | None = None) -> None:
    """A group with the HBOC panel, the deposit rules, a user and a default filter config."""
    with transaction(db_url) as session:
        group = make_group(session, name, [HBOC], {"deposit": {"analysis": rules}})
        make_user(session, f"user-{name}", group)
        make_filterconfig(session, f"Default {name}", filters or [], {group: 0})


def copy_test_analysis(tmp_path: Path, name: str = "TestAnalysis-001") -> Path:
    folder = tmp_path / name
    shutil.copytree(TEST_ANALYSIS, folder)
    if name != "TestAnalysis-001":
        doc = json.loads((folder / "TestAnalysis-001.analysis").read_text())
        doc["name"] = name
        (folder / "TestAnalysis-001.analysis").write_text(json.dumps(doc))
    return folder


@pytest.fixture
def pcli(cli: Cli, db_url: str) -> Cli:
    make_panel(db_url)
    return cli


# ------------------------------------------------------------------------------------------ which rule


def test_not_ready_comes_from_the_groups_postprocessor(pcli, db_url, tmp_path):
    """warnings.txt alone leaves the analysis in "Interpretation"; the group's analysis_not_ready_warnings
    puts an analysis whose name its pattern finds (``re.search``) in "Not ready"."""
    pcli.ok("deposit", "analysis", str(copy_test_analysis(tmp_path / "a")))
    add_group(db_url, "diag", [{"pattern": "HBOC-", "postprocess": ["analysis_not_ready_warnings"]}])
    result = pcli.ok("deposit", "analysis", str(copy_test_analysis(tmp_path / "b", "Diag-HBOC-2")), "--json").json()
    assert result["deposit_rule"] == "user group 'diag' config.deposit.analysis.0 (pattern 'HBOC-')"
    assert result["postprocessed"] == ["analysis_not_ready_warnings: Not ready: the analysis has warnings"]
    assert query(
        db_url,
        "SELECT a.name, i.workflow_status FROM analysisinterpretation i JOIN analysis a ON a.id = i.analysis_id "
        "ORDER BY a.name",
    ) == [("Diag-HBOC-2", "Not ready"), ("TestAnalysis-001", "Interpretation")]


def test_a_rule_of_a_group_without_the_analysis_panel_does_not_apply(pcli, db_url, tmp_path):
    with transaction(db_url) as session:
        make_group(session, "other", [], {"deposit": {"analysis": [{"pattern": ".*", "prefilters": [["MQ?"]]}]}})
    result = pcli.ok("deposit", "analysis", str(copy_test_analysis(tmp_path)), "--json").json()
    assert result["deposit_rule"] is None and result["variants"] == 6


def test_two_matching_rules_refuse_the_import_naming_both_groups(pcli, db_url, tmp_path):
    add_group(db_url, "diag", [{"pattern": "^Diag-"}])
    add_group(db_url, "research", [{"pattern": "nothing"}, {"pattern": "HBOC", "postprocess": []}])
    before = table_snapshot(db_url)
    result = pcli("deposit", "analysis", str(copy_test_analysis(tmp_path, "Diag-HBOC-3")))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "matches more than one deposit configuration" in message
    assert "user group 'diag' config.deposit.analysis.0 (pattern '^Diag-')" in message
    assert "user group 'research' config.deposit.analysis.1 (pattern 'HBOC')" in message
    assert table_snapshot(db_url) == before


def test_two_matching_rules_leave_the_folder_for_the_watcher(db_url, tmp_path):
    """As ELLA's watcher does with a failing analysis: nothing imported, the folder stays in incoming (here
    with ``<folder>.error`` saying why)."""
    make_panel(db_url)
    add_group(db_url, "diag", [{"pattern": "^Diag-"}])
    add_group(db_url, "research", [{"pattern": "HBOC"}])
    incoming, dest = tmp_path / "incoming", tmp_path / "imported"
    incoming.mkdir()
    dest.mkdir()
    folder = copy_test_analysis(incoming, "Diag-HBOC-4")
    [outcome] = AnalysisWatcher(db_url, incoming, dest, rescan_interval=0, app_config=app_config()).scan()
    assert outcome.status == "failed" and "user group 'research'" in outcome.message
    assert folder.is_dir() and not (dest / folder.name).exists()
    assert "matches more than one deposit configuration" in (incoming / "Diag-HBOC-4.error").read_text()
    assert query(db_url, "SELECT count(*) FROM analysis") == [(0,)]


def test_a_bad_rule_in_the_database_names_the_group_and_key(pcli, db_url, tmp_path):
    """A rule stored before it was checked (ELLA asserts at import): a clear error, nothing written."""
    add_group(db_url, "diag", [{"pattern": "HBOC", "prefilters": [["hi_frequency", "no_nearby_variant"]]}])
    before = table_snapshot(db_url)
    result = pcli("deposit", "analysis", str(copy_test_analysis(tmp_path, "Diag-HBOC-5")))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "user group 'diag', key 'config.deposit.analysis.0.prefilters.0.1': unknown prefilter" in message
    assert table_snapshot(db_url) == before


def test_postprocess_without_an_eligible_filter_config_is_refused(pcli, db_url, tmp_path):
    """ELLA: "Unable to find any valid filter configs" fails the import."""
    with transaction(db_url) as session:
        make_group(session, "diag", [HBOC], {"deposit": {"analysis": [{"pattern": "HBOC", "postprocess": []}]}})
        group = session.scalars(select(UserGroup).where(UserGroup.name == "diag")).one()
        group.config = {"deposit": {"analysis": [{"pattern": "HBOC", "postprocess": ["analysis_tag_all_classified"]}]}}
        make_filterconfig(
            session, "Singles only", [], {group: 0}, [{"function": "analysis", "params": {"is_single": True}}]
        )
    before = table_snapshot(db_url)
    result = pcli("deposit", "analysis", str(copy_test_analysis(tmp_path, "Diag-HBOC-6")))
    assert result.exit_code == 3 and "no active filter config whose requirements" in result.stderr
    assert table_snapshot(db_url) == before


# ------------------------------------------------------------------------------------------ prefilters


def test_prefilters_leave_out_frequent_unclassified_lone_variants(pcli, db_url, tmp_path):
    """End to end: the rule's prefilters at import (the records ELLA's prefilter example keeps)."""
    high = {"GNOMAD_GENOMES__AF": "0.3", "GNOMAD_GENOMES__AN": "30000"}
    variants = [
        {"CHROM": "13", "POS": 32890600, "INFO": high},  # frequent, alone: left out
        {"CHROM": "13", "POS": 32890700, "INFO": high},  # frequent but classified: kept
        {"CHROM": "13", "POS": 32890800, "INFO": high},  # frequent, but 32890802 is near: kept
        {"CHROM": "13", "POS": 32890802, "INFO": {}},
        {"CHROM": "13", "POS": 32890900, "INFO": {"MQ": "10"}},  # low mapping quality: left out
    ]
    folder = tmp_path / "Diag-HBOC-7"
    folder.mkdir()
    vcfgen.mock_vcf(folder / "Diag-HBOC-7.HBOC_v1.0.0.vcf", ["S1"], variants)
    rules = [{"pattern": "^Diag-", "prefilters": [["hi_frequency", "position_not_nearby", "no_classification"]]}]
    rules[0]["prefilters"].append(["low_mapping_quality"])
    add_group(db_url, "diag", rules)
    with transaction(db_url) as session:
        allele = Allele(
            chromosome="13",
            start_position=32890699,
            open_end_position=32890700,
            change_from="A",
            change_to="C",
            change_type="SNP",
            vcf_pos=32890700,
            vcf_ref="A",
            vcf_alt="C",
            length=1,
        )
        session.add(allele)
        session.flush()
        user = make_user(session, "classifier", session.scalars(select(UserGroup)).one())
        classify(session, allele, user, "2", panel=HBOC, days_ago=5000)  # any classification counts, even old
    vcf = folder / "Diag-HBOC-7.HBOC_v1.0.0.vcf"
    result = pcli.ok("deposit", "analysis", str(vcf), "--json").json()
    assert result["records"] == 5 and result["variants"] == 3 and result["prefiltered"] == 2
    kept = query(db_url, "SELECT a.vcf_pos FROM genotype g JOIN allele a ON a.id = g.allele_id ORDER BY 1")
    assert kept == [(32890700,), (32890800,), (32890802,)]


# ------------------------------------------------------------------------------------------ postprocessors


def _imported(db_url: str, tmp_path: Path, filters: list[Any] | None = None) -> tuple[int, int]:
    """TestAnalysis-001 imported (no rule) and a group "diag" with a default filter config: (analysis id,
    group id)."""
    make_panel(db_url)
    add_group(db_url, "diag", [], filters=filters)
    from ella_app.services.importer import import_analysis

    with transaction(db_url) as session:
        extra = import_analysis(session, copy_test_analysis(tmp_path), app_config=app_config()).extra
        group_id = session.scalars(select(UserGroup.id).where(UserGroup.name == "diag")).one()
    return extra["analysis_id"], group_id


def _run(db_url: str, analysis_id: int, group_id: int, name: str, sql: list[str] = ()) -> AnalysisInterpretation:
    """Apply the SQL, run one postprocessor, commit, return the round as stored."""
    with transaction(db_url) as session:
        for statement in sql:
            session.execute(text(statement), {"a": analysis_id})
        analysis = session.get(Analysis, analysis_id)
        interpretation = session.scalars(
            select(AnalysisInterpretation).where(AnalysisInterpretation.analysis_id == analysis_id)
        ).one()
        work = post.prepare(session, group_id, analysis, interpretation, app_config())
        post.POSTPROCESSORS[name](work)
    with transaction(db_url) as session:
        stored = session.scalars(
            select(AnalysisInterpretation).where(AnalysisInterpretation.analysis_id == analysis_id)
        ).one()
        session.expunge(stored)
    return stored


GENOTYPES_OF = "SELECT g.id FROM genotype g JOIN sample s ON s.id = g.sample_id WHERE s.analysis_id = :a"


def test_analysis_not_ready_warnings(db_url, tmp_path):
    """Mirrors ELLA src/vardb/deposit/tests/test_postprocessors.py::TestPostprocessors::
    test_analysis_not_ready_warnings: with every genotype made good (SNP, PASS, depth and quality 1000) it stays
    in "Interpretation"; warnings make it "Not ready"; without warnings a FILTER other than PASS does too."""
    analysis_id, group_id = _imported(db_url, tmp_path)
    good = [
        "UPDATE analysis SET warnings = '' WHERE id = :a",
        "UPDATE allele SET change_type = 'SNP' "
        f"WHERE id IN (SELECT allele_id FROM genotype WHERE id IN ({GENOTYPES_OF}))",
        "UPDATE genotypesampledata SET type = 'Reference', sequencing_depth = 1000 "
        f"WHERE genotype_id IN ({GENOTYPES_OF})",
        f"UPDATE genotype SET variant_quality = 1000, filter_status = 'PASS' WHERE id IN ({GENOTYPES_OF})",
    ]
    assert _run(db_url, analysis_id, group_id, "analysis_not_ready_warnings", good).workflow_status == "Interpretation"
    warn = ["UPDATE analysis SET warnings = 'WARNING!' WHERE id = :a"]
    assert _run(db_url, analysis_id, group_id, "analysis_not_ready_warnings", warn).workflow_status == "Not ready"
    back = [
        "UPDATE analysis SET warnings = '' WHERE id = :a",
        "UPDATE analysisinterpretation SET workflow_status = 'Interpretation' WHERE analysis_id = :a",
    ]
    assert _run(db_url, analysis_id, group_id, "analysis_not_ready_warnings", back).workflow_status == "Interpretation"
    fail = [f"UPDATE genotype SET filter_status = 'FAIL' WHERE id IN ({GENOTYPES_OF})"]
    assert _run(db_url, analysis_id, group_id, "analysis_not_ready_warnings", fail).workflow_status == "Not ready"


@pytest.mark.parametrize(
    ("change", "needs"),
    [
        ({}, False),
        ({"change_type": "del"}, True),
        ({"filter_status": "LowQual"}, True),
        ({"sequencing_depth": 19}, True),
        ({"sequencing_depth": None}, True),
        ({"allele_depth": {"REF (A)": 80, "G": 20}}, True),  # heterozygous at 0.2
        ({"genotype_type": "Homozygous", "allele_depth": {"REF (A)": 5, "G": 95}}, False),
        ({"genotype_type": "Homozygous", "allele_depth": {"REF (A)": 20, "G": 80}}, True),
        ({"allele_depth": {}}, True),  # no ratio for a heterozygous call
        ({"sample_type": "Sanger", "filter_status": "LowQual"}, False),
    ],
)
def test_needs_verification_is_ellas_qc(change, needs):
    """ELLA src/datalayer/alleledataloader/calculate_qc.py: SNP, PASS, depth ≥ 20, ratio per genotype type."""
    call = {
        "change_type": "SNP",
        "vcf_alt": "G",
        "sample_type": "HTS",
        "filter_status": "PASS",
        "genotype_type": "Heterozygous",
        "sequencing_depth": 40,
        "allele_depth": {"REF (A)": 20, "G": 20},
    }
    assert post.needs_verification(**{**call, **change}) is needs


def test_analysis_finalize_without_findings(db_url, tmp_path):
    """Mirrors ELLA src/vardb/deposit/tests/test_postprocessors.py::TestPostprocessors::
    test_analysis_finalize_without_findings: not with warnings, not while a shown variant lacks a
    classification; finalized once all are class 1 and the warnings are gone."""
    analysis_id, group_id = _imported(db_url, tmp_path)
    warn = ["UPDATE analysis SET warnings = 'WARNING' WHERE id = :a"]
    assert _run(db_url, analysis_id, group_id, "analysis_finalize_without_findings", warn).finalized is None
    with transaction(db_url) as session:
        user = make_user(session, "classifier", session.get(UserGroup, group_id))
        for allele in session.scalars(select(Allele)):
            classify(session, allele, user, "1", panel=HBOC)
    assert _run(db_url, analysis_id, group_id, "analysis_finalize_without_findings").finalized is None
    clear = ["UPDATE analysis SET warnings = '' WHERE id = :a"]
    done = _run(db_url, analysis_id, group_id, "analysis_finalize_without_findings", clear)
    assert done.finalized is True and done.status == "Done" and done.state["filterconfig_id"] > 0
    assert query(db_url, "SELECT count(*) FROM analysisinterpretationsnapshot") == [(6,)]
    assert query(db_url, "SELECT message FROM interpretationlog WHERE message IS NOT NULL") == [
        (post.NO_FINDINGS_MESSAGE,)
    ]


def test_a_finding_or_an_outdated_classification_keeps_the_analysis_open(db_url, tmp_path):
    analysis_id, group_id = _imported(db_url, tmp_path)
    with transaction(db_url) as session:
        user = make_user(session, "classifier", session.get(UserGroup, group_id))
        alleles = list(session.scalars(select(Allele).order_by(Allele.vcf_pos)))
        for allele in alleles[1:]:
            classify(session, allele, user, "2", panel=HBOC)
        classify(session, alleles[0], user, "4", panel=HBOC)  # include_analysis_with_findings
    clear = ["UPDATE analysis SET warnings = NULL WHERE id = :a"]
    assert _run(db_url, analysis_id, group_id, "analysis_finalize_without_findings", clear).finalized is None
    with transaction(db_url) as session:
        classify(
            session, session.get(Allele, alleles[0].id), session.get(type(user), user.id), "1", panel=HBOC, days_ago=181
        )  # class 1 is outdated after 180 days
    assert _run(db_url, analysis_id, group_id, "analysis_finalize_without_findings").finalized is None


def test_analysis_tag_all_classified(db_url, tmp_path):
    """Mirrors ELLA src/vardb/deposit/tests/test_postprocessors.py::TestPostprocessors::
    test_analysis_tag_all_classified: "ALL CLASSIFIED" once every shown variant is class 5, "NO VARIANTS"
    when the shown variants' genotypes are gone."""
    analysis_id, group_id = _imported(db_url, tmp_path)
    with transaction(db_url) as session:
        user = make_user(session, "classifier", session.get(UserGroup, group_id))
        for allele in session.scalars(select(Allele)):
            classify(session, allele, user, "5", panel=HBOC)
    _run(db_url, analysis_id, group_id, "analysis_tag_all_classified", ["DELETE FROM interpretationlog"])
    assert query(db_url, "SELECT review_comment FROM interpretationlog") == [("ALL CLASSIFIED",)]
    gone = ["DELETE FROM interpretationlog", f"DELETE FROM genotype WHERE id IN ({GENOTYPES_OF})"]
    _run(db_url, analysis_id, group_id, "analysis_tag_all_classified", gone)
    assert query(db_url, "SELECT review_comment FROM interpretationlog") == [("NO VARIANTS",)]


def test_postprocessors_use_the_groups_default_filter_config(pcli, db_url, tmp_path):
    """Only the variants the default filter config shows count: with a gene filter that hides BRCA2, nothing
    is shown, so the analysis is tagged "NO VARIANTS" and finalized at import (no warnings)."""
    rules = [{"pattern": "Diag", "postprocess": ["analysis_tag_all_classified", "analysis_finalize_without_findings"]}]
    add_group(db_url, "diag", rules, filters=[{"name": "gene", "config": {"genes": [1101], "inverse": False}}])
    folder = copy_test_analysis(tmp_path, "Diag-8")
    (folder / "warnings.txt").unlink()
    result = pcli.ok("deposit", "analysis", str(folder), "--json").json()
    assert result["postprocessed"] == [
        "analysis_tag_all_classified: tagged NO VARIANTS",
        "analysis_finalize_without_findings: finalized: no findings",
    ]
    assert query(db_url, "SELECT status, finalized FROM analysisinterpretation") == [("Done", True)]
    assert query(db_url, "SELECT count(*) FROM analysisinterpretationsnapshot WHERE filtered = 'gene'") == [(6,)]


# ------------------------------------------------------------------------------------------ users add_groups


def _groups_file(tmp_path: Path, rule: dict[str, Any]) -> Path:
    path = tmp_path / "usergroups.json"
    doc = [{"name": "diag", "genepanels": [["HBOC", "v1.0.0"]], "config": {"deposit": {"analysis": [rule]}}}]
    path.write_text(json.dumps(doc, indent=2))
    return path


@pytest.mark.parametrize(
    ("rule", "key", "problem"),
    [
        (
            {"pattern": "x", "prefilters": [["no_nearby_variant"]]},
            "prefilters.0.0",
            "'no_nearby_variant' is not one of",
        ),
        ({"pattern": "x", "prefilters": [["hi_frequency"], []]}, "prefilters.1", "should be non-empty"),
        ({"pattern": "x", "postprocess": ["analysis_not_ready"]}, "postprocess.0", "'analysis_not_ready' is not one"),
        ({"pattern": "(x"}, "pattern", "invalid regular expression"),
    ],
)
def test_add_groups_refuses_a_bad_deposit_rule(pcli, db_url, tmp_path, rule, key, problem):
    before = table_snapshot(db_url)
    path = _groups_file(tmp_path, rule)
    result = pcli("users", "add_groups", str(path))
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"{path}, line 2, key '0.config.deposit.analysis.0.{key}'" in message and problem in message, message
    assert table_snapshot(db_url) == before


def test_add_groups_accepts_ellas_documented_prefilter_key_with_a_warning(pcli, db_url, tmp_path):
    """ELLA's docs say ``prefilter``; its code reads ``prefilters`` and ignores ``prefilter``: accepted as
    ELLA does, with a warning that it does nothing."""
    path = _groups_file(tmp_path, {"pattern": "^Diag", "prefilter": True})
    result = pcli.ok("users", "add_groups", str(path), "--json").json()
    assert result["created"] == 1
    [warning] = result["messages"]
    assert "key '0.config.deposit.analysis.0.prefilter': ignored, as by ELLA" in warning and "'prefilters'" in warning
    assert "ignored, as by ELLA" in pcli.ok("users", "add_groups", str(path)).stdout


def test_the_schema_and_the_importer_know_the_same_names():
    from ella_app.formats.jsonfile import load_schema
    from ella_app.services.import_prefilters import POSTPROCESSORS, PREFILTERS

    rule = load_schema("usergroups.json")["$defs"]["config"]["properties"]["deposit"]["properties"]["analysis"]
    properties = rule["items"]["properties"]
    assert tuple(properties["prefilters"]["items"]["items"]["enum"]) == PREFILTERS
    assert tuple(properties["postprocess"]["items"]["enum"]) == POSTPROCESSORS
