"""Classifying variants (finalizeallele): class from the config, ACMG criteria with strength, comments,
references; append-only history with supersession; 409 when the shown classification is stale."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.db.models import Reference
from tests.api.factories import Api, World, build_world, copy_db, make_app, session_for, template_db


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    def build(session: Any) -> World:
        world = build_world(session)
        session.add_all([Reference(pubmed_id=123, title="BRCA2 paper"), Reference(pubmed_id=456, title="Other")])
        return world

    return template_db(pg, build)


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        ada, bob = Api(app, url, world.users["ada"]), Api(app, url, world.users["bob"])
        base = f"/api/v1/workflows/analyses/{world.analyses['hboc']}"
        assert ada.post(f"{base}/actions/start/").status_code == 200
        yield ada, bob, base, world, url


def _payload(
    world: World, allele: int, classification: str = "4", presented: int | None = None, **more: Any
) -> dict[str, Any]:
    return {
        "allele_id": allele,
        "annotation_id": world.annotations[allele],
        "alleleassessment": {
            "classification": classification,
            "evaluation": {
                "acmg": {
                    "included": [
                        {"code": "PM2", "comment": "absent in gnomAD"},
                        {"code": "PM1", "strength": "PS"},
                        {"code": "PPxPS3"},
                    ]
                },
                "classification": {"comment": "<p>Likely pathogenic</p>"},
            },
            "presented_alleleassessment_id": presented,
        },
        "allelereport": {
            "evaluation": {"comment": "Report text"},
            "presented_allelereport_id": more.pop("report", None),
        },
        **more,
    }


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def test_classify_then_reclassify_keeps_history(env):
    ada, _, base, world, url = env
    allele = world.alleles["hboc_rare"]
    first = ada.post(f"{base}/actions/finalizeallele/", json=_payload(world, allele))
    assert first.status_code == 200, first.json
    assessment = first.json["alleleassessment"]
    assert assessment["classification"] == "4" and assessment["user"]["username"] == "ada"
    assert assessment["analysis_id"] == world.analyses["hboc"] and assessment["genepanel"]["name"] == "HBOC"
    criteria = assessment["evaluation"]["acmg"]["included"]
    assert [(c["code"], c["base"], c["strength"]) for c in criteria] == [
        ("PM2", "PM2", "PM"),
        ("PSxPM1", "PM1", "PS"),
        ("PPxPS3", "PS3", "PP"),
    ]
    assert first.json["allelereport"]["evaluation"] == {"comment": "Report text"}

    second = ada.post(
        f"{base}/actions/finalizeallele/",
        json=_payload(world, allele, "5", presented=assessment["id"], report=first.json["allelereport"]["id"]),
    )
    assert second.status_code == 200, second.json
    history = ada.get(f"/api/v1/alleleassessments/?allele_ids={allele}&include_superseded=true").json
    assert [(h["classification"], h["date_superceeded"] is None) for h in history] == [("5", True), ("4", False)]
    assert history[0]["previous_assessment_id"] == history[1]["id"]
    current = ada.get(f"/api/v1/alleleassessments/?allele_ids={allele}").json
    assert [c["classification"] for c in current] == ["5"]
    one = ada.get(f"/api/v1/alleleassessments/{history[1]['id']}/").json
    assert one["classification"] == "4" and one["date_superceeded"] is not None
    reports = ada.get(f"/api/v1/allelereports/?allele_ids={allele}&include_superseded=true").json
    assert len(reports) == 2 and reports[0]["alleleassessment_id"] == history[0]["id"]
    assert _rows(url, f"SELECT count(*) FROM alleleassessment WHERE allele_id = {allele}") == [(2,)]


def test_stale_presented_classification_is_409(env):
    ada, _, base, world, _ = env
    allele = world.alleles["hboc_rare"]
    assert ada.post(f"{base}/actions/finalizeallele/", json=_payload(world, allele)).status_code == 200
    stale = ada.post(f"{base}/actions/finalizeallele/", json=_payload(world, allele, "2"))
    assert stale.status_code == 409 and "changed since it was shown" in stale.json["message"]
    assert [a["classification"] for a in ada.get(f"/api/v1/alleleassessments/?allele_ids={allele}").json] == ["4"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"alleleassessment": {"classification": "7"}}, "alleleassessment.classification"),
        (
            {"alleleassessment": {"classification": "3", "evaluation": {"acmg": {"included": [{"code": "XX1"}]}}}},
            "alleleassessment.evaluation.acmg.included.0",
        ),
        (
            {
                "alleleassessment": {
                    "classification": "3",
                    "evaluation": {"acmg": {"included": [{"code": "PM2", "strength": "BS"}]}},
                }
            },
            "alleleassessment.evaluation.acmg.included.0",
        ),
        (
            {
                "alleleassessment": {
                    "classification": "3",
                    "evaluation": {"acmg": {"included": [{"code": "PM2"}, {"code": "PPxPM2"}]}},
                }
            },
            "alleleassessment.evaluation.acmg",
        ),
        ({"alleleassessment": {"classification": "3"}, "extra": 1}, None),
        ({"alleleassessment": {"reuse": True}}, "alleleassessment.reuse"),
        ({"alleleassessment": {"classification": "3"}, "annotation_id": 999999}, "annotation_id"),
    ],
)
def test_invalid_classifications_are_422(env, change, key):
    ada, _, base, world, url = env
    allele = world.alleles["hboc_rare"]
    body = {"allele_id": allele, "annotation_id": world.annotations[allele], **change}
    response = ada.post(f"{base}/actions/finalizeallele/", json=body)
    assert response.status_code == 422, response.json
    if key:
        assert f"key '{key}'" in response.json["message"]
    assert _rows(url, "SELECT count(*) FROM alleleassessment") == [(0,)]


def test_only_owner_of_ongoing_round_and_variants_of_the_analysis(env):
    ada, bob, base, world, _ = env
    assert (
        bob.post(f"{base}/actions/finalizeallele/", json=_payload(world, world.alleles["hboc_rare"])).status_code == 409
    )
    other = ada.post(f"{base}/actions/finalizeallele/", json=_payload(world, world.alleles["cilio"]))
    assert other.status_code == 404


def test_reference_assessments_and_reuse(env):
    ada, _, base, world, url = env
    allele = world.alleles["hboc_rare"]
    with session_for(url) as session:
        ref_id = session.query(Reference.id).filter_by(pubmed_id=123).scalar()
    body = _payload(world, allele, referenceassessments=[{"reference_id": ref_id, "evaluation": {"relevance": "Yes"}}])
    created = ada.post(f"{base}/actions/finalizeallele/", json=body).json
    assert len(created["referenceassessment_ids"]) == 1
    ras = ada.get(f"/api/v1/referenceassessments/?allele_ids={allele}").json
    assert ras[0]["reference_id"] == ref_id and ras[0]["evaluation"] == {"relevance": "Yes"}
    missing = _payload(
        world,
        allele,
        presented=created["alleleassessment_id"],
        report=created["allelereport_id"],
        referenceassessments=[{"reference_id": 99999, "evaluation": {}}],
    )
    assert ada.post(f"{base}/actions/finalizeallele/", json=missing).status_code == 404
    reuse = {
        "allele_id": allele,
        "annotation_id": world.annotations[allele],
        "alleleassessment": {"reuse": True, "presented_alleleassessment_id": created["alleleassessment_id"]},
        "allelereport": {"reuse": True, "presented_allelereport_id": created["allelereport_id"]},
    }
    reused = ada.post(f"{base}/actions/finalizeallele/", json=reuse)
    assert reused.status_code == 200 and reused.json["alleleassessment_id"] == created["alleleassessment_id"]
    assert _rows(url, f"SELECT count(*) FROM alleleassessment WHERE allele_id = {allele}") == [(1,)]


def test_classification_filter_then_hides_class_1_and_2(env):
    ada, _, base, world, _ = env
    # the default config of the world has no classification filter; the variant list shows the class
    allele = world.alleles["hboc_rare"]
    assert ada.post(f"{base}/actions/finalizeallele/", json=_payload(world, allele, "2")).status_code == 200
    rounds = ada.get(f"{base}/interpretations/").json
    shown = ada.get(f"{base}/interpretations/{rounds[-1]['id']}/alleles/").json
    assert shown[0]["classification"]["classification"] == "2" and shown[0]["classification"]["outdated"] is False
    ids = ada.get(f"{base}/interpretations/{rounds[-1]['id']}/filteredalleles/").json
    assert ids["classifications"][str(allele)] == {"classification": "2", "outdated": False}
