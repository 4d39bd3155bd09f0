"""ELLA's analysis and variant workflow: the state machine, the owner rule, 409 conflicts, snapshots, state
history and the finalize requirements of the merged config."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.db.models import UserGroup
from tests.api.factories import Api, World, build_world, copy_db, make_app, session_for, template_db


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build_world)


class Flow:
    def __init__(self, app: Any, url: str, world: World) -> None:
        self.url, self.world = url, world
        self.ada = Api(app, url, world.users["ada"])
        self.bob = Api(app, url, world.users["bob"])
        self.analysis = world.analyses["hboc"]
        self.base = f"/api/v1/workflows/analyses/{self.analysis}"

    def act(self, who: Api, action: str, body: Any = None) -> Any:
        return who.post(f"{self.base}/actions/{action}/", json=body)

    def rounds(self) -> list[dict[str, Any]]:
        return self.ada.get(f"{self.base}/interpretations/").json

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        engine = create_engine(self.url)
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(sql))]
        engine.dispose()
        return rows


# The hboc group's finalize requirements unless a test sets its own: finalizing (and, as in ELLA, saving a new
# classification) only in review.
REVIEW_ONLY = {
    "allele": {"workflow_status": ["Review"]},
    "analysis": {"workflow_status": ["Review", "Medical review"], "allow_unclassified": True},
}


@pytest.fixture
def flow(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        made = Flow(make_app(url, tmp_path), url, world)
        _requirements(made, **REVIEW_ONLY)
        yield made


def test_full_round_trip(flow):
    started = flow.act(flow.ada, "start")
    assert started.status_code == 200 and started.json["status"] == "Ongoing"
    assert started.json["user"]["username"] == "ada"
    first = started.json["id"]
    saved = flow.ada.patch(f"{flow.base}/interpretations/{first}/", json={"state": {"note": "seen"}, "user_state": {}})
    assert saved.status_code == 200 and saved.json["state"] == {"note": "seen"}

    marked = flow.act(flow.ada, "markreview")
    assert marked.status_code == 200
    assert marked.json["status"] == "Not started" and marked.json["workflow_status"] == "Review"
    assert marked.json["state"] == {"note": "seen"} and marked.json["user"] is None
    rounds = flow.rounds()
    assert [(r["status"], r["workflow_status"]) for r in rounds] == [
        ("Done", "Interpretation"),
        ("Not started", "Review"),
    ]
    # the snapshot of the first round: each variant with its annotation and the filter that removed it
    snaps = dict(
        flow.query(
            f"SELECT allele_id, filtered FROM analysisinterpretationsnapshot WHERE analysisinterpretation_id = {first}"
        )
    )
    world = flow.world
    assert snaps == {
        world.alleles["hboc_rare"]: None,
        world.alleles["hboc_common"]: "frequency",
        world.alleles["hboc_syn"]: "consequence",
    }

    overview = flow.bob.get("/api/v1/overviews/analyses/").json
    assert [a["id"] for a in overview["marked_review"]] == [flow.analysis]
    assert flow.act(flow.bob, "start").status_code == 200
    done = flow.act(flow.bob, "finalize")
    assert done.status_code == 200, done.json
    assert done.json["status"] == "Done" and done.json["finalized"] is True
    finalized = flow.ada.get("/api/v1/overviews/analyses/finalized/").json
    assert [a["id"] for a in finalized] == [flow.analysis]

    reopened = flow.act(flow.ada, "reopen")
    assert reopened.status_code == 200
    assert reopened.json["status"] == "Not started" and reopened.json["workflow_status"] == "Review"
    assert len(flow.rounds()) == 3


def test_finished_round_shows_its_snapshot(flow):
    first = flow.act(flow.ada, "start").json["id"]
    flow.act(flow.ada, "markreview")
    shown = flow.ada.get(f"{flow.base}/interpretations/{first}/alleles/").json
    assert [a["id"] for a in shown] == [flow.world.alleles["hboc_rare"]]
    ids = flow.ada.get(f"{flow.base}/interpretations/{first}/filteredalleles/").json
    assert ids["snapshot"] is True and ids["allele_ids"] == [flow.world.alleles["hboc_rare"]]
    assert ids["excluded_allele_ids"] == {
        "frequency": [flow.world.alleles["hboc_common"]],
        "consequence": [flow.world.alleles["hboc_syn"]],
    }
    filtered = ",".join(str(a) for ids_ in ids["excluded_allele_ids"].values() for a in ids_)
    rows = flow.ada.get(f"{flow.base}/interpretations/{first}/alleles/?allele_ids={filtered}").json
    assert {a["id"]: a["filtered"] for a in rows} == {
        flow.world.alleles["hboc_common"]: "frequency",
        flow.world.alleles["hboc_syn"]: "consequence",
    }


@pytest.mark.parametrize(
    ("setup", "who", "action", "message"),
    [
        ([], "ada", "markreview", "'Not started', not 'Ongoing'"),
        ([], "ada", "finalize", "'Not started', not 'Ongoing'"),
        ([], "ada", "reopen", "not 'Done'"),
        ([], "ada", "override", "not 'Ongoing'"),
        ([("ada", "start")], "bob", "start", "not 'Not started'"),
        ([("ada", "start")], "bob", "markreview", "owned by another user"),
        ([("ada", "start")], "bob", "finalize", "owned by another user"),
        ([("ada", "start")], "ada", "finalize", "finalizing needs Review or Medical review"),
        ([("ada", "start")], "ada", "reopen", "not 'Done'"),
        ([("ada", "start"), ("ada", "markreview"), ("bob", "start"), ("bob", "finalize")], "ada", "start", "not"),
    ],
)
def test_state_machine_conflicts_are_409(flow, setup, who, action, message):
    for actor, step in setup:
        assert flow.act(getattr(flow, actor), step).status_code == 200, (actor, step)
    before = flow.rounds()
    response = flow.act(getattr(flow, who), action)
    assert response.status_code == 409 and response.json["error"] == "WorkflowConflict"
    assert message in response.json["message"]
    assert flow.rounds() == before


def test_save_only_by_owner_of_latest_ongoing_round(flow):
    first = flow.act(flow.ada, "start").json["id"]
    path = f"{flow.base}/interpretations/{first}/"
    assert flow.bob.patch(path, json={"state": {"a": 1}}).status_code == 409
    assert flow.ada.patch(path, json={"state": {"a": 1}}).status_code == 200
    assert flow.ada.patch(path, json={"state": {"a": 1}}).status_code == 200  # unchanged: no new history row
    assert flow.ada.patch(path, json={"state": {"a": 2}}).status_code == 200
    history = flow.query(
        f"SELECT state, user_id FROM interpretationstatehistory WHERE analysisinterpretation_id = {first} ORDER BY id"
    )
    assert history == [({"a": 1}, flow.world.users["ada"]), ({"a": 2}, flow.world.users["ada"])]
    assert flow.act(flow.bob, "override").status_code == 200
    assert flow.ada.patch(path, json={"state": {"a": 3}}).status_code == 409
    assert flow.bob.patch(path, json={"state": {"a": 3}}).status_code == 200
    flow.act(flow.bob, "markreview")
    assert flow.bob.patch(path, json={"state": {"a": 4}}).status_code == 409  # no longer the latest / Done


def test_finishallowed_explains(flow):
    first = flow.act(flow.ada, "start").json["id"]
    body = flow.ada.get(f"{flow.base}/interpretations/{first}/finishallowed/").json
    assert body["allowed"] is False and "Review or Medical review" in body["problems"][0]
    assert body["finalize_requirements"]["workflow_status"] == ["Review", "Medical review"]
    assert [t["action"] for t in body["targets"]][-1] == "finalize"
    assert all(t["allowed"] for t in body["targets"][:-1]) and body["targets"][-1]["allowed"] is False


# ------------------------------------------------------------------------------------------ finalize requirements
# Mirrors ELLA src/api/tests/test_interpretation_workflow.py::TestFinalizationRequirements (the checks of
# src/api/v1/resources/workflow/helpers.py finalize_allele/finalize_workflow, with the finish dialog's rules of
# src/webui/src/js/store/modules/views/workflows/computed/canFinalize.js).


def _requirements(flow: Flow, **workflows: dict[str, Any]) -> None:
    """Set the hboc group's ``workflows.<kind>.finalize_requirements`` (replacing the base's ``workflows``)."""
    with session_for(flow.url) as session:
        group = session.get(UserGroup, flow.world.groups["hboc"])
        group.config = {"workflows": {kind: {"finalize_requirements": r} for kind, r in workflows.items()}}
        session.commit()


def _classify(flow: Flow, who: Api, allele: int, base: str | None = None, klass: str = "3") -> Any:
    body = {
        "allele_id": allele,
        "annotation_id": flow.world.annotations[allele],
        "alleleassessment": {"classification": klass, "presented_alleleassessment_id": None},
    }
    return who.post(f"{base or flow.base}/actions/finalizeallele/", json=body)


def _assessments(flow: Flow) -> list[tuple[Any, ...]]:
    return flow.query("SELECT allele_id, classification FROM alleleassessment ORDER BY id")


def _show_common_too(flow: Flow, round_id: int, extra: dict[str, Any] | None = None) -> tuple[int, int]:
    """Re-include hboc_common (the frequency filter removed it): two variants shown, as ELLA's allele_ids."""
    rare, common = flow.world.alleles["hboc_rare"], flow.world.alleles["hboc_common"]
    state = {"manuallyAddedAlleles": [common], **(extra or {})}
    saved = flow.ada.patch(f"{flow.base}/interpretations/{round_id}/", json={"state": state})
    assert saved.status_code == 200, saved.json
    return rare, common


