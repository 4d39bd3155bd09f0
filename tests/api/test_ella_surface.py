"""What ELLA's remaining client paths answer (issue 14): the work log edits, snapshots, the gene panels of a
variant, genes by variant, the variant of a variant-workflow round, users, user and analysis statistics, filter
configs, single reports and reference assessments, IGV's locus search and the dynamic tracks at ELLA's URLs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.db.models import Allele, AlleleReport, GeneAssessment, Reference, User
from tests.api.factories import (
    HBOC,
    Api,
    World,
    build_world,
    classify,
    copy_db,
    make_app,
    template_db,
)


def build(session: Any) -> World:
    world = build_world(session)
    allele = session.get(Allele, world.alleles["hboc_rare"])
    ada = session.get(User, world.users["ada"])
    assessment = classify(session, allele, ada, "4", panel=HBOC)
    report = AlleleReport(allele_id=allele.id, evaluation={"comment": "r"}, user_id=ada.id)
    reference = Reference(title="A study", pubmed_id=123)
    session.add_all([report, reference])
    session.add(
        GeneAssessment(
            gene_id=1101,
            evaluation={"comment": "BRCA2 note"},
            user_id=ada.id,
            genepanel_name="HBOC",
            genepanel_version="v1.0.0",
        )
    )
    session.flush()
    world.extra = {"assessment": assessment.id, "report": report.id, "reference": reference.id}
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


class Env:
    def __init__(self, app: Any, url: str, world: World) -> None:
        self.app, self.url, self.world = app, url, world
        self.ada = Api(app, url, world.users["ada"])
        self.bob = Api(app, url, world.users["bob"])
        self.cid = Api(app, url, world.users["cid"])
        self.allele = world.alleles["hboc_rare"]
        self.analysis = world.analyses["hboc"]
        self.variant_base = f"/api/v1/workflows/alleles/{self.allele}"
        self.analysis_base = f"/api/v1/workflows/analyses/{self.analysis}"

    def query(self, sql: str, **values: Any) -> list[tuple[Any, ...]]:
        engine = create_engine(self.url)
        with engine.begin() as conn:
            result = conn.execute(text(sql), values)
            rows = [tuple(r) for r in result] if result.returns_rows else []
        engine.dispose()
        return rows

    def start_variant(self, who: Api) -> int:
        response = who.post(f"{self.variant_base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"})
        assert response.status_code == 200, response.json
        return int(response.json["id"])

    def classify_variant(self, who: Api) -> None:
        body = {
            "allele_id": self.allele,
            "annotation_id": self.world.annotations[self.allele],
            "alleleassessment": {
                "classification": "5",
                "presented_alleleassessment_id": self.world.extra["assessment"],
            },
            "allelereport": {"evaluation": {"comment": "x"}, "presented_allelereport_id": self.world.extra["report"]},
        }
        response = who.post(f"{self.variant_base}/actions/finalizeallele/", json=body)
        assert response.status_code == 200, response.json


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        yield Env(make_app(url, tmp_path), url, world)


def _delete(api: Api, path: str) -> Any:
    return api.client.delete(path, headers={"X-CSRF-Token": api.csrf})


# ------------------------------------------------------------------------------------------ work log


@pytest.mark.parametrize("kind", ["alleles", "analyses"])
def test_work_log_entries_are_editable_in_the_latest_round_only(env, kind):
    """Mirrors ELLA src/api/tests/test_interpretationlog.py::test_allele_workflow and ::test_analyses_workflow:
    a message is editable by its author until the round ends; priority and review comments are not; a message
    written after the round is editable again."""
    base = env.variant_base if kind == "alleles" else env.analysis_base
    if kind == "alleles":
        env.start_variant(env.ada)
    else:
        assert env.ada.post(f"{base}/actions/start/").status_code == 200
    entry = env.ada.post(f"{base}/logs/", json={"message": "Message 1"}).json
    assert entry["editable"] is True
    edited = env.ada.patch(f"{base}/logs/{entry['id']}/", json={"message": "Message 1, edited"})
    assert edited.status_code == 200 and edited.json["message"] == "Message 1, edited"
    assert env.ada.get(f"{base}/logs/").json["logs"][-1]["message"] == "Message 1, edited"

    other = env.bob.patch(f"{base}/logs/{entry['id']}/", json={"message": "bob's words"})
    assert other.status_code == 403 and "author" in other.json["message"]
    assert env.bob.get(f"{base}/logs/").json["logs"][-1]["editable"] is False

    assert env.ada.post(f"{base}/actions/markreview/").status_code == 200  # the round ends
    assert env.ada.get(f"{base}/logs/").json["logs"][-1]["editable"] is False
    late = env.ada.patch(f"{base}/logs/{entry['id']}/", json={"message": "too late"})
    assert late.status_code == 409 and "latest interpretation round" in late.json["message"]
    assert _delete(env.ada, f"{base}/logs/{entry['id']}/").status_code == 409

    second = env.ada.post(f"{base}/logs/", json={"message": "Message 2"}).json
    assert second["editable"] is True
    comment = env.ada.post(f"{base}/logs/", json={"review_comment": "Review comment 1"}).json
    priority = env.ada.post(f"{base}/logs/", json={"priority": 2}).json
    assert comment["editable"] is False and priority["editable"] is False
    assert env.ada.patch(f"{base}/logs/{priority['id']}/", json={"message": "x"}).status_code == 409

    assert _delete(env.ada, f"{base}/logs/{second['id']}/").status_code == 200
    assert second["id"] not in [e["id"] for e in env.ada.get(f"{base}/logs/").json["logs"]]
    assert _delete(env.ada, f"{base}/logs/{second['id']}/").status_code == 404


def test_variant_message_before_the_first_round_belongs_to_it(env):
    """Mirrors ELLA src/api/tests/test_interpretationlog.py::test_allele_workflow's start: a message on a variant
    with no round yet is editable (ELLA creates the first round for it) until that round is finished."""
    allele = env.world.alleles["hboc_common"]
    assert env.query("SELECT id FROM alleleinterpretation WHERE allele_id = :a", a=allele) == []
    base = f"/api/v1/workflows/alleles/{allele}"
    entry = env.ada.post(f"{base}/logs/", json={"message": "Message 1"}).json
    assert entry["editable"] is True
    assert env.ada.patch(f"{base}/logs/{entry['id']}/", json={"message": "Message 1, edited"}).status_code == 200
    started = env.ada.post(f"{base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"})
    assert started.status_code == 200
    assert env.ada.get(f"{base}/logs/").json["logs"][-1]["editable"] is True
    assert env.ada.post(f"{base}/actions/markreview/").status_code == 200
    assert env.ada.get(f"{base}/logs/").json["logs"][-1]["editable"] is False
    assert env.ada.patch(f"{base}/logs/{entry['id']}/", json={"message": "late"}).status_code == 409


def test_warnings_are_cleared_for_analyses_only(env):
    """Mirrors ELLA src/api/tests/test_interpretationlog.py::test_allele_workflow ("Clear warning (not allowed for
    alleles)"): refused, here with a 422 naming the key."""
    refused = env.ada.post(f"{env.variant_base}/logs/", json={"warning_cleared": True})
    assert refused.status_code == 422 and "warning_cleared" in refused.json["message"]
    assert env.ada.post(f"{env.analysis_base}/logs/", json={"warning_cleared": True}).status_code == 201


