"""Collisions (``workflows/{analyses,alleles}/<id>/collisions/``): ELLA's rule of uncommitted work elsewhere,
valid classifications, the asking workflow left out, what another group sees, bad input. ELLA has no API test
of its own for this; the cases follow helpers.get_workflow_allele_collisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, AnalysisInterpretation, User
from tests.api.factories import (
    CILIO,
    HBOC,
    Api,
    World,
    brca2_variant,
    build_world,
    classify,
    copy_db,
    make_allele_interpretation,
    make_analysis,
    make_app,
    template_db,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _round(session: Session, analysis_id: int, minutes: int, **values: Any) -> None:
    session.add(
        AnalysisInterpretation(
            analysis_id=analysis_id,
            genepanel_name=HBOC[0],
            genepanel_version=HBOC[1],
            state={},
            user_state={},
            date_created=T0 + dt.timedelta(minutes=minutes),
            **values,
        )
    )
    session.flush()


def _set_first_round(session: Session, analysis_id: int, **values: Any) -> None:
    first = session.query(AnalysisInterpretation).filter_by(analysis_id=analysis_id).one()
    first.date_created = T0
    for key, value in values.items():
        setattr(first, key, value)
    session.flush()


def build(session: Session) -> World:
    world = build_world(session)
    bob = session.get(User, world.users["bob"])
    ada = session.get(User, world.users["ada"])
    cid = session.get(User, world.users["cid"])
    same = [brca2_variant(32890600), brca2_variant(32890610)]  # hboc_rare, hboc_common
    # B: Ongoing with bob
    b, _ = make_analysis(session, "Diag-HBOC-B", HBOC, same)
    _set_first_round(session, b.id, status="Ongoing", user_id=bob.id)
    # C: a single Not started round: nothing uncommitted
    c, _ = make_analysis(session, "Diag-HBOC-C", HBOC, same)
    # D: two rounds, the latest waiting in Review (not finalized)
    d, _ = make_analysis(session, "Diag-HBOC-D", HBOC, same)
    _set_first_round(session, d.id, status="Done", finalized=False, user_id=ada.id)
    _round(session, d.id, 10, status="Not started", workflow_status="Review")
    # E: two rounds, the latest finalized
    e, _ = make_analysis(session, "Diag-HBOC-E", HBOC, same)
    _set_first_round(session, e.id, status="Done", finalized=False)
    _round(session, e.id, 10, status="Done", finalized=True)
    # F: another group's analysis with the same variant, Ongoing
    f, _ = make_analysis(session, "Diag-Cilio-F", CILIO, [brca2_variant(32890600)])
    _set_first_round(session, f.id, status="Ongoing", user_id=cid.id)
    world.analyses.update({"B": b.id, "C": c.id, "D": d.id, "E": e.id, "F": f.id})
    rare = session.get(Allele, world.alleles["hboc_rare"])
    # rare: outdated class 4 (still collides); common: a fresh class 3 (valid: no analysis collision)
    classify(session, rare, ada, "4", panel=HBOC, days_ago=400)
    classify(session, session.get(Allele, world.alleles["hboc_common"]), ada, "3", panel=HBOC)
    # rare's own variant workflow, Ongoing with bob; and one on the other group's panel
    make_allele_interpretation(session, rare, HBOC, status="Ongoing", user_id=bob.id)
    make_allele_interpretation(session, session.get(Allele, world.alleles["hboc_syn"]), CILIO, status="Ongoing")
    return world


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory) -> Any:
    name, world = template_db(pg, build)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield app, url, world


def _ids(world: World, *keys: str) -> str:
    return ",".join(str(world.alleles[k]) for k in keys)


def summary(items: list[dict[str, Any]], world: World) -> set[tuple[Any, ...]]:
    names = {v: k for k, v in world.alleles.items()}
    return {
        (
            c["type"],
            names[c["allele_id"]],
            c["analysis_name"],
            c["workflow_status"],
            c["user"]["username"] if c["user"] else None,
        )
        for c in items
    }


def test_analysis_collisions(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    query = _ids(world, "hboc_rare", "hboc_common", "hboc_syn")
    response = api.get(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/collisions/?allele_ids={query}")
    assert response.status_code == 200, response.json
    assert summary(response.json, world) == {
        ("analysis", "hboc_rare", "Diag-HBOC-B", "Interpretation", "bob"),
        ("analysis", "hboc_rare", "Diag-HBOC-D", "Review", None),
        ("allele", "hboc_rare", None, "Interpretation", "bob"),
    }
    first = response.json[0]
    assert set(first) == {"type", "allele_id", "analysis_id", "analysis_name", "workflow_status", "user"}
    assert first["user"]["full_name"] == "Bob Tester" and first["analysis_id"] == world.analyses["B"]


def test_the_asking_workflow_is_left_out(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    query = _ids(world, "hboc_rare")
    from_b = api.get(f"/api/v1/workflows/analyses/{world.analyses['B']}/collisions/?allele_ids={query}").json
    assert {c["analysis_name"] for c in from_b} == {"Diag-HBOC-D", None}
    own = api.get(f"/api/v1/workflows/alleles/{world.alleles['hboc_rare']}/collisions/?allele_ids={query}").json
    assert summary(own, world) == {
        ("analysis", "hboc_rare", "Diag-HBOC-B", "Interpretation", "bob"),
        ("analysis", "hboc_rare", "Diag-HBOC-D", "Review", None),
    }
    # without allele_ids the variant workflow still checks its own variant
    assert api.get(f"/api/v1/workflows/alleles/{world.alleles['hboc_rare']}/collisions/").json == own


def test_an_empty_list_answers_nothing(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert api.get(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/collisions/?allele_ids=").json == []


def test_other_groups(env):
    app, url, world = env
    ada, cid = Api(app, url, world.users["ada"]), Api(app, url, world.users["cid"])
    rare = world.alleles["hboc_rare"]
    denied = cid.get(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/collisions/?allele_ids={rare}")
    assert denied.status_code == 404 and set(denied.json) == {"code", "error", "message"}
    # cid sees rare through analysis F, but none of the HBOC group's workflows on it
    assert cid.get(f"/api/v1/workflows/analyses/{world.analyses['F']}/collisions/?allele_ids={rare}").json == []
    assert cid.get(f"/api/v1/workflows/alleles/{world.alleles['hboc_common']}/collisions/").status_code == 404
    # and ada does not see F (cid's, Ongoing) nor the Ciliopathy variant workflow on hboc_syn
    syn = world.alleles["hboc_syn"]
    assert ada.get(f"/api/v1/workflows/alleles/{syn}/collisions/").json == []
    names = {c["analysis_name"] for c in ada.get(f"/api/v1/workflows/alleles/{rare}/collisions/").json}
    assert "Diag-Cilio-F" not in names
    cilio_variant = world.alleles["cilio"]
    path = f"/api/v1/workflows/analyses/{world.analyses['hboc']}/collisions/?allele_ids={rare},{cilio_variant}"
    assert ada.get(path).status_code == 404  # a variant ada may not see


@pytest.mark.parametrize(
    "query", ["", "?allele_ids=abc", "?allele_ids=0", "?allele_ids=1,x", "?allele_ids=99999999999", "?allele_ids=%00"]
)
def test_bad_input_is_422(env, query):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert api.get(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/collisions/{query}").status_code == 422
    if query:
        assert api.get(f"/api/v1/workflows/alleles/{world.alleles['hboc_rare']}/collisions/{query}").status_code == 422


def test_unknown_workflows_are_404(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert api.get("/api/v1/workflows/analyses/999999/collisions/?allele_ids=1").status_code == 404
    assert api.get("/api/v1/workflows/alleles/99999999999/collisions/").status_code == 404