def test_required_workflow_status_allele(flow):
    """Mirrors ELLA src/api/tests/test_interpretation_workflow.py::TestFinalizationRequirements::
    test_required_workflow_status_allele: with ``workflow_status: [Review]`` neither a new classification nor
    finalizing is allowed in Interpretation; after markreview and start both are."""
    _requirements(flow, allele={"workflow_status": ["Review"]})
    allele = flow.world.alleles["hboc_rare"]
    base = f"/api/v1/workflows/alleles/{allele}"
    assert flow.ada.post(f"{base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"}).status_code == 200
    refused = _classify(flow, flow.ada, allele, base)
    assert (
        refused.status_code == 409
        and "'Interpretation'; saving a classification needs Review" in refused.json["message"]
    )
    assert _assessments(flow) == []
    refused = flow.ada.post(f"{base}/actions/finalize/")
    assert refused.status_code == 409 and "finalizing needs Review" in refused.json["message"]
    assert flow.ada.post(f"{base}/actions/markreview/").status_code == 200
    assert flow.ada.post(f"{base}/actions/start/").status_code == 200
    assert _classify(flow, flow.ada, allele, base).status_code == 200
    done = flow.ada.post(f"{base}/actions/finalize/")
    assert done.status_code == 200 and done.json["finalized"] is True