def test_work_log_edits_need_a_message(env):
    entry = env.ada.post(f"{env.analysis_base}/logs/", json={"message": "m"}).json
    for body in ({}, {"message": 3}, {"message": "x", "priority": 1}):
        response = env.ada.patch(f"{env.analysis_base}/logs/{entry['id']}/", json=body)
        assert response.status_code == 422, body
    other_subject = f"/api/v1/workflows/analyses/{env.world.analyses['cilio']}/logs/{entry['id']}/"
    assert env.cid.patch(other_subject, json={"message": "x"}).status_code == 404


ELLA_USER_FIELDS = {
    "id",
    "username",
    "first_name",
    "last_name",
    "full_name",
    "abbrev_name",
    "active",
    "user_group_name",
}


def test_work_log_answers_its_entries_and_their_authors(env):
    """Mirrors ELLA src/api/tests/test_interpretationlog.py::check_latest_log (``get_json()["logs"]``) and
    ELLA's get_interpretationlog: ``{"logs": [...], "users": [...]}``, empty for a variant never worked on;
    authors as ELLA's user schema (group by name, no e-mail)."""
    untouched = f"/api/v1/workflows/alleles/{env.world.alleles['hboc_common']}/logs/"
    assert env.ada.get(untouched).json == {"logs": [], "users": []}

    assert env.bob.post(f"{env.analysis_base}/logs/", json={"message": "called the lab"}).status_code == 201
    assert env.ada.post(f"{env.analysis_base}/logs/", json={"priority": 3}).status_code == 201
    answer = env.ada.get(f"{env.analysis_base}/logs/").json
    assert set(answer) == {"logs", "users"}
    *_, message, priority = answer["logs"]
    assert message["message"] == "called the lab" and message["editable"] is False  # bob's
    assert priority["priority"] == 3 and priority["user_id"] == env.world.users["ada"]
    assert set(message) == {
        "id",
        "user_id",
        "date_created",
        "message",
        "priority",
        "review_comment",
        "warning_cleared",
        "editable",
    }
    users = {u["username"]: u for u in answer["users"]}
    assert set(users) == {"ada", "bob"}
    assert set(users["bob"]) == ELLA_USER_FIELDS
    assert users["bob"]["user_group_name"] == "hboc-lab" and users["bob"]["id"] == message["user_id"]
    assert users["bob"]["full_name"] == f"{users['bob']['first_name']} {users['bob']['last_name']}"


