"""One validation path for every route: NUL and other control characters in any string field are a 422 that
names the field, never a 500.

The cases are generated from the OpenAPI description (every path and query parameter, every string in every
request body schema, nested ones included), and the description is checked against the URL map, so a new
route is covered as soon as it is routed (an undescribed route fails ``test_every_routed_operation_is_fuzzed``).
Issue 12, defect 3: a NUL in the login or change-password username answered 500 (the users blueprint had a
second validator that skipped the request guards).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.factories import Api, build_world, copy_db, make_app, template_db

# NUL (PostgreSQL cannot store it), C0 controls, ESC (terminal escapes in logs), DEL, and in JSON bodies a lone
# surrogate (not encodable as UTF-8)
BAD_TEXT = {
    "nul": "a\x00b",
    "soh": "\x01",
    "bell": "x\x07",
    "backspace": "\x08y",
    "vtab": "a\x0bb",
    "escape": "\x1b[31mred",
    "unit-separator": "\x1f",
    "delete": "\x7f",
}
BAD_JSON_ONLY = {"lone-surrogate": "a\ud800b"}


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory):
    name, world = template_db(pg, build_world)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield app, url, world


@pytest.fixture(scope="module")
def spec(env) -> dict[str, Any]:
    app, url, _ = env
    return Api(app, url, None).get("/api/v1/openapi.json").json


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sample(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A small value of the schema's type (required keys filled), for the fields that are not under test."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        return _sample(schema["anyOf"][0], spec)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: _sample(props[key], spec) for key in schema.get("required", []) if key in props}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if "enum" in schema:
        return schema["enum"][0]
    return "x"


def _string_fields(schema: dict[str, Any], spec: dict[str, Any], path: tuple[str | int, ...] = ()) -> list[tuple]:
    """Every place in a body where a string goes: (path of keys, value builder)."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        found: list[tuple] = []
        for option in schema["anyOf"]:
            found += _string_fields(option, spec, path)
        return found
    kind = schema.get("type")
    if kind == "string" or "enum" in schema:
        return [path]
    if kind == "array":
        return _string_fields(schema["items"], spec, (*path, 0))
    if kind == "object":
        found = []
        for key, sub in schema.get("properties", {}).items():
            found += _string_fields(sub, spec, (*path, key))
        if schema.get("additionalProperties", True) is not False:
            found.append((*path, "free_text"))  # free-form objects (state, evaluation) hold strings too
        return found
    return []


