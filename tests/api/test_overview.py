"""Worklists: analyses by workflow category with priority and comments, finalized (paged), and variants."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis, AnalysisInterpretation, InterpretationLog
from ella_app.services import overview
from tests.api.factories import (
    BRCA1,
    BRCA2,
    HBOC,
    Api,
    brca2_variant,
    copy_db,
    make_allele_interpretation,
    make_analysis,
    make_app,
    make_group,
    make_panel,
    make_user,
    session_for,
    template_db,
)
from tests.support.statements import recorded

ANALYSES = "/api/v1/overviews/analyses/"
FINALIZED = "/api/v1/overviews/analyses/finalized/"


def _round(session: Session, analysis_id: int) -> AnalysisInterpretation:
    return session.scalars(
        select(AnalysisInterpretation).where(AnalysisInterpretation.analysis_id == analysis_id)
    ).one()


def build(session: Session) -> dict[str, Any]:
    make_panel(session, *HBOC, [BRCA1, BRCA2])
    group = make_group(session, "lab", [HBOC])
    ada, bob = make_user(session, "ada", group), make_user(session, "bob", group)
    ids: dict[str, Any] = {"ada": ada.id, "bob": bob.id}

    def analysis(name: str, pos: int, **kw: Any) -> int:
        found, _ = make_analysis(session, name, HBOC, [brca2_variant(pos)], **kw)
        ids[name] = found.id
        return found.id

    analysis("notready", 32890600, workflow_status="Not ready", warnings="low coverage")
    analysis("new-low", 32890601, priority=1)
    analysis("new-urgent", 32890602, priority=3)
    session.get(Analysis, analysis("new-fallback", 32890603, priority=None)).properties = {"priority": 2}
    analysis("review", 32890604, workflow_status="Review")
    analysis("medical", 32890605, workflow_status="Medical review")
    for name, owner in (("mine", ada), ("theirs", bob)):
        aid = analysis(name, 32890606 if name == "mine" else 32890607)
        current = _round(session, aid)
        current.status, current.user_id = "Ongoing", owner.id
    for n in range(3):
        aid = analysis(f"done-{n}", 32890610 + n)
        current = _round(session, aid)
        current.status, current.finalized = "Done", True
    session.add(InterpretationLog(analysis_id=ids["new-low"], user_id=ada.id, review_comment="check BRCA2"))
    session.add(InterpretationLog(analysis_id=ids["new-low"], user_id=ada.id, priority=2))
    session.add(InterpretationLog(analysis_id=ids["notready"], user_id=ada.id, warning_cleared=True))
    for index, host_name in enumerate(("variants-host", "variants-host-2")):
        host, [allele] = make_analysis(session, host_name, HBOC, [brca2_variant(32890700 + index)])
        current = _round(session, host.id)
        current.status, current.finalized = "Done", True
        if index == 0:
            ids["allele_new"] = make_allele_interpretation(session, allele, HBOC).allele_id
        else:
            make_allele_interpretation(session, allele, HBOC, status="Ongoing", user_id=bob.id)
            ids["allele_theirs"] = allele.id
    session.flush()
    return ids


@pytest.fixture(scope="module")
def world(pg, tmp_path_factory):
    name, ids = template_db(pg, build)
    with copy_db(pg, name) as url:
        yield make_app(url, tmp_path_factory.mktemp("data")), url, ids


def test_analyses_by_category_with_priority_and_comment(world):
    app, url, ids = world
    body = Api(app, url, ids["ada"]).get(ANALYSES).json
    names = {key: [a["name"] for a in items] for key, items in body.items()}
    assert names["not_ready"] == ["notready"]
    assert names["not_started"] == ["new-urgent", "new-low", "new-fallback"]  # priority, then oldest
    assert names["marked_review"] == ["review"]
    assert names["marked_medicalreview"] == ["medical"]
    assert names["ongoing_user"] == ["mine"]
    assert names["ongoing_others"] == ["theirs"]
    by_name = {a["name"]: a for items in body.values() for a in items}
    assert by_name["new-low"]["priority"] == 2 and by_name["new-low"]["review_comment"] == "check BRCA2"
    assert by_name["new-urgent"]["priority"] == 3
    assert by_name["new-fallback"]["priority"] == 2  # from analysis.properties
    assert by_name["notready"]["warnings"] == "low coverage" and by_name["notready"]["warning_cleared"] is True
    assert by_name["theirs"]["interpretations"][-1]["user"]["username"] == "bob"
    assert by_name["mine"]["samples"][0]["proband"] is True
    # bob sees the same analyses, with "mine"/"theirs" swapped
    other = Api(app, url, ids["bob"]).get(ANALYSES).json
    assert [a["name"] for a in other["ongoing_user"]] == ["theirs"]


def test_finalized_is_paged_with_headers(world):
    app, url, ids = world
    api = Api(app, url, ids["ada"])
    first = api.get(FINALIZED + "?page=1&per_page=2")
    assert first.status_code == 200 and len(first.json) == 2
    assert first.headers["Total-Count"] == "5" and first.headers["Page"] == "1" and first.headers["Per-Page"] == "2"
    assert first.headers["Total-Pages"] == "3"
    second = api.get(FINALIZED + "?page=3&per_page=2").json
    names = [a["name"] for a in first.json + api.get(FINALIZED + "?page=2&per_page=2").json + second]
    assert len(set(names)) == 5 and all(n.startswith(("done-", "variants-host")) for n in names)
    assert api.get(FINALIZED + "?page=9").json == []


@pytest.mark.parametrize("query", ["per_page=51", "per_page=0", "page=0", "page=x", "per_page=1.5", "page=-1"])
def test_bad_paging_is_422(world, query):
    app, url, ids = world
    response = Api(app, url, ids["ada"]).get(f"{FINALIZED}?{query}")
    assert response.status_code == 422 and response.json["error"] == "InputError"


def test_variants_worklist(world):
    app, url, ids = world
    body = Api(app, url, ids["ada"]).get("/api/v1/overviews/alleles/").json
    assert [i["allele"]["id"] for i in body["not_started"]] == [ids["allele_new"]]
    assert [i["allele"]["id"] for i in body["ongoing_others"]] == [ids["allele_theirs"]]
    item = body["not_started"][0]
    assert item["genepanel"] == {"name": "HBOC", "version": "v1.0.0"}
    assert item["allele"]["genes"][0]["symbol"] == "BRCA2"
    assert item["allele"]["transcripts"][0]["hgvsc"].startswith("c.")
    finalized = Api(app, url, ids["ada"]).get("/api/v1/overviews/alleles/finalized/")
    assert finalized.status_code == 200 and finalized.json == [] and finalized.headers["Total-Count"] == "0"


def test_overview_built_by_the_database_matches_the_analysis_summaries(world):
    """The one-query overview (JSON built by PostgreSQL) says exactly what ``analysis_summaries`` (the analyses
    list and page) says of each analysis: same fields, values, date formats and order of samples and rounds."""
    app, url, ids = world
    body = Api(app, url, ids["ada"]).get(ANALYSES).json
    listed = [a for items in body.values() for a in items]
    with session_for(url) as session:
        rows = session.scalars(select(Analysis).where(Analysis.id.in_([a["id"] for a in listed]))).all()
        reference = {a["id"]: a for a in overview.analysis_summaries(session, list(rows))}
    assert listed and all(item == reference[item["id"]] for item in listed)


def test_overview_etag_answers_304_until_something_changes(world):
    app, url, ids = world
    api = Api(app, url, ids["ada"])
    first = api.get(ANALYSES)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"') and first.headers["Cache-Control"] == "no-store"
    again = api.get(ANALYSES, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    # another user gets another tag (the lists are per user)
    assert Api(app, url, ids["bob"]).get(ANALYSES).headers["ETag"] != tag
    # a work-log comment (only an interpretationlog row) changes the tag, and the answer
    with session_for(url) as session:
        session.add(InterpretationLog(analysis_id=ids["review"], user_id=ids["ada"], review_comment="new comment"))
        session.commit()
    changed = api.get(ANALYSES, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert next(a for a in changed.json["marked_review"] if a["name"] == "review")["review_comment"] == "new comment"
    # an update in place (a round taken over) changes it too
    tag = changed.headers["ETag"]
    with session_for(url) as session:
        _round(session, ids["theirs"]).user_id = ids["ada"]
        session.commit()
    moved = api.get(ANALYSES, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and [a["name"] for a in moved.json["ongoing_user"]] == ["mine", "theirs"]
    finalized = api.get(FINALIZED)
    assert api.get(FINALIZED, headers={"If-None-Match": finalized.headers["ETag"]}).status_code == 304
    assert api.get(FINALIZED + "?page=2", headers={"If-None-Match": finalized.headers["ETag"]}).status_code == 200


def _besides_session_and_tag(statements: list[str]) -> list[str]:
    return [s for s in statements if "auth_session_by_token" not in s and "overview_version" not in s]


def test_an_unchanged_worklist_is_answered_from_memory_and_a_changed_one_is_built_again(world):
    """Full answers (no If-None-Match) kept per worker under their entity tag (issue 11): the same tag is answered
    without building the lists; another user has their own answer; after a change the lists are built again."""
    app, url, ids = world
    api = Api(app, url, ids["ada"])
    built = "overview_analyses"  # the one (prepared) query that builds the analyses worklists
    first = api.get(ANALYSES)
    with recorded(url) as statements:
        second = api.get(ANALYSES)
    assert second.status_code == 200 and second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert statements and not [s for s in statements if built in s]
    assert _besides_session_and_tag(statements) == [], statements
    theirs = Api(app, url, ids["bob"]).get(ANALYSES).json
    assert "mine" in [a["name"] for a in first.json["ongoing_user"]]
    assert "mine" not in [a["name"] for a in theirs["ongoing_user"]]
    with session_for(url) as session:
        session.add(InterpretationLog(analysis_id=ids["medical"], user_id=ids["ada"], review_comment="kept?"))
        session.commit()
    with recorded(url) as statements:
        third = api.get(ANALYSES)
    assert [s for s in statements if built in s] and third.headers["ETag"] != first.headers["ETag"]
    medical = next(a for a in third.json["marked_medicalreview"] if a["name"] == "medical")
    assert medical["review_comment"] == "kept?"
    # the finalized pages: each page its own answer, with its paging headers
    page_1 = api.get(FINALIZED + "?per_page=2")
    with recorded(url) as statements:
        again = api.get(FINALIZED + "?per_page=2")
    page_2 = api.get(FINALIZED + "?per_page=2&page=2")
    assert again.data == page_1.data and again.headers["Total-Count"] == page_1.headers["Total-Count"] == "5"
    assert _besides_session_and_tag(statements) == [], statements
    assert page_2.headers["Page"] == "2" and page_2.json and page_2.json[0] not in page_1.json
