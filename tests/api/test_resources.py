"""References, broadcasts, the merged user config and gene panels."""

from __future__ import annotations

import pytest

from ella_app.db.models import Broadcast, Reference, User, UserGroup
from tests.api.factories import Api, World, build_world, copy_db, make_app, session_for, template_db


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    def build(session) -> World:
        world = build_world(session)
        session.add_all(
            [
                Reference(pubmed_id=123, title="Germline BRCA2 mutations", authors="Smith J", journal="Nature"),
                Reference(pubmed_id=456, title="Cilia and kidneys", authors="Doe A", journal="Cell"),
                Broadcast(message="Maintenance tonight", active=True),
                Broadcast(message="Old news", active=False),
            ]
        )
        group = session.get(UserGroup, world.groups["hboc"])
        group.config = {"overview": {"views": ["analyses"]}, "comment_templates": [{"name": "t"}]}
        user = session.get(User, world.users["bob"])
        user.config = {"overview": {"views": ["variants"]}}
        return world

    return template_db(pg, build)


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        yield make_app(url, tmp_path), url, world


def test_references_lookup_search_and_create(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    by_pmid = api.get("/api/v1/references/?pubmed_ids=123,999").json
    assert [r["title"] for r in by_pmid] == ["Germline BRCA2 mutations"]
    by_id = api.get(f"/api/v1/references/?ids={by_pmid[0]['id']}").json
    assert by_id == by_pmid
    found = api.get("/api/v1/references/?q=kidney")
    assert [r["pubmed_id"] for r in found.json] == [456] and found.headers["Total-Count"] == "1"
    assert api.get("/api/v1/references/?q=%27%22%3B--").status_code == 200
    created = api.post("/api/v1/references/", json={"title": "In-house study", "authors": "Lab", "year": "2024"})
    assert created.status_code == 201 and created.json["pubmed_id"] is None and created.json["published"] is False
    existing = api.post("/api/v1/references/", json={"pubmed_id": 123, "title": "whatever"})
    assert existing.status_code == 200 and existing.json["title"] == "Germline BRCA2 mutations"
    assert api.post("/api/v1/references/", json={"pubmed_id": "x", "title": "t"}).status_code == 422
    assert api.post("/api/v1/references/", json={"title": "a\u0000b"}).status_code == 422
    assert api.get("/api/v1/references/?ids=1,x").status_code == 422


def test_broadcasts_are_the_active_ones(env):
    app, url, world = env
    messages = [b["message"] for b in Api(app, url, world.users["ada"]).get("/api/v1/broadcasts/").json]
    assert messages == ["Maintenance tonight"]


def test_config_merges_app_group_user_shallowly(env):
    app, url, world = env
    base = Api(app, url, None).get("/api/v1/config/").json
    assert base["user"]["user_config"]["overview"]["views"] == ["analyses", "variants"]
    assert "auth" in base["user"] and "annotation_service" not in base["app"]
    ada = Api(app, url, world.users["ada"]).get("/api/v1/config/").json["user"]["user_config"]
    assert ada["overview"] == {"views": ["analyses"]} and ada["comment_templates"] == [{"name": "t"}]
    assert ada["workflows"]["analysis"]["finalize_requirements"]["workflow_status"][-2:] == ["Review", "Medical review"]
    bob = Api(app, url, world.users["bob"]).get("/api/v1/config/").json["user"]["user_config"]
    assert bob["overview"] == {"views": ["variants"]}
    cid = Api(app, url, world.users["cid"]).get("/api/v1/config/").json["user"]["user_config"]
    assert cid["overview"]["views"] == ["analyses", "variants"]
    assert Api(app, url, world.users["ada"]).get("/api/v1/config/").json["classification"]["options"][0]["value"] == "U"


def test_genepanels(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    [panel] = api.get("/api/v1/genepanels/").json
    assert (panel["name"], panel["version"], panel["gene_count"], panel["transcript_count"]) == ("HBOC", "v1.0.0", 2, 2)
    detail = api.get("/api/v1/genepanels/HBOC/v1.0.0/").json
    assert [g["symbol"] for g in detail["genes"]] == ["BRCA1", "BRCA2"]
    brca2 = detail["genes"][1]
    assert brca2["transcripts"][0]["transcript_name"] == "NM_000059.3" and brca2["inheritance"] == "AD"
    assert brca2["phenotypes"][0]["description"] == "BRCA2 disease"
    assert api.get("/api/v1/genepanels/HBOC/v9/").status_code == 404
    assert api.get("/api/v1/genepanels/HB%00OC/v1.0.0/").status_code == 422


def test_session_of_deactivated_user_is_refused(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert api.get("/api/v1/broadcasts/").status_code == 200
    with session_for(url) as session:
        session.get(User, world.users["ada"]).active = False
        session.commit()
    assert api.get("/api/v1/broadcasts/").status_code == 403
