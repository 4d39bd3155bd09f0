"""Custom annotations (``/api/v1/customannotations/``): merged versions with history, who may see and write
them, bad input."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from ella_app.db.models import CustomAnnotation
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
        return int(session.scalar(select(func.count()).select_from(CustomAnnotation)) or 0)


def get(api: Api, q: Any) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/customannotations/?q={quote(json.dumps(q))}")
    assert response.status_code == 200, response.json
    return response.json


def test_create_new(env):
    """Mirrors ELLA src/api/tests/test_customannotation.py::TestCustomAnnotation::test_create_new."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    template = {"allele_id": world.alleles["hboc_rare"], "annotations": {"test": 1}, "user_id": 1}
    first = api.post("/api/v1/customannotations/", json=template)
    assert first.status_code == 200, first.json
    first_id = first.json["id"]
    [stored] = get(api, {"id": [first_id]})
    assert stored["annotations"] == template["annotations"] and stored["date_created"]
    assert stored["user_id"] == world.users["ada"]  # the caller, whatever user_id says

    template["annotations"] = {"test": 2}
    second_id = api.post("/api/v1/customannotations/", json=template).json["id"]
    [second] = get(api, {"id": [second_id]})
    assert second["annotations"] == {"test": 2}
    [old] = get(api, {"id": [first_id]})
    assert old["date_superceeded"] and old["annotations"]["test"] == 1 and old["id"] != second_id


def test_merged_over_the_current_one_null_leaves_dropped(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    allele_id = world.alleles["hboc_rare"]

    def post(annotations: dict[str, Any]) -> dict[str, Any]:
        response = api.post("/api/v1/customannotations/", json={"allele_id": allele_id, "annotations": annotations})
        assert response.status_code == 200, response.json
        return response.json

    a = post({"external": {"LOVD": "x", "HGMD": "y"}, "prediction": {"ortholog_conservation": "yes"}})
    b = post({"external": {"LOVD": "z", "HGMD": None}})
    assert b["annotations"] == {"external": {"LOVD": "z"}, "prediction": {"ortholog_conservation": "yes"}}
    c = post({"prediction": None})
    assert c["annotations"] == {"external": {"LOVD": "z"}}
    current = get(api, {"allele_id": allele_id, "date_superceeded": None})
    assert [x["id"] for x in current] == [c["id"]]
    assert [x["id"] for x in get(api, {"allele_id": allele_id})] == [a["id"], b["id"], c["id"]]
    with session_for(url) as session:
        chain = {r.id: r.previous_annotation_id for r in session.scalars(select(CustomAnnotation))}
    assert chain == {a["id"]: None, b["id"]: a["id"], c["id"]: b["id"]}


def test_other_groups_can_neither_see_nor_write(env):
    app, url, world = env
    ada, cid = Api(app, url, world.users["ada"]), Api(app, url, world.users["cid"])
    created = ada.post(
        "/api/v1/customannotations/", json={"allele_id": world.alleles["hboc_rare"], "annotations": {"a": 1}}
    ).json
    assert get(cid, {"id": [created["id"]]}) == []
    assert get(cid, {}) == []
    denied = cid.post("/api/v1/customannotations/", json={"allele_id": world.alleles["hboc_rare"], "annotations": {}})
    assert denied.status_code == 404 and set(denied.json) == {"code", "error", "message"}
    assert ada.post("/api/v1/customannotations/", json={"allele_id": 999999, "annotations": {}}).status_code == 404
    assert rows(url) == 1
    assert (
        cid.post(
            "/api/v1/customannotations/", json={"allele_id": world.alleles["cilio"], "annotations": {"b": 2}}
        ).status_code
        == 200
    )
    assert [a["allele_id"] for a in get(ada, {})] == [world.alleles["hboc_rare"]]


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"x": value}
    return value


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"annotations": {}}, "allele_id"),
        ({"allele_id": "1", "annotations": {}}, "allele_id"),
        ({"allele_id": 2**40, "annotations": {}}, "allele_id"),
        ({"allele_id": 1}, "annotations"),
        ({"allele_id": 1, "annotations": [1]}, "annotations"),
        ({"allele_id": 1, "annotations": {"a": "b\u0000"}}, "annotations.a"),
        ({"allele_id": 1, "annotations": {"a\u0000": 1}}, "annotations"),
        ({"allele_id": 1, "annotations": {"a": 2**70}}, "annotations.a"),
        ({"allele_id": 1, "annotations": _deep(30)}, "annotations"),
        ({"allele_id": 1, "annotations": {"a": "x" * 200_000}}, "annotations"),
        ({"allele_id": 1, "annotations": {}, "extra": 1}, "extra"),
    ],
)
def test_bad_bodies_are_422_naming_the_key(env, body, key):
    app, url, world = env
    body = {**body, "allele_id": world.alleles["hboc_rare"]} if body.get("allele_id") == 1 else body
    response = Api(app, url, world.users["ada"]).post("/api/v1/customannotations/", json=body)
    assert response.status_code == 422, response.json
    assert f"'{key}" in response.json["message"], response.json["message"]
    assert rows(url) == 0


@pytest.mark.parametrize("raw", ['{"allele_id": 1, "annotations": {"a": NaN}}', "[]", "nonsense"])
def test_raw_bodies_are_422(env, raw):
    app, url, world = env
    raw = raw.replace('"allele_id": 1', f'"allele_id": {world.alleles["hboc_rare"]}')
    api = Api(app, url, world.users["ada"])
    response = api.post("/api/v1/customannotations/", data=raw, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)[:200]
    assert rows(url) == 0


@pytest.mark.parametrize("q", ['{"annotations": 1}', '{"id": "1"}', '{"date_superceeded": "x"}', "[1]", "{"])
def test_bad_filters_are_422(env, q):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).get(f"/api/v1/customannotations/?q={quote(q)}")
    assert response.status_code == 422, response.json
