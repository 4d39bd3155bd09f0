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


@pytest.fixture
def flow(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        yield Flow(make_app(url, tmp_path), url, world)


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


def test_allow_unclassified_false_needs_classification_or_technical(flow):
    with session_for(flow.url) as session:
        group = session.get(UserGroup, flow.world.groups["hboc"])
        group.config = {
            "workflows": {
                "analysis": {
                    "finalize_requirements": {
                        "workflow_status": ["Interpretation"],
                        "allow_unclassified": False,
                        "allow_technical": True,
                    }
                }
            }
        }
        session.commit()
    first = flow.act(flow.ada, "start").json["id"]
    refused = flow.act(flow.ada, "finalize")
    assert refused.status_code == 409 and "1 variant(s) are not classified" in refused.json["message"]
    rare = flow.world.alleles["hboc_rare"]
    state = {"allele": {str(rare): {"analysis": {"verification": "technical"}}}}
    assert flow.ada.patch(f"{flow.base}/interpretations/{first}/", json={"state": state}).status_code == 200
    assert flow.act(flow.ada, "finalize").status_code == 200


def test_classified_variant_allows_finalize(flow):
    with session_for(flow.url) as session:
        group = session.get(UserGroup, flow.world.groups["hboc"])
        group.config = {"workflows": {"analysis": {"finalize_requirements": {"allow_unclassified": False}}}}
        session.commit()
    flow.act(flow.ada, "start")
    rare = flow.world.alleles["hboc_rare"]
    body = {
        "allele_id": rare,
        "annotation_id": flow.world.annotations[rare],
        "alleleassessment": {"classification": "4", "presented_alleleassessment_id": None},
    }
    assert flow.act(flow.ada, "finalizeallele", body).status_code == 200
    assert flow.act(flow.ada, "finalize").status_code == 200  # group config replaced workflow_status: any


def test_work_log_sets_priority_and_comment(flow):
    path = f"{flow.base}/logs/"
    assert flow.ada.post(path, json={"priority": 3, "review_comment": "urgent family"}).status_code == 201
    assert flow.ada.post(path, json={"message": "called the lab"}).status_code == 201
    log = flow.ada.get(path).json
    assert [e["message"] for e in log][-1] == "called the lab" and log[-1]["user"]["username"] == "ada"
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