def test_classifications_and_reports_are_logged_with_the_variant_and_its_classes(env):
    """Mirrors ELLA src/api/tests/test_interpretationlog.py::test_allele_workflow ("Finalize to create
    alleleassessment": the latest entry has an alleleassessment and an allelereport, not editable) and ELLA's
    get_interpretationlog (the variant by gene and HGVSc in the round's panel, the new and previous class)."""
    env.start_variant(env.ada)
    env.classify_variant(env.ada)  # class 5 over the world's class 4, with a new report
    [entry] = [e for e in env.ada.get(f"{env.variant_base}/logs/").json["logs"] if "alleleassessment" in e]
    assert entry["alleleassessment"] == {
        "allele_id": env.allele,
        "hgvsc": ["BRCA2 c.100A>G"],
        "classification": "5",
        "previous_classification": "4",
    }
    assert entry["allelereport"] == {"allele_id": env.allele, "hgvsc": ["BRCA2 c.100A>G"]}
    assert entry["editable"] is False and entry["message"] is None
    assert "alleleassessment_id" not in entry and "allelereport_id" not in entry

    # Only the report changes: an entry for the report alone.
    assessment_id, report_id = _current_assessment_and_report(env)
    body = {
        "allele_id": env.allele,
        "annotation_id": env.world.annotations[env.allele],
        "alleleassessment": {"reuse": True, "presented_alleleassessment_id": assessment_id},
        "allelereport": {"evaluation": {"comment": "y"}, "presented_allelereport_id": report_id},
    }
    assert env.ada.post(f"{env.variant_base}/actions/finalizeallele/", json=body).status_code == 200
    last = env.ada.get(f"{env.variant_base}/logs/").json["logs"][-1]
    assert last["allelereport"] == {"allele_id": env.allele, "hgvsc": ["BRCA2 c.100A>G"]}
    assert "alleleassessment" not in last

    # Nothing new (both reused): nothing logged.
    body["allelereport"] = {"reuse": True, "presented_allelereport_id": report_id + 1}
    before = len(env.ada.get(f"{env.variant_base}/logs/").json["logs"])
    reused = env.ada.post(f"{env.variant_base}/actions/finalizeallele/", json=body)
    assert reused.status_code == 200, reused.json
    assert len(env.ada.get(f"{env.variant_base}/logs/").json["logs"]) == before


def test_classification_in_an_analysis_is_logged_there(env):
    assert env.ada.post(f"{env.analysis_base}/actions/start/").status_code == 200
    body = {
        "allele_id": env.allele,
        "annotation_id": env.world.annotations[env.allele],
        "alleleassessment": {"classification": "3", "presented_alleleassessment_id": env.world.extra["assessment"]},
        "allelereport": {"reuse": True, "presented_allelereport_id": env.world.extra["report"]},
    }
    assert env.ada.post(f"{env.analysis_base}/actions/finalizeallele/", json=body).status_code == 200
    last = env.ada.get(f"{env.analysis_base}/logs/").json["logs"][-1]
    assert last["alleleassessment"]["classification"] == "3"
    assert last["alleleassessment"]["previous_classification"] == "4"
    assert "allelereport" not in last  # the report was reused
    assert env.ada.get(f"{env.variant_base}/logs/").json == {"logs": [], "users": []}


