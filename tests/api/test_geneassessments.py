"""Gene assessments (``/api/v1/geneassessments/``): append-only history with ELLA's presented-id check, who may
see and write them, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ella_app.db.models import GeneAssessment
from tests.api.factories import Api, World, build_world, copy_db, make_app, session_for, template_db


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build_world)


@pytest.fixture
def env(pg, template, tmp_path) -> Any:
    name, world = template
    with copy_db(pg, name) as url:
        yield make_app(url, tmp_path), url, world


def rows(url: str) -> int:
    with session_for(url) as session:
        return int(session.scalar(select(func.count()).select_from(GeneAssessment)) or 0)


def listing(api: Api, q: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/geneassessments/?q={q}")
    assert response.status_code == 200, response.json
    return response.json


def check(result: dict[str, Any], payload: dict[str, Any], world: World, previous: int | None = None) -> None:
    assert result["gene_id"] == payload["gene_id"]
    assert result["evaluation"] == payload["evaluation"]
    assert result["analysis_id"] == payload.get("analysis_id")
    assert (result["genepanel_name"], result["genepanel_version"]) == (
        payload["genepanel_name"],
        payload["genepanel_version"],
    )
    assert result["date_superceeded"] is None
    assert result["user_id"] == world.users["ada"] and result["user"]["username"] == "ada"
    assert result["usergroup_id"] == world.groups["hboc"]
    assert result["previous_assessment_id"] == previous


CURRENT = '{"gene_id": [1101], "date_superceeded": null}'


def test_create_assessment(env):
    """Mirrors ELLA src/api/tests/test_geneassessments.py::test_create_assessment."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    first = {
        "gene_id": 1101,
        "evaluation": {"comment": "TEST1"},
        "analysis_id": world.analyses["hboc"],
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
    }
    response = api.post("/api/v1/geneassessments/", json=first)
    assert response.status_code == 200, response.json
    ga1 = response.json
    check(ga1, first, world)
    assert [a["id"] for a in listing(api, CURRENT)] == [ga1["id"]]

    second = {
        "gene_id": 1101,
        "evaluation": {"comment": "TEST2"},
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
        "presented_geneassessment_id": ga1["id"],
    }
    response = api.post("/api/v1/geneassessments/", json=second)
    assert response.status_code == 200, response.json
    ga2 = response.json
    check(ga2, second, world, previous=ga1["id"])
    [current] = listing(api, CURRENT)
    check(current, second, world, previous=ga1["id"])

    third = {**second, "evaluation": {"comment": "TEST3"}}  # still presents ga1: stale
    response = api.post("/api/v1/geneassessments/", json=third)
    assert response.status_code == 409
    assert response.json["message"] == (
        f"'presented_geneassessment_id': {ga1['id']} does not match latest existing geneassessment id: {ga2['id']}"
    )
    [current] = listing(api, CURRENT)
    check(current, second, world, previous=ga1["id"])
    history = listing(api, '{"gene_id": 1101}')
    assert [(a["id"], a["evaluation"]["comment"], a["date_superceeded"] is None) for a in history] == [
        (ga1["id"], "TEST1", False),
        (ga2["id"], "TEST2", True),
    ]