def test_variant_workflow_needs_its_variant_classified(flow):
    """ELLA's finish dialog for a VARIANTS workflow (canFinalize.js with type allele: no allow_unclassified, so
    the variant needs a valid classification) — the API enforces the same."""
    _requirements(flow, allele={"workflow_status": ["Interpretation"]})
    allele = flow.world.alleles["hboc_rare"]
    base = f"/api/v1/workflows/alleles/{allele}"
    round_id = flow.ada.post(f"{base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"}).json["id"]
    allowed = flow.ada.get(f"{base}/interpretations/{round_id}/finishallowed/").json
    assert allowed["allowed"] is False and [b["reason"] for b in allowed["blocking"]] == ["not classified"]
    refused = flow.ada.post(f"{base}/actions/finalize/")
    assert refused.status_code == 409 and "BRCA2" in refused.json["message"]
    assert _classify(flow, flow.ada, allele, base).status_code == 200
    assert flow.ada.post(f"{base}/actions/finalize/").status_code == 200


def test_required_workflow_status_analysis(flow):
    """Mirrors ELLA src/api/tests/test_interpretation_workflow.py::TestFinalizationRequirements::
    test_required_workflow_status_analysis: ``workflow_status: [Review, Medical review]``: classifying in
    Interpretation is refused; after markmedicalreview and start, classifying every variant and finalizing are
    allowed."""
    _requirements(flow, analysis={"workflow_status": ["Review", "Medical review"], "allow_unclassified": True})
    flow.act(flow.ada, "start")
    rare = flow.world.alleles["hboc_rare"]
    refused = _classify(flow, flow.ada, rare)
    assert (
        refused.status_code == 409
        and "saving a classification needs Review or Medical review" in refused.json["message"]
    )
    assert _assessments(flow) == []
    assert flow.act(flow.ada, "markmedicalreview").status_code == 200
    assert flow.act(flow.ada, "start").status_code == 200
    assert _classify(flow, flow.ada, rare).status_code == 200
    done = flow.act(flow.ada, "finalize")
    assert done.status_code == 200 and done.json["workflow_status"] == "Medical review"