def test_variant_names_fall_back_to_the_position_outside_the_panel(env):
    """ELLA's get_interpretationlog: a variant with no annotated transcript in the round's panel is named by
    ``chr:pos ref>alt``."""
    from sqlalchemy.orm import Session

    from ella_app.services.interpretations import _variant_names

    engine = create_engine(env.url)
    with Session(engine) as session:
        assert _variant_names(session, {env.allele}, ("HBOC", "v1.0.0")) == {env.allele: ["BRCA2 c.100A>G"]}
        assert _variant_names(session, {env.allele}, ("Ciliopathy", "v1.0.0")) == {env.allele: ["13:32890600 A>G"]}
        assert _variant_names(session, {env.allele}, None) == {env.allele: ["13:32890600 A>G"]}
    engine.dispose()


# ------------------------------------------------------------------------------------------ snapshots


def test_variant_workflow_rounds_leave_snapshots(env):
    """Finishing a variant-workflow round records what it showed (ELLA's alleleinterpretationsnapshot), served at
    snapshots/ and, as in ELLA, at actions/finalize/."""
    assert env.ada.get(f"{env.variant_base}/snapshots/").json == []
    first = env.start_variant(env.ada)
    assert env.ada.post(f"{env.variant_base}/actions/markreview/").status_code == 200
    second = env.start_variant(env.ada)
    env.classify_variant(env.ada)
    assert env.ada.post(f"{env.variant_base}/snapshots/").status_code == 200  # ELLA's finalize at this URL
    snaps = env.ada.get(f"{env.variant_base}/snapshots/").json
    assert [s["alleleinterpretation_id"] for s in snaps] == [first, second]
    assert {s["allele_id"] for s in snaps} == {env.allele}
    assert snaps[0]["alleleassessment_id"] == env.world.extra["assessment"]
    [(current,)] = env.query(
        "SELECT id FROM alleleassessment WHERE allele_id = :a AND date_superceeded IS NULL", a=env.allele
    )
    assert snaps[1]["alleleassessment_id"] == current != env.world.extra["assessment"]
    assert snaps[1]["annotation_id"] == env.world.annotations[env.allele]
    assert env.ada.get(f"{env.variant_base}/actions/finalize/").json == snaps
    assert env.cid.get(f"{env.variant_base}/snapshots/").status_code == 404


def test_analysis_snapshots_list_every_variant_of_each_finished_round(env):
    assert env.ada.post(f"{env.analysis_base}/actions/start/").status_code == 200
    assert env.ada.post(f"{env.analysis_base}/actions/markreview/").status_code == 200
    snaps = env.ada.get(f"{env.analysis_base}/snapshots/").json
    hboc = [env.world.alleles[k] for k in ("hboc_rare", "hboc_common", "hboc_syn")]
    assert sorted(s["allele_id"] for s in snaps) == sorted(hboc)
    assert {s["analysisinterpretation_id"] for s in snaps} == {env.world.interpretations["hboc"]}
    filtered = {s["allele_id"]: s["filtered"] for s in snaps}
    assert filtered[env.world.alleles["hboc_rare"]] is None and filtered[env.world.alleles["hboc_common"]]
    assert env.ada.get(f"{env.analysis_base}/actions/finalize/").json == snaps


# ------------------------------------------------------------------------------------------ gene panels, genes


def test_gene_panels_covering_a_variant(env):
    panels = env.ada.get(f"{env.variant_base}/genepanels/").json
    assert panels == [{"name": "HBOC", "version": "v1.0.0", "official": True}]
    cilio = env.world.alleles["cilio"]
    # the cilio variant lies in PKD1: none of hboc-lab's panels cover it, and hboc-lab may not see it anyway
    assert env.ada.get(f"/api/v1/workflows/alleles/{cilio}/genepanels/").status_code == 404
    assert env.cid.get(f"/api/v1/workflows/alleles/{cilio}/genepanels/").json == [
        {"name": "Ciliopathy", "version": "v1.0.0", "official": True}
    ]