def _with_value(schema: dict[str, Any], spec: dict[str, Any], where: tuple, value: str) -> Any:
    """A sample body with ``value`` placed at ``where`` (the objects and arrays on the way created)."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        schema = _resolve(next(o for o in schema["anyOf"] if _resolve(o, spec).get("type") != "null"), spec)
    if not where:
        return value
    step, rest = where[0], where[1:]
    if isinstance(step, int):
        return [_with_value(schema.get("items", {}), spec, rest, value)]
    sample = _sample(schema, spec)
    body = sample if isinstance(sample, dict) else {}
    body[step] = _with_value(schema.get("properties", {}).get(step, {}), spec, rest, value)
    return body


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # /api/v1/... with the bad text in place
    field: str  # the name the error must give
    body: str | bytes | None = None
    content_type: str = "application/json"

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.field}]"


def _fill_path(path: str, skip: str | None = None) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: "{" + m.group(1) + "}" if m.group(1) == skip else "1", path)


def _query_sample(param: dict[str, Any], spec: dict[str, Any]) -> str:
    schema = _resolve(param["schema"], spec)
    if schema.get("type") == "boolean":
        return "false"
    return "1" if schema.get("type") == "integer" or "pattern" in schema else "x"


def _cases(spec: dict[str, Any]) -> list[Case]:
    cases = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_schema = body_schema.get("schema")
            plain_body = json.dumps(_sample(body_schema, spec)) if body_schema else None
            for text in BAD_TEXT.values():
                for param in params:
                    if param["in"] == "path":
                        if _resolve(param["schema"], spec).get("type") != "string":
                            continue  # an integer segment with text in it is not routed at all (404)
                        target = _fill_path(path, skip=param["name"]).replace(
                            "{" + param["name"] + "}", quote(text, safe="")
                        )
                    else:
                        # the other required parameters get plausible values, so only the bad one is wrong
                        others = "".join(
                            f"&{p['name']}={_query_sample(p, spec)}"
                            for p in params
                            if p["in"] == "query" and p.get("required") and p["name"] != param["name"]
                        )
                        target = _fill_path(path) + f"?{param['name']}={quote(text, safe='')}{others}"
                    cases.append(Case(method.upper(), target, param["name"], plain_body))
            if body_schema:
                for where in _string_fields(body_schema, spec):
                    for text in {**BAD_TEXT, **BAD_JSON_ONLY}.values():
                        body = json.dumps(_with_value(body_schema, spec, where, text))
                        field = ".".join(str(p) for p in where)
                        cases.append(Case(method.upper(), _fill_path(path), field, body))
                # a bad character in a key, too
                keyed = _sample(body_schema, spec)
                if isinstance(keyed, dict):
                    keyed["bad\x00key"] = "x"
                    cases.append(Case(method.upper(), _fill_path(path), "", json.dumps(keyed)))
            form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema")
            for name, sub in (form or {}).get("properties", {}).items():
                if sub.get("format") == "binary":  # an upload: the bad text as the file's name
                    for text in BAD_TEXT.values():
                        cases.append(Case(method.upper(), _fill_path(path), name, *_multipart(name, text.encode())))
    return cases


def _multipart(field: str, filename: bytes) -> tuple[bytes, str]:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="' + field.encode() + b'"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\ncontent\r\n--B--\r\n"
    )
    return body, "multipart/form-data; boundary=B"


def test_every_routed_operation_is_fuzzed(env, spec):
    """The cases come from the description; the description covers the URL map (so new routes are fuzzed)."""
    app, _, _ = env
    described = {(re.sub(r"{\w+}", "{}", p), m.upper()) for p, item in spec["paths"].items() for m in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        choices = re.search(r"<any\(([^)]*)\):(\w+)>", path)
        expanded = [path.replace(choices.group(0), v) for v in choices.group(1).split(",")] if choices else [path]
        for one in expanded:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routed.add((re.sub(r"<(?:[\w()]+:)?\w+>", "{}", one), method))
    # analysis-only actions are routed for variants too (and answer 404 there)
    undescribed = {
        (p, m)
        for p, m in routed - described
        if not (p.startswith("/workflows/alleles/") and p.endswith(("/marknotready/", "/markmedicalreview/")))
    }
    assert undescribed == set()
    cases = _cases(spec)
    with_input = {
        (p, m.upper())
        for p, item in spec["paths"].items()
        for m, op in item.items()
        if "requestBody" in op
        or any(
            _resolve(x["schema"], spec).get("type") == "string" or x["in"] == "query" for x in op.get("parameters", [])
        )
    }
    fuzzed = {(re.sub(r"^/api/v1|\?.*$", "", c.path), c.method) for c in cases}
    assert {(re.sub(r"{\w+}", "1", p), m) for p, m in with_input} - fuzzed <= {
        (re.sub(r"{\w+}", "1", p), m)
        for p, m in with_input
        if "{" in p  # string path params are replaced
    }
    assert len(cases) > 300
    covered_bodies = {c.path for c in cases if c.body and c.field}
    assert any(p.endswith("/users/actions/login/") for p in covered_bodies)
    assert any(p.endswith("/users/actions/changepassword/") for p in covered_bodies)


def test_control_characters_in_any_field_are_a_422_naming_the_field(env, spec):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    failures = []
    for case in _cases(spec):
        try:
            response = api.client.open(
                case.path,
                method=case.method,
                data=case.body,
                content_type=case.content_type,
                headers={"X-CSRF-Token": api.csrf},
            )
        except Exception as exc:  # the test app propagates what would be a 500
            failures.append(f"{case}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        ok = response.status_code == 422 and response.is_json
        if ok and case.field:
            ok = f"'{case.field}'" in response.json["message"]
        if not ok:
            failures.append(f"{case}: {response.status_code} {response.get_data(as_text=True)[:160]!r}")
    assert failures == [], f"{len(failures)} failures, first ones:\n" + "\n".join(failures[:25])


@pytest.mark.parametrize("route", ["login", "changepassword"])
@pytest.mark.parametrize("field", ["username", "password"])
def test_nul_in_login_fields_is_a_422_also_without_a_session(env, route, field):
    """The report of defect 3, as sent by a browser that is not logged in."""
    app, _, _ = env
    body = {"username": "ada", "password": "x", "new_password": "Long-Enough-Pass-1"}
    if route == "login":
        del body["new_password"]
    body[field] = "ad\x00a"
    response = app.test_client().post(f"/api/v1/users/actions/{route}/", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"] == f"key '{field}': must not contain NUL or control characters"


@pytest.mark.parametrize("text", ["tab\there", "line\nbreak", "cr\r\nlf", "Ünïcødé ✓ 𝄞"])
def test_ordinary_text_passes(env, text):
    """Tabs, line breaks and any printable Unicode are ordinary text (comments, work-log messages)."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = api.post(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/logs/", json={"message": text})
    assert response.status_code == 201, response.get_data(as_text=True)
    logs = api.get(f"/api/v1/workflows/analyses/{world.analyses['hboc']}/logs/").json["logs"]
    assert text in [entry["message"] for entry in logs]