def test_a_gene_has_one_current_assessment(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    body = {"gene_id": 1100, "evaluation": {"comment": "a"}, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}
    first = api.post("/api/v1/geneassessments/", json=body).json
    response = api.post("/api/v1/geneassessments/", json=body)  # presents none, but there is one now
    assert response.status_code == 409 and f"geneassessment id: {first['id']}" in response.json["message"]
    with session_for(url) as session, pytest.raises(IntegrityError):  # and the database holds to it
        session.add(
            GeneAssessment(
                gene_id=1100,
                evaluation={},
                user_id=world.users["ada"],
                genepanel_name="HBOC",
                genepanel_version="v1.0.0",
            )
        )
        session.flush()
    assert rows(url) == 1


@pytest.mark.parametrize(
    ("user", "body"),
    [
        ("cid", {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}),  # not cid's panel
        ("cid", {"gene_id": 1101, "genepanel_name": "Ciliopathy", "genepanel_version": "v1.0.0"}),  # not in it
        ("ada", {"gene_id": 9008, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}),  # PKD1 not in HBOC
        ("ada", {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v9"}),
        ("ada", {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "analysis_id": "cilio"}),
        ("ada", {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "analysis_id": 99999}),
    ],
)
def test_other_groups_panels_genes_and_analyses_are_404(env, user, body):
    app, url, world = env
    if body.get("analysis_id") == "cilio":
        body = {**body, "analysis_id": world.analyses["cilio"]}
    response = Api(app, url, world.users[user]).post(
        "/api/v1/geneassessments/", json={**body, "evaluation": {"comment": "x"}}
    )
    assert response.status_code == 404, response.json
    assert rows(url) == 0


def test_other_groups_do_not_see_our_gene_comments(env):
    app, url, world = env
    ada, cid = Api(app, url, world.users["ada"]), Api(app, url, world.users["cid"])
    body = {"gene_id": 1101, "evaluation": {"comment": "a"}, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}
    created = ada.post("/api/v1/geneassessments/", json=body).json
    assert listing(cid, "{}") == []
    assert listing(cid, f'{{"id": [{created["id"]}]}}') == []
    cilio = {
        "gene_id": 9008,
        "evaluation": {"comment": "c"},
        "genepanel_name": "Ciliopathy",
        "genepanel_version": "v1.0.0",
    }
    assert cid.post("/api/v1/geneassessments/", json=cilio).status_code == 200
    assert [a["gene_id"] for a in listing(cid, "{}")] == [9008]
    assert [a["gene_id"] for a in listing(ada, "{}")] == [1101]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"}, "evaluation"),
        ({"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "evaluation": {}}, "evaluation"),
        (
            {
                "gene_id": 1101,
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "evaluation": {"comment": "a", "x": 1},
            },
            "evaluation",
        ),
        (
            {"gene_id": 1101, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "evaluation": {"comment": 5}},
            "evaluation.comment",
        ),
        (
            {
                "gene_id": 1101,
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "evaluation": {"comment": "a\u0000"},
            },
            "evaluation.comment",
        ),
        (
            {
                "gene_id": "1101",
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "evaluation": {"comment": "a"},
            },
            "gene_id",
        ),
        (
            {"gene_id": 2**40, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "evaluation": {"comment": "a"}},
            "gene_id",
        ),
        ({"genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "evaluation": {"comment": "a"}}, "gene_id"),
        ({"gene_id": 1101, "genepanel_version": "v1.0.0", "evaluation": {"comment": "a"}}, "genepanel_name"),
        (
            {
                "gene_id": 1101,
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "evaluation": {"comment": "a"},
                "x": 1,
            },
            "x",
        ),
        (
            {
                "gene_id": 1101,
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "evaluation": {"comment": "a"},
                "presented_geneassessment_id": -1,
            },
            "presented_geneassessment_id",
        ),
    ],
)
def test_bad_bodies_are_422_naming_the_key(env, body, key):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).post("/api/v1/geneassessments/", json=body)
    assert response.status_code == 422, response.json
    assert f"'{key}'" in response.json["message"], response.json["message"]
    assert rows(url) == 0


@pytest.mark.parametrize("raw", ["[]", "null", "not json", "[" * 5000 + "]" * 5000])
def test_bodies_that_are_not_objects_are_422(env, raw):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = api.post("/api/v1/geneassessments/", data=raw, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)[:200]


@pytest.mark.parametrize(
    "query", ["q=%7B%22gene%22%3A1%7D", "q=%5B%5D", "q=%7B%22gene_id%22%3A%22x%22%7D", "per_page=1000", "q=%00"]
)
def test_bad_list_queries_are_422(env, query):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).get(f"/api/v1/geneassessments/?{query}")
    assert response.status_code == 422, response.json


def test_login_required(env):
    app, url, _ = env
    anonymous = Api(app, url, None)
    assert anonymous.get("/api/v1/geneassessments/").status_code == 403
    assert anonymous.post("/api/v1/geneassessments/", json={}).status_code == 403