def test_gene_panel_cut_down_to_the_variants_genes(env):
    panel = env.ada.get(f"{env.variant_base}/genepanels/HBOC/v1.0.0/").json
    assert panel["name"] == "HBOC" and panel["version"] == "v1.0.0"
    assert [t["transcript_name"] for t in panel["transcripts"]] == ["NM_000059.3"]  # BRCA2 only, not BRCA1
    assert panel["transcripts"][0]["gene"] == {"hgnc_id": 1101, "hgnc_symbol": "BRCA2"}
    assert panel["inheritances"] == [{"hgnc_id": 1101, "inheritance": "AD", "transcript_name": "NM_000059.3"}]
    assert [p["gene"]["hgnc_symbol"] for p in panel["phenotypes"]] == ["BRCA2"]
    assert [g["evaluation"] for g in panel["geneassessments"]] == [{"comment": "BRCA2 note"}]
    analysis = env.ada.get(
        f"{env.analysis_base}/genepanels/HBOC/v1.0.0/", query_string={"allele_ids": str(env.allele)}
    ).json
    for answer in (analysis, panel):
        for assessment in answer["geneassessments"]:
            assessment.pop("seconds_since_update")
    assert analysis == panel
    none = env.ada.get(f"{env.analysis_base}/genepanels/HBOC/v1.0.0/").json
    assert none["transcripts"] == [] and none["phenotypes"] == []
    assert env.ada.get(f"{env.variant_base}/genepanels/Ciliopathy/v1.0.0/").status_code == 404
    outside = env.ada.get(
        f"{env.analysis_base}/genepanels/HBOC/v1.0.0/", query_string={"allele_ids": str(env.world.alleles["cilio"])}
    )
    assert outside.status_code == 404 and "not variants of this analysis" in outside.json["message"]


def test_alleles_by_gene(env):
    hboc = [env.world.alleles[k] for k in ("hboc_syn", "hboc_rare", "hboc_common")]
    found = env.ada.get("/api/v1/alleles/by-gene/", query_string={"allele_ids": ",".join(map(str, hboc))}).json
    assert found == [{"symbol": "BRCA2", "hgnc_id": 1101, "allele_ids": sorted(hboc)}]  # genomic order
    refused = env.ada.get("/api/v1/alleles/by-gene/", query_string={"allele_ids": str(env.world.alleles["cilio"])})
    assert refused.status_code == 404
    assert env.ada.get("/api/v1/alleles/by-gene/").status_code == 422


def test_variant_of_a_variant_workflow_round(env):
    round_id = env.start_variant(env.ada)
    path = f"{env.variant_base}/interpretations/{round_id}/alleles/"
    found = env.ada.get(path, query_string={"allele_ids": str(env.allele), "current": "true"})
    assert found.status_code == 200 and [a["id"] for a in found.json] == [env.allele]
    assert env.ada.get(path).json == found.json
    other = env.ada.get(path, query_string={"allele_ids": str(env.world.alleles["hboc_common"])})
    assert other.status_code == 404 and "not the variant of this workflow" in other.json["message"]
    assert env.ada.get(f"{env.variant_base}/interpretations/{round_id + 1000}/alleles/").status_code == 404


def test_finished_round_shows_what_its_snapshot_recorded(env):
    """ELLA's helpers.get_alleles: a 'Done' round is served from its snapshot unless ``current=true``."""
    first = env.start_variant(env.ada)
    assert env.ada.post(f"{env.variant_base}/actions/markreview/").status_code == 200
    env.start_variant(env.ada)
    env.classify_variant(env.ada)  # class 5 supersedes the world's class 4
    path = f"{env.variant_base}/interpretations/{first}/alleles/"
    [then] = env.ada.get(path).json
    assert then["allele_assessment"]["id"] == env.world.extra["assessment"]
    assert then["allele_assessment"]["classification"] == "4"
    assert then["allele_report"]["id"] == env.world.extra["report"]
    assert then["annotation"]["annotation_id"] == env.world.annotations[env.allele]
    [now] = env.ada.get(path, query_string={"current": "true"}).json
    assert (
        now["allele_assessment"]["classification"] == "5" and now["allele_report"]["id"] != then["allele_report"]["id"]
    )


