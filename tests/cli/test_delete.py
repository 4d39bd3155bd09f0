"""``ella-cli delete analysis ID``: cascade as in ELLA, assessments kept with analysis_id NULL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    AlleleReport,
    Analysis,
    AnalysisInterpretation,
    AnalysisInterpretationSnapshot,
    Gene,
    GeneAssessment,
    GenePanel,
    Genotype,
    GenotypeSampleData,
    InterpretationLog,
    InterpretationStateHistory,
    Reference,
    ReferenceAssessment,
    Sample,
    User,
    UserGroup,
)
from ella_app.security.passwords import EXPIRED
from tests.conftest import table_snapshot

PANEL = {"genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}


def build_analysis(session: Session, name: str, allele: Allele, user: User) -> int:
    analysis = Analysis(name=name, **PANEL)
    session.add(analysis)
    session.flush()
    proband = Sample(identifier=f"{name}-P", analysis_id=analysis.id, proband=True, affected=True)
    father = Sample(identifier=f"{name}-F", analysis_id=analysis.id, proband=False)
    session.add_all([proband, father])
    session.flush()
    proband.father_id = father.id
    genotype = Genotype(allele_id=allele.id, sample_id=proband.id)
    session.add(genotype)
    session.flush()
    session.add(GenotypeSampleData(genotype_id=genotype.id, sample_id=proband.id, type="Heterozygous"))
    interpretation = AnalysisInterpretation(analysis_id=analysis.id, user_id=user.id, **PANEL)
    session.add(interpretation)
    session.flush()
    session.add_all(
        [
            AnalysisInterpretationSnapshot(analysisinterpretation_id=interpretation.id, allele_id=allele.id),
            InterpretationStateHistory(analysisinterpretation_id=interpretation.id, state={"x": 1}),
            InterpretationLog(analysis_id=analysis.id, message="looked at it", user_id=user.id),
        ]
    )
    session.flush()
    return analysis.id


def build_world(db_url: str) -> dict[str, Any]:
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        session.add(GenePanel(name="HBOC", version="v1.0.0"))
        session.add(Gene(hgnc_id=1101, hgnc_symbol="BRCA2"))
        group = UserGroup(name="testgroup01", config={})
        session.add(group)
        session.flush()
        user = User(
            username="testuser1", first_name="A", last_name="B", group_id=group.id,
            password="x", password_expiry=EXPIRED, config={},
        )  # fmt: skip
        allele = Allele(
            chromosome="13", start_position=32890571, open_end_position=32890572, change_from="G",
            change_to="A", change_type="SNP", vcf_pos=32890572, vcf_ref="G", vcf_alt="A", length=1,
        )  # fmt: skip
        reference = Reference(pubmed_id=8896564, title="t")
        session.add_all([user, allele, reference])
        session.flush()
        doomed = build_analysis(session, "Diag-excap01-HBOC", allele, user)
        other = build_analysis(session, "Diag-excap02-HBOC", allele, user)
        common = {"user_id": user.id, "usergroup_id": group.id, "analysis_id": doomed}
        assessment = AlleleAssessment(allele_id=allele.id, classification="5", **common, **PANEL)
        session.add(assessment)
        session.flush()
        session.add_all(
            [
                AlleleReport(allele_id=allele.id, alleleassessment_id=assessment.id, **common),
                ReferenceAssessment(allele_id=allele.id, reference_id=reference.id, **common, **PANEL),
                GeneAssessment(gene_id=1101, **common, **PANEL),
            ]
        )
        ids = {"doomed": doomed, "other": other, "allele": allele.id}
    engine.dispose()
    return ids


def counts(db_url: str) -> dict[str, Any]:
    engine = create_engine(db_url)
    models = (
        Analysis, Sample, Genotype, GenotypeSampleData, AnalysisInterpretation, AnalysisInterpretationSnapshot,
        InterpretationStateHistory, InterpretationLog, AlleleAssessment, AlleleReport, ReferenceAssessment,
        GeneAssessment, Allele,
    )  # fmt: skip
    with Session(engine) as session:
        result = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in models}
        result["linked assessments"] = session.scalar(
            select(func.count()).select_from(AlleleAssessment).where(AlleleAssessment.analysis_id.is_not(None))
        )
    engine.dispose()
    return result


def test_delete_analysis_cascades_and_keeps_assessments(cli, db_url):
    ids = build_world(db_url)
    before = counts(db_url)
    result = cli.ok("delete", "analysis", str(ids["doomed"]), "--force", "--reason", "test run", "--json").json()
    assert result["changed"] is True and result["deleted"] == 1
    assert result["names"]["deleted"] == ["Diag-excap01-HBOC"]
    assert (result["samples"], result["interpretations"], result["assessments_kept"]) == (2, 1, 4)
    after = counts(db_url)
    for table in ("analysis", "analysisinterpretation", "analysisinterpretationsnapshot", "interpretationlog"):
        assert after[table] == before[table] - 1, table
    assert after["sample"] == before["sample"] - 2
    assert after["genotype"] == before["genotype"] - 1
    assert after["genotypesampledata"] == before["genotypesampledata"] - 1
    assert after["interpretationstatehistory"] == before["interpretationstatehistory"] - 1
    for table in ("alleleassessment", "allelereport", "referenceassessment", "geneassessment", "allele"):
        assert after[table] == before[table], f"{table} rows must be kept"
    assert after["linked assessments"] == 0, "kept assessments point to no analysis"

    engine = create_engine(db_url)
    with engine.connect() as conn:
        remaining = conn.execute(text("SELECT name FROM analysis")).scalars().all()
        log = conn.execute(text("SELECT command, reason, output FROM clilog")).one()
    engine.dispose()
    assert remaining == ["Diag-excap02-HBOC"]
    assert log.command == "analysis" and log.reason == "test run" and "Diag-excap01-HBOC" in log.output

    again = cli("delete", "analysis", str(ids["doomed"]), "--force")
    assert again.exit_code == 4 and f"no analysis with id {ids['doomed']}" in again.stderr


def test_delete_needs_the_typed_name(cli, db_url):
    ids = build_world(db_url)
    before = table_snapshot(db_url)
    for answer in ("y\n", "yes\n", "\n", "Diag-excap02-HBOC\n"):
        refused = cli("delete", "analysis", str(ids["doomed"]), input=answer)
        assert refused.exit_code == 1 and "nothing was deleted" in refused.stderr
        assert "2 sample(s)" in refused.stderr and "4 assessment(s)/report(s) are kept" in refused.stderr
    assert table_snapshot(db_url) == before
    done = cli.ok("delete", "analysis", str(ids["doomed"]), input="Diag-excap01-HBOC\n")
    assert "analysis: 1 deleted (Diag-excap01-HBOC)" in done.stdout
    assert counts(db_url)["analysis"] == 1


def test_delete_unknown_analysis(cli, db_url):
    result = cli("delete", "analysis", "999", "--force")
    assert result.exit_code == 4 and "no analysis with id 999" in result.stderr
    assert cli("delete", "analysis", "abc").exit_code == 2
