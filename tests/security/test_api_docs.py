"""The API's documentation (ella-features.md D09): Swagger UI at /api/v1/docs and the description at
/api/v1/specs/, served by the API from the vendored swagger-ui-dist (no CDN), without inline script; every
route of the URL map is described (see also tests/api/test_openapi.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ella_app.api.headers import PAGE_CSP
from ella_app.webui import static_dir
from tests.api.factories import Api, copy_db, make_app, template_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(pg, tmp_path_factory):
    name, _ = template_db(pg, lambda session: None)
    with copy_db(pg, name) as url:
        yield Api(make_app(url, tmp_path_factory.mktemp("data")), url, None).client


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str | None, str]] = []
        self.refs: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if any(name.startswith("on") for name in values):
            raise AssertionError(f"inline event handler on <{tag}>")
        if tag == "script":
            self.scripts.append((values.get("src"), ""))
            self._in_script = True
        for key in ("src", "href"):
            if values.get(key):
                self.refs.append(str(values[key]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            raise AssertionError("inline script")


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/docs/"])
def test_docs_page_is_served_without_inline_script_or_outside_urls(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == PAGE_CSP
    page = _Scripts()
    page.feed(response.get_data(as_text=True))
    assert [src for src, _ in page.scripts] == ["/api/v1/docs/swagger-ui-bundle.js", "/api/v1/docs/api-docs.js"]
    assert all(ref.startswith("/api/v1/docs/") for ref in page.refs), page.refs
    for ref in page.refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.data) > 500, ref
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
    assert 'data-specs="/api/v1/specs/"' in response.get_data(as_text=True)


def test_specs_is_the_openapi_description(client):
    specs = client.get("/api/v1/specs/")
    assert specs.status_code == 200 and specs.json == client.get("/api/v1/openapi.json").json
    paths = specs.json["paths"]
    for route in ("/status", "/users/actions/login/", "/users/actions/changepassword/", "/users/actions/logout/",
                  "/users/currentuser/", "/ui/exceptionlog/", "/docs", "/specs/"):  # fmt: skip
        assert route in paths, route
    for item in paths.values():
        for operation in item.values():
            assert operation["summary"] and operation["responses"], operation


@pytest.mark.parametrize("name", ["../index.html", "swagger-ui-bundle.js.map", "LICENSE", "%2e%2e%2fapp.js"])
def test_only_the_pages_own_files_are_served(client, name):
    assert client.get(f"/api/v1/docs/{name}").status_code == 404


def test_vendored_swagger_ui_is_the_locked_version_and_the_initializer_calls_nothing_outside():
    package = json.loads((ROOT / "webui" / "package.json").read_text())
    vendored = (static_dir() / "vendor" / "swagger-ui" / "VERSION").read_text().strip()
    assert vendored == f"swagger-ui-dist {package['dependencies']['swagger-ui-dist']}"
    lock = json.loads((ROOT / "webui" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"] == package["dependencies"]["swagger-ui-dist"]
    initializer = (static_dir() / "js" / "api-docs.js").read_text()
    assert "validatorUrl: null" in initializer  # else Swagger UI asks validator.swagger.io for a badge
    assert not re.findall(r"https?://", initializer)