def test_allow_unclassified(flow):
    """Mirrors ELLA test_interpretation_workflow.py::TestFinalizationRequirements::test_allow_unclassified: every
    variant shown but the first classified; ``allow_unclassified: false`` refuses (409 naming the unclassified
    variant, nothing changed), ``true`` allows."""
    _requirements(flow, analysis={"allow_unclassified": False})
    round_id = flow.act(flow.ada, "start").json["id"]
    rare, common = _show_common_too(flow, round_id)
    assert _classify(flow, flow.ada, common, klass="1").status_code == 200
    before = (flow.rounds(), _assessments(flow))
    allowed = flow.ada.get(f"{flow.base}/interpretations/{round_id}/finishallowed/").json
    assert allowed["allowed"] is False
    assert allowed["blocking"] == [
        {"allele_id": rare, "variant": "BRCA2 c.100A>G (13:32890600 A>G)", "reason": "not classified"}
    ]
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409, refused.json
    assert "1 variant(s) block finalizing: BRCA2 c.100A>G (13:32890600 A>G): not classified" in refused.json["message"]
    assert refused.json["details"]["blocking"] == allowed["blocking"]
    assert (flow.rounds(), _assessments(flow)) == before
    assert flow.query(
        f"SELECT count(*) FROM analysisinterpretationsnapshot WHERE analysisinterpretation_id = {round_id}"
    ) == [(0,)]
    _requirements(flow, analysis={"allow_unclassified": True})
    assert flow.ada.get(f"{flow.base}/interpretations/{round_id}/finishallowed/").json["allowed"] is True
    assert flow.act(flow.ada, "finalize").status_code == 200


def test_allow_unclassified_absent_needs_classification(flow):
    """ELLA's finish dialog (canFinalize.js) asks for classifications unless ``allow_unclassified`` is true (ELLA's
    config schema requires the key); a group config without it therefore needs every variant classified."""
    _requirements(flow, analysis={"workflow_status": ["Interpretation"]})
    flow.act(flow.ada, "start")
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and "not classified" in refused.json["message"]


@pytest.mark.parametrize(("flag", "mark"), [("allow_technical", "technical"), ("allow_notrelevant", "notrelevant")])
def test_allow_technical_and_notrelevant(flow, flag, mark):
    """Mirrors ELLA (up to 1.16, removed in b42fcfefb) test_interpretation_workflow.py::TestFinalizationRequirements::
    test_allow_technical and ::test_allow_notrelevant: the first variant marked technical (not relevant), the rest
    classified; with the flag false finalizing is refused, with it true (ELLA 1.17: always) allowed."""
    flags = {"allow_technical": False, "allow_notrelevant": False}
    _requirements(flow, analysis={"allow_unclassified": False, **flags})
    round_id = flow.act(flow.ada, "start").json["id"]
    rare = flow.world.alleles["hboc_rare"]
    entry = {"verification": "technical"} if mark == "technical" else {"notrelevant": True}
    rare, common = _show_common_too(flow, round_id, {"allele": {str(rare): {"analysis": entry}}})
    assert _classify(flow, flow.ada, common, klass="1").status_code == 200
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and f"({flag} is false)" in refused.json["message"]
    _requirements(flow, analysis={"allow_unclassified": False, **flags, flag: True})
    assert flow.act(flow.ada, "finalize").status_code == 200