def test_finished_round_pins_the_reference_assessments_of_its_classification(env):
    """ELLA src/api/v1/resources/workflow/helpers.py (loading the alleles of a 'Done' round: "historical
    referenceassessments ... connected to the alleleassessments used") and datalayer/assessmentcreator.py (a new
    allele assessment keeps the reference assessments created or reused with it): a finished round shows the
    reference assessments its classification was made with, not later ones; the snapshots list them."""
    first = env.start_variant(env.ada)
    made = _classify_with_reference(env, {"relevance": "Yes"})
    [pinned] = made["referenceassessment_ids"]
    assert env.ada.post(f"{env.variant_base}/actions/markreview/").status_code == 200
    [snapshot] = env.ada.get(f"{env.variant_base}/snapshots/").json
    assert snapshot["alleleassessment_id"] == made["alleleassessment_id"]
    assert snapshot["referenceassessment_ids"] == [pinned]

    later = env.ada.post(
        "/api/v1/referenceassessments/",
        json={
            "allele_id": env.allele,
            "reference_id": env.world.extra["reference"],
            "evaluation": {"relevance": "No"},
            "genepanel_name": "HBOC",
            "genepanel_version": "v1.0.0",
        },
    ).json
    assert later["previous_assessment_id"] == pinned  # curated: superseded, not changed
    path = f"{env.variant_base}/interpretations/{first}/alleles/"
    [then] = env.ada.get(path).json
    assert [r["id"] for r in then["reference_assessments"]] == [pinned]
    assert then["reference_assessments"][0]["evaluation"] == {"relevance": "Yes"}
    assert [r["id"] for r in then["references"]] == [env.world.extra["reference"]]
    [now] = env.ada.get(path, query_string={"current": "true"}).json
    assert [r["id"] for r in now["reference_assessments"]] == [later["id"]]

    # A round whose classification was made without references shows none, even with a current one.
    second = env.start_variant(env.ada)
    _classify_with_reference(env, {"relevance": "No"})  # unchanged: keeps `later`
    assert env.ada.post(f"{env.variant_base}/actions/markreview/").status_code == 200
    [again] = env.ada.get(f"{env.variant_base}/interpretations/{second}/alleles/").json
    assert [r["id"] for r in again["reference_assessments"]] == [later["id"]]
    env.query("DELETE FROM alleleassessmentreferenceassessment")
    [without] = env.ada.get(f"{env.variant_base}/interpretations/{second}/alleles/").json
    assert without["reference_assessments"] == []


# ------------------------------------------------------------------------------------------ users, statistics


def test_users_of_the_own_group(env):
    listed = env.ada.get("/api/v1/users/")
    assert listed.status_code == 200 and listed.headers["Total-Count"] == "2"
    assert [u["username"] for u in listed.json] == ["ada", "bob"]
    assert listed.json[0]["group"]["name"] == "hboc-lab" and "password" not in str(listed.json)
    assert [u["username"] for u in env.ada.get("/api/v1/users/", query_string={"q": '{"username": "bob"}'}).json] == [
        "bob"
    ]
    assert env.ada.get("/api/v1/users/", query_string={"q": '{"password": "x"}'}).status_code == 422
    bob = env.ada.get(f"/api/v1/users/{env.world.users['bob']}/").json
    assert bob["full_name"] == "Bob Tester" and bob["abbrev_name"] == "B. Tester"
    assert env.ada.get(f"/api/v1/users/{env.world.users['cid']}/").status_code == 404


def test_user_stats_count_what_the_user_worked_on(env):
    assert env.ada.get("/api/v1/overviews/userstats/").json == {"analyses_cnt": 0, "alleles_cnt": 0}
    assert env.ada.post(f"{env.analysis_base}/actions/start/").status_code == 200
    env.start_variant(env.ada)
    assert env.ada.get("/api/v1/overviews/userstats/").json == {"analyses_cnt": 1, "alleles_cnt": 1}
    assert env.bob.get("/api/v1/overviews/userstats/").json == {"analyses_cnt": 0, "alleles_cnt": 0}


def test_analysis_stats(env):
    assert env.ada.get(f"{env.analysis_base}/stats/").json == {"allele_count": 3}
    assert env.cid.get(f"{env.analysis_base}/stats/").status_code == 404


def test_filter_config_of_the_own_group(env):
    fc = env.world.filterconfigs["default"]
    found = env.ada.get(f"/api/v1/filterconfigs/{fc}")
    assert found.status_code == 200 and found.json["name"] == "Default"
    assert [f["name"] for f in found.json["filterconfig"]["filters"]] == ["frequency", "consequence"]
    env.query("DELETE FROM usergroupfilterconfig WHERE usergroup_id = :g", g=env.world.groups["cilio"])
    assert env.cid.get(f"/api/v1/filterconfigs/{fc}").status_code == 404
    assert env.ada.get("/api/v1/filterconfigs/99999").status_code == 404


