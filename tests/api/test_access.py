"""The access matrix (spec §2.2, S06): every read and write route, asked by a user of another group, answers
404 with an error body and changes nothing; asked by a user of the owning group, it does not answer 404/403."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.db.models import Allele, AlleleReport, InterpretationLog, Reference, ReferenceAssessment, User, UserGroup
from tests.api.factories import (
    HBOC,
    Api,
    World,
    build_world,
    classify,
    copy_db,
    make_allele_interpretation,
    make_app,
    make_filterconfig,
    template_db,
)

A = "{analysis}"
ROUND = "{interpretation}"
VARIANT = "{allele}"
VROUND = "{allele_round}"
ASSESSMENT = "{assessment}"
REPORT = "{report}"
REF_ASSESSMENT = "{reference_assessment}"
LOG = "{log}"
VLOG = "{allele_log}"
FILTERCONFIG = "{filterconfig}"

READS = [
    f"/api/v1/analyses/{A}/",
    f"/api/v1/alleles/{VARIANT}/",
    f"/api/v1/alleles/{VARIANT}/?analysis_id={A}",
    f"/api/v1/alleles/?allele_ids={VARIANT}",
    f"/api/v1/alleles/{VARIANT}/analyses/",
    f"/api/v1/alleleassessments/?allele_ids={VARIANT}",
    f"/api/v1/alleleassessments/{ASSESSMENT}/",
    f"/api/v1/allelereports/?allele_ids={VARIANT}",
    f"/api/v1/referenceassessments/?allele_ids={VARIANT}",
    "/api/v1/genepanels/HBOC/v1.0.0/",
    f"/api/v1/igv/tracks/{A}/",
    "/api/v1/igv/tracks/dynamic/genepanel/HBOC/v1.0.0",
    f"/api/v1/igv/tracks/dynamic/variants/{A}",
    f"/api/v1/igv/tracks/dynamic/regions_of_interest/{A}",
    f"/api/v1/igv/tracks/analyses/{A}/reads.bam",
    f"/api/v1/workflows/analyses/{A}/interpretations/",
    f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/",
    f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/alleles/",
    f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/filteredalleles/",
    f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/finishallowed/",
    f"/api/v1/workflows/analyses/{A}/filterconfigs/",
    f"/api/v1/workflows/analyses/{A}/logs/",
    f"/api/v1/workflows/alleles/{VARIANT}/interpretations/",
    f"/api/v1/workflows/alleles/{VARIANT}/interpretations/{VROUND}/",
    f"/api/v1/workflows/alleles/{VARIANT}/interpretations/{VROUND}/finishallowed/",
    f"/api/v1/workflows/alleles/{VARIANT}/logs/",
    f"/api/v1/workflows/analyses/{A}/collisions/?allele_ids={VARIANT}",
    f"/api/v1/workflows/alleles/{VARIANT}/collisions/",
    f"/api/v1/workflows/similar_alleles/HBOC/v1.0.0/?allele_ids={VARIANT}",
    f"/api/v1/attachments/analyses/{A}/0/",
    f"/api/v1/alleles/by-gene/?allele_ids={VARIANT}",
    f"/api/v1/allelereports/{REPORT}/",
    f"/api/v1/referenceassessments/{REF_ASSESSMENT}/",
    f"/api/v1/filterconfigs/{FILTERCONFIG}",
    "/api/v1/users/{ada}/",
    f"/api/v1/workflows/analyses/{A}/stats/",
    f"/api/v1/workflows/analyses/{A}/snapshots/",
    f"/api/v1/workflows/analyses/{A}/actions/finalize/",
    f"/api/v1/workflows/analyses/{A}/genepanels/HBOC/v1.0.0/?allele_ids={VARIANT}",
    f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/finishallowed",
    f"/api/v1/workflows/alleles/{VARIANT}/snapshots/",
    f"/api/v1/workflows/alleles/{VARIANT}/actions/finalize/",
    f"/api/v1/workflows/alleles/{VARIANT}/genepanels/",
    f"/api/v1/workflows/alleles/{VARIANT}/genepanels/HBOC/v1.0.0/",
    f"/api/v1/workflows/alleles/{VARIANT}/interpretations/{VROUND}/alleles/",
    "/api/v1/igv/tracks/dynamic/genepanel/HBOC/v1.0.0/",
    f"/api/v1/igv/tracks/dynamic/variants/{A}/",
    f"/api/v1/igv/tracks/dynamic/regions_of_interest/{A}/",
]
ANALYSIS_ACTIONS = [
    "start",
    "override",
    "markreview",
    "marknotready",
    "markinterpretation",
    "markmedicalreview",
    "finalize",
    "reopen",
]
WRITES: list[tuple[str, str, Any]] = [
    ("PATCH", f"/api/v1/workflows/analyses/{A}/interpretations/{ROUND}/", {"state": {"x": 1}}),
    *[("POST", f"/api/v1/workflows/analyses/{A}/actions/{name}/", None) for name in ANALYSIS_ACTIONS],
    (
        "POST",
        f"/api/v1/workflows/analyses/{A}/actions/finalizeallele/",
        {"allele_id": VARIANT, "alleleassessment": {"classification": "3"}},
    ),
    ("POST", f"/api/v1/workflows/analyses/{A}/logs/", {"message": "hello", "priority": 3}),
    ("PATCH", f"/api/v1/workflows/alleles/{VARIANT}/interpretations/{VROUND}/", {"state": {"x": 1}}),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/actions/start/", {"gp_name": "HBOC", "gp_version": "v1.0.0"}),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/actions/override/", None),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/actions/finalize/", None),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/actions/reopen/", None),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/actions/markreview/", None),
    (
        "POST",
        f"/api/v1/workflows/alleles/{VARIANT}/actions/finalizeallele/",
        {"allele_id": VARIANT, "alleleassessment": {"classification": "3"}},
    ),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/logs/", {"message": "hello"}),
    (
        "POST",
        "/api/v1/geneassessments/",
        {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "evaluation": {"comment": "x"}},
    ),
    ("POST", "/api/v1/customannotations/", {"allele_id": VARIANT, "annotations": {"x": 1}}),
    ("PATCH", f"/api/v1/workflows/analyses/{A}/logs/{LOG}/", {"message": "changed"}),
    ("DELETE", f"/api/v1/workflows/analyses/{A}/logs/{LOG}/", None),
    ("PATCH", f"/api/v1/workflows/alleles/{VARIANT}/logs/{VLOG}/", {"message": "changed"}),
    ("DELETE", f"/api/v1/workflows/alleles/{VARIANT}/logs/{VLOG}/", None),
    ("POST", f"/api/v1/workflows/analyses/{A}/snapshots/", None),
    ("POST", f"/api/v1/workflows/alleles/{VARIANT}/snapshots/", None),
    (
        "POST",
        "/api/v1/referenceassessments/",
        {
            "allele_id": VARIANT,
            "reference_id": "{reference}",
            "evaluation": {"relevance": "Yes"},
            "genepanel_name": "HBOC",
            "genepanel_version": "v1.0.0",
        },
    ),
]
WATCHED = (
    "analysisinterpretation",
    "alleleinterpretation",
    "interpretationlog",
    "alleleassessment",
    "allelereport",
    "referenceassessment",
    "interpretationstatehistory",
    "analysisinterpretationsnapshot",
    "geneassessment",
    "customannotation",
    "alleleinterpretationsnapshot",
)


def build(session: Any) -> World:
    """The standard world plus, on an HBOC variant: a classification with report, a reference assessment, a
    variant-workflow round, work log messages by ada, and a filter config of hboc-lab only."""
    world = build_world(session)
    allele = session.get(Allele, world.alleles["hboc_rare"])
    ada = session.get(User, world.users["ada"])
    assessment = classify(session, allele, ada, "4", panel=HBOC)
    report = AlleleReport(allele_id=allele.id, evaluation={}, user_id=ada.id, alleleassessment_id=assessment.id)
    reference = Reference(title="A study")
    session.add_all([report, reference])
    session.flush()
    reference_assessment = ReferenceAssessment(
        allele_id=allele.id,
        reference_id=reference.id,
        evaluation={},
        user_id=ada.id,
        genepanel_name=HBOC[0],
        genepanel_version=HBOC[1],
    )
    world.allele_interpretations["hboc"] = make_allele_interpretation(session, allele, HBOC).id
    logs = [
        InterpretationLog(
            analysis_id=world.analyses["hboc"],
            analysisinterpretation_id=world.interpretations["hboc"],
            user_id=ada.id,
            message="a note",
        ),
        InterpretationLog(
            allele_id=allele.id,
            alleleinterpretation_id=world.allele_interpretations["hboc"],
            user_id=ada.id,
            message="a note",
        ),
    ]
    session.add_all([reference_assessment, *logs])
    session.flush()
    hboc_only = make_filterconfig(session, "HBOC only", [], {session.get(UserGroup, world.groups["hboc"]): 1})
    world.extra = {
        "assessment": assessment.id,
        "report": report.id,
        "reference": reference.id,
        "reference_assessment": reference_assessment.id,
        "log": logs[0].id,
        "allele_log": logs[1].id,
        "filterconfig": hboc_only.id,
    }
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


@pytest.fixture(scope="module")
def shared(pg, template, tmp_path_factory) -> Any:
    name, world = template
    with copy_db(pg, name) as url:
        data = tmp_path_factory.mktemp("data")
        app = make_app(url, data)
        tracks = data / "analyses/imported/Diag-HBOC-1/tracks"
        tracks.mkdir(parents=True)
        (tracks / "reads.bam").write_bytes(b"BAM")
        (tracks.parent / "attachments").mkdir()
        (tracks.parent / "attachments" / "report.txt").write_bytes(b"report")
        (data / "igv-data/track_config.json").write_text('{"ANALYSIS/.*": {"limit_to_groups": null}}')
        yield app, url, world


def _fill(path: str, world: World) -> str:
    return path.format(
        analysis=world.analyses["hboc"],
        interpretation=world.interpretations["hboc"],
        allele=world.alleles["hboc_rare"],
        allele_round=world.allele_interpretations["hboc"],
        ada=world.users["ada"],
        **{k: world.extra[k] for k in ("assessment", "report", "reference_assessment", "log", "allele_log")},
        filterconfig=world.extra["filterconfig"],
    )


def _body(body: Any, world: World) -> Any:
    if isinstance(body, dict) and body.get("allele_id") == VARIANT:
        allele = world.alleles["hboc_rare"]
        if "reference_id" in body:  # a reference assessment
            return {**body, "allele_id": allele, "reference_id": world.extra["reference"]}
        if "alleleassessment" not in body:  # a custom annotation: ELLA's body is allele_id, annotations, user_id
            return {**body, "allele_id": allele}
        return {**body, "allele_id": allele, "annotation_id": world.annotations[allele]}  # a classification
    return body


def _watched(url: str) -> dict[str, list[Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr) for t in WATCHED}
    engine.dispose()
    return rows


def _send(api: Api, method: str, path: str, body: Any) -> Any:
    return api.client.open(path, method=method, json=body, headers={"X-CSRF-Token": api.csrf})


def _denied(response: Any) -> None:
    assert response.status_code == 404, (response.status_code, response.get_data(as_text=True)[:300])
    assert set(response.json) == {"code", "error", "message"}


@pytest.mark.parametrize("path", READS)
def test_read_routes_deny_other_group(shared, path):
    app, url, world = shared
    _denied(Api(app, url, world.users["cid"]).get(_fill(path, world)))


@pytest.mark.parametrize("path", READS)
def test_read_routes_serve_own_group(shared, path):
    app, url, world = shared
    response = Api(app, url, world.users["ada"]).get(_fill(path, world))
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_write_routes_deny_other_group_and_change_nothing(shared, method, path, body):
    app, url, world = shared
    before = _watched(url)
    _denied(_send(Api(app, url, world.users["cid"]), method, _fill(path, world), _body(body, world)))
    assert _watched(url) == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_write_routes_reach_own_group(pg, template, tmp_path, method, path, body):
    """The same requests by the owning group get past the access check (a workflow 409 is fine)."""
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        response = _send(Api(app, url, world.users["ada"]), method, _fill(path, world), _body(body, world))
        assert response.status_code in (200, 201, 409), response.get_data(as_text=True)[:300]


def test_lists_hold_only_own_group(shared):
    app, url, world = shared
    cid = Api(app, url, world.users["cid"])
    overview = cid.get("/api/v1/overviews/analyses/").json
    listed = {a["id"] for items in overview.values() for a in items}
    assert listed == {world.analyses["cilio"]}
    assert [a["id"] for a in cid.get("/api/v1/analyses/").json] == [world.analyses["cilio"]]
    assert [(p["name"], p["version"]) for p in cid.get("/api/v1/genepanels/").json] == [("Ciliopathy", "v1.0.0")]
    variants = cid.get("/api/v1/overviews/alleles/").json
    assert {i["allele"]["id"] for items in variants.values() for i in items} == {world.alleles["cilio"]}
    assert cid.get("/api/v1/overviews/analyses/finalized/").json == []
    assert "class_4" not in cid.get("/api/v1/igv/tracks/dynamic/classifications").get_data(as_text=True)
    ada = Api(app, url, world.users["ada"])
    assert "class_4" in ada.get("/api/v1/igv/tracks/dynamic/classifications").get_data(as_text=True)
    assert [(p["name"], p["version"]) for p in ada.get("/api/v1/genepanels/").json] == [HBOC]
    assert world.analyses["cilio"] not in {a["id"] for a in ada.get("/api/v1/analyses/").json}
    assert [u["username"] for u in cid.get("/api/v1/users/").json] == ["cid"]
    assert [u["username"] for u in ada.get("/api/v1/users/").json] == ["ada", "bob"]


def test_unauthenticated_is_403_everywhere(shared):
    app, url, world = shared
    anonymous = Api(app, url, None)
    for path in READS:
        assert anonymous.get(_fill(path, world)).status_code == 403, path
    for method, path, body in WRITES:
        assert _send(anonymous, method, _fill(path, world), _body(body, world)).status_code == 403, path


def test_writes_need_the_csrf_header(shared):
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    path = _fill(f"/api/v1/workflows/analyses/{A}/actions/start/", world)
    response = api.client.post(path)
    assert response.status_code == 403 and "CSRF" in response.json["message"]