def test_a_class_chosen_but_not_saved_blocks_finalizing(flow):
    """ELLA's finish dialog: a class chosen in the state and not submitted blocks finalizing (not configurable)."""
    _requirements(flow, analysis={"allow_unclassified": True})
    round_id = flow.act(flow.ada, "start").json["id"]
    rare = flow.world.alleles["hboc_rare"]
    state = {"allele": {str(rare): {"alleleassessment": {"classification": "4"}}}}
    assert flow.ada.patch(f"{flow.base}/interpretations/{round_id}/", json={"state": state}).status_code == 200
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and "class 4 is chosen but not saved" in refused.json["message"]
    assert _classify(flow, flow.ada, rare, klass="4").status_code == 200
    assert flow.act(flow.ada, "finalize").status_code == 200


def test_a_re_evaluation_without_a_class_blocks_finalizing(flow):
    """ELLA counts a variant as classified by the assessment ids its client sends when finalizing
    (helpers.py, finalize checks: allele_ids minus those with an assessment id are unclassified); after
    Re-evaluate (``reuse: false``) and before a class is chosen, the client sends none for it."""
    _requirements(flow, analysis={"allow_unclassified": False})
    round_id = flow.act(flow.ada, "start").json["id"]
    rare, common = _show_common_too(flow, round_id, {})
    assert _classify(flow, flow.ada, rare, klass="3").status_code == 200
    assert _classify(flow, flow.ada, common, klass="1").status_code == 200
    reevaluated = {"alleleassessment": {"reuse": False, "classification": None}}
    state = {"manuallyAddedAlleles": [common], "allele": {str(rare): reevaluated}}
    assert flow.ada.patch(f"{flow.base}/interpretations/{round_id}/", json={"state": state}).status_code == 200
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and "re-evaluated, but no class chosen yet" in refused.json["message"]
    state = {"manuallyAddedAlleles": [common], "allele": {str(rare): {"alleleassessment": {"reuse": True}}}}  # undo
    assert flow.ada.patch(f"{flow.base}/interpretations/{round_id}/", json={"state": state}).status_code == 200
    assert flow.act(flow.ada, "finalize").status_code == 200


def test_empty_workflow_status_allows_classifying_but_not_finalizing(flow):
    """ELLA: finalize_workflow refuses any status not in the list (``is not None``), finalize_allele checks only
    a non-empty list."""
    _requirements(flow, analysis={"workflow_status": [], "allow_unclassified": True})
    flow.act(flow.ada, "start")
    assert _classify(flow, flow.ada, flow.world.alleles["hboc_rare"]).status_code == 200
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and "not allowed in any workflow status" in refused.json["message"]


def test_no_finalize_requirements_refuses_finalizing(flow):
    """ELLA: "Your user group is missing valid configuration" (dialog), an error (API)."""
    _requirements(flow, allele={"workflow_status": ["Review"]})  # the group's workflows has no analysis key
    round_id = flow.act(flow.ada, "start").json["id"]
    allowed = flow.ada.get(f"{flow.base}/interpretations/{round_id}/finishallowed/").json
    assert allowed["allowed"] is False and "no finalize requirements for analysis" in allowed["problems"][0]
    assert flow.act(flow.ada, "finalize").status_code == 409
    assert flow.act(flow.ada, "markreview").status_code == 200  # the mark actions need no requirements