# ------------------------------------------------------------------------------------------ reports, references


def test_one_report(env):
    report = env.ada.get(f"/api/v1/allelereports/{env.world.extra['report']}/")
    assert report.status_code == 200 and report.json["evaluation"] == {"comment": "r"}
    assert env.cid.get(f"/api/v1/allelereports/{env.world.extra['report']}/").status_code == 404


def _current_assessment_and_report(env: Env) -> tuple[int, int]:
    """The ids of the variant's current classification and report (what a client presents when finalizing)."""
    [(assessment_id,)] = env.query(
        "SELECT id FROM alleleassessment WHERE allele_id = :a AND date_superceeded IS NULL", a=env.allele
    )
    [(report_id,)] = env.query(
        "SELECT id FROM allelereport WHERE allele_id = :a AND date_superceeded IS NULL", a=env.allele
    )
    return assessment_id, report_id


def _classify_with_reference(env: Env, evaluation: dict[str, Any]) -> dict[str, Any]:
    """finalizeallele in ada's variant round with one reference assessment; returns the answer."""
    assessment_id, report_id = _current_assessment_and_report(env)
    body = {
        "allele_id": env.allele,
        "annotation_id": env.world.annotations[env.allele],
        "alleleassessment": {"classification": "3", "presented_alleleassessment_id": assessment_id},
        "allelereport": {"reuse": True, "presented_allelereport_id": report_id},
        "referenceassessments": [{"reference_id": env.world.extra["reference"], "evaluation": evaluation}],
    }
    response = env.ada.post(f"{env.variant_base}/actions/finalizeallele/", json=body)
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_reference_assessment_draft_is_updated_a_curated_one_superseded(env):
    """ELLA src/api/v1/resources/referenceassessment.py (POST): a current reference assessment that is not yet
    curated is updated in place (same id); otherwise a new one is made. Curated: made with a classification
    (ELLA's assessmentcreator links the reference assessments to the allele assessment; the new one supersedes
    the curated one, as the unique current assessment per allele and reference requires)."""
    body = {
        "allele_id": env.allele,
        "reference_id": env.world.extra["reference"],
        "evaluation": {"relevance": "Yes"},
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
        "user_id": env.world.users["ada"],
    }
    first = env.ada.post("/api/v1/referenceassessments/", json=body)
    assert first.status_code == 200 and first.json["evaluation"] == {"relevance": "Yes"}
    draft = first.json["id"]
    assert env.ada.post("/api/v1/referenceassessments/", json=body).json["id"] == draft  # unchanged
    edited = env.bob.post(
        "/api/v1/referenceassessments/",
        json={**body, "evaluation": {"relevance": "Maybe"}, "user_id": env.world.users["bob"]},
    ).json
    assert edited["id"] == draft and edited["evaluation"] == {"relevance": "Maybe"}
    assert edited["previous_assessment_id"] is None and edited["user"]["username"] == "bob"
    history = env.query("SELECT id FROM referenceassessment WHERE allele_id = :a", a=env.allele)
    assert history == [(draft,)]  # updated in place: no superseded row

    # A classification is made with it (evaluation unchanged: the draft itself is kept): now it is curated.
    env.start_variant(env.ada)
    made = _classify_with_reference(env, {"relevance": "Maybe"})
    assert made["referenceassessment_ids"] == [draft]
    linked = env.query(
        "SELECT referenceassessment_id FROM alleleassessmentreferenceassessment WHERE alleleassessment_id = :a",
        a=made["alleleassessment_id"],
    )
    assert linked == [(draft,)]
    second = env.ada.post("/api/v1/referenceassessments/", json={**body, "evaluation": {"relevance": "No"}}).json
    assert second["id"] != draft and second["previous_assessment_id"] == draft
    old = env.ada.get(f"/api/v1/referenceassessments/{draft}/").json
    assert old["date_superceeded"] is not None and old["evaluation"] == {"relevance": "Maybe"}
    current = env.ada.get("/api/v1/referenceassessments/", query_string={"allele_ids": str(env.allele)}).json
    assert [r["id"] for r in current] == [second["id"]]

    in_analysis = env.ada.post(
        "/api/v1/referenceassessments/",
        json={**{k: v for k, v in body.items() if not k.startswith("genepanel")}, "analysis_id": env.analysis},
    )
    assert in_analysis.status_code == 200 and in_analysis.json["analysis_id"] == env.analysis
    for bad, status, words in [
        ({**body, "user_id": env.world.users["bob"]}, 422, "user_id"),
        ({k: v for k, v in body.items() if not k.startswith("genepanel")}, 422, "genepanel_name"),
        ({**body, "genepanel_name": "Ciliopathy"}, 404, "gene panel"),
        ({**body, "reference_id": 99999}, 404, "reference"),
        ({**body, "evaluation": "yes"}, 422, "evaluation"),
    ]:
        response = env.ada.post("/api/v1/referenceassessments/", json=bad)
        assert response.status_code == status and words in response.json["message"], (bad, response.json)
    as_cid = {**body, "user_id": env.world.users["cid"]}
    assert env.cid.post("/api/v1/referenceassessments/", json=as_cid).status_code == 404
    assert env.cid.get(f"/api/v1/referenceassessments/{second['id']}/").status_code == 404