def test_classified_variant_allows_finalize(flow):
    _requirements(flow, analysis={"allow_unclassified": False})
    flow.act(flow.ada, "start")
    assert _classify(flow, flow.ada, flow.world.alleles["hboc_rare"], klass="4").status_code == 200
    assert flow.act(flow.ada, "finalize").status_code == 200  # group config replaced workflow_status: any


def test_finishallowed_refuses_changed_samples(flow):
    """ELLA's finishallowed with ``q={"sample_ids": [...]}``: other samples than the analysis' (data appended) → 409."""
    round_id = flow.act(flow.ada, "start").json["id"]
    path = f"{flow.base}/interpretations/{round_id}/finishallowed/"
    [(sample,)] = flow.query(f"SELECT id FROM sample WHERE analysis_id = {flow.analysis}")
    assert flow.ada.get(path, query_string={"q": f'{{"sample_ids": [{sample}]}}'}).status_code == 200
    changed = flow.ada.get(path, query_string={"q": f'{{"sample_ids": [{sample}, {sample + 1000}]}}'})
    assert changed.status_code == 409 and "Additional data" in changed.json["message"]
    bad = flow.ada.get(path, query_string={"q": "[1]"})
    assert bad.status_code == 422 and "sample_ids" in bad.json["message"]


def test_work_log_sets_priority_and_comment(flow):
    path = f"{flow.base}/logs/"
    assert flow.ada.post(path, json={"priority": 3, "review_comment": "urgent family"}).status_code == 201
    assert flow.ada.post(path, json={"message": "called the lab"}).status_code == 201
    log = flow.ada.get(path).json
    assert [e["message"] for e in log["logs"]][-1] == "called the lab"
    authors = {u["id"]: u["username"] for u in log["users"]}
    assert authors[log["logs"][-1]["user_id"]] == "ada"
    [item] = flow.ada.get("/api/v1/overviews/analyses/").json["not_started"]
    assert item["priority"] == 3 and item["review_comment"] == "urgent family"
    assert flow.ada.post(path, json={"priority": 7}).status_code == 422
    assert flow.ada.post(path, json={}).status_code == 422


def test_variant_workflow(flow):
    allele = flow.world.alleles["hboc_rare"]
    base = f"/api/v1/workflows/alleles/{allele}"
    assert (
        flow.ada.post(f"{base}/actions/start/", json={"gp_name": "Ciliopathy", "gp_version": "v1.0.0"}).status_code
        == 404
    )
    started = flow.ada.post(f"{base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"})
    assert started.status_code == 200 and started.json["genepanel"] == {"name": "HBOC", "version": "v1.0.0"}
    assert flow.ada.post(f"{base}/actions/marknotready/").status_code == 404
    review = flow.ada.post(f"{base}/actions/markreview/")
    assert review.status_code == 200 and review.json["workflow_status"] == "Review"
    assert flow.bob.post(f"{base}/actions/start/").status_code == 200
    body = {
        "allele_id": allele,
        "annotation_id": flow.world.annotations[allele],
        "alleleassessment": {"classification": "2"},
    }
    assert flow.bob.post(f"{base}/actions/finalizeallele/", json=body).status_code == 200
    finished = flow.bob.post(f"{base}/actions/finalize/")
    assert finished.status_code == 200 and finished.json["finalized"] is True
    items = flow.ada.get("/api/v1/overviews/alleles/finalized/").json
    assert [i["allele"]["id"] for i in items] == [allele]
    assert items[0]["allele"]["classification"]["classification"] == "2"


def test_concurrent_start_gives_one_winner(pg, template, tmp_path):
    """Two users press START at the same moment: one gets the round, the other a 409."""
    import threading

    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        path = f"/api/v1/workflows/analyses/{world.analyses['hboc']}/actions/start/"
        clients = [Api(app, url, world.users[u]) for u in ("ada", "bob")]
        results: list[int] = []
        barrier = threading.Barrier(2)

        def press(api: Api) -> None:
            barrier.wait()
            results.append(api.post(path).status_code)

        threads = [threading.Thread(target=press, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [200, 409]