@pytest.mark.parametrize("kind", ["alleleassessments", "allelereports", "referenceassessments"])
def test_history_lists_take_ellas_q_filter(env, kind):
    """ELLA's client asks ``<kind>/?q={"allele_id": id}`` for a variant's history: every row, newest first."""
    env.start_variant(env.ada)
    env.classify_variant(env.ada)  # supersedes the world's classification and report
    if kind == "referenceassessments":
        _classify_with_reference(env, {"relevance": "Yes"})  # curated: the next one supersedes it
        body = {
            "allele_id": env.allele,
            "reference_id": env.world.extra["reference"],
            "evaluation": {"relevance": "No"},
            "genepanel_name": "HBOC",
            "genepanel_version": "v1.0.0",
        }
        assert env.ada.post("/api/v1/referenceassessments/", json=body).status_code == 200
    by_allele = f'{{"allele_id": {env.allele}}}'
    history = env.ada.get(f"/api/v1/{kind}/", query_string={"q": by_allele})
    assert history.status_code == 200 and history.headers["Total-Count"] == "2"
    ids = [r["id"] for r in history.json]
    assert ids == sorted(ids, reverse=True) and history.json[1]["date_superceeded"] is not None
    current_only = f'{{"allele_id": {env.allele}, "date_superceeded": null}}'
    assert [r["id"] for r in env.ada.get(f"/api/v1/{kind}/", query_string={"q": current_only}).json] == ids[:1]
    assert env.cid.get(f"/api/v1/{kind}/", query_string={"q": by_allele}).json == []
    for bad in ('{"password": 1}', "[1]", '{"allele_id": "x"}', "{"):
        response = env.ada.get(f"/api/v1/{kind}/", query_string={"q": bad})
        assert response.status_code == 422 and "q" in response.json["message"], bad


# ------------------------------------------------------------------------------------------ IGV


def test_igv_locus_search(env):
    """ELLA's igvtracks.IgvSearchResource: exact gene symbol, else symbol prefix, else transcript name."""
    brca2 = [{"chromosome": "13", "start": 32889616, "end": 32973809}]
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "brca2"}).json == brca2
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "BRC"}).json[0]["chromosome"] == "17"  # BRCA1
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "NM_000059"}).json == brca2
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "nm_000059.3"}).json == brca2
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "NM_0"}).json == []  # too short for a transcript
    assert env.ada.get("/api/v1/igv/search/", query_string={"q": "%"}).json == []
    assert env.ada.get("/api/v1/igv/search/").json == []


def test_dynamic_tracks_answer_at_ellas_urls(env):
    """A track_config.json written for ELLA names the dynamic tracks with a trailing slash."""
    for path in (
        "/api/v1/igv/tracks/dynamic/classifications",
        "/api/v1/igv/tracks/dynamic/genepanel/HBOC/v1.0.0",
        f"/api/v1/igv/tracks/dynamic/variants/{env.analysis}",
        f"/api/v1/igv/tracks/dynamic/regions_of_interest/{env.analysis}",
    ):
        plain, ella = env.ada.get(path), env.ada.get(path + "/")
        assert plain.status_code == ella.status_code == 200, path
        assert plain.data == ella.data and ella.data, path
