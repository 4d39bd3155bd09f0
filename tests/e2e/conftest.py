"""End-to-end fixtures: the real API (gunicorn) behind nginx on 127.0.0.1, a migrated PostgreSQL database
filled through ella-cli, and one headless Debian Chromium driven by Playwright for the whole session.

Every page records its console: a test fails on any console error or uncaught exception (except network
errors a test provokes on purpose and declares with ``ui.expect_http_error``) and on any request that leaves
127.0.0.1 (the UI must work air-gapped: no CDN, no telemetry). Screenshots go to artifacts/screenshots/.

Needs: Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``), the Python package
``playwright``, and ``nginx`` (else an in-process werkzeug server stands in). Without Chromium or playwright
the tests are skipped, or fail when ELLA_E2E_REQUIRED=1 (CI).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import EXAMPLE_CONFIG, ROOT, Cli, _create_database

from .data import E2EData, bootstrap
from .servers import Stack, start_stack

CHROMIUM = os.environ.get("ELLA_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
NEW_PASSWORD = "Variant-Interpretation-2024!"
NON_PRODUCTION_WARNING = "Test system: not for clinical use"
TIMEOUT_MS = 20_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end test in headless Chromium (tests/e2e)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@dataclass
class E2E:
    base_url: str
    data: E2EData
    env: dict[str, str]
    stack: Stack

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A request straight to the API (no browser), for set-up steps."""
        request = urllib.request.Request(
            self.base_url + "api/v1/" + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def set_password(self, username: str, password: str = NEW_PASSWORD) -> str:
        """Change a user's one-time password (through the API), so that a test can log in directly."""
        status, body = self.api(
            "POST",
            "users/actions/changepassword/",
            {"username": username, "password": self.data.passwords[username], "new_password": password},
        )
        assert status == 200, body
        return password


@pytest.fixture(scope="session")
def e2e(pg: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    reason = _unavailable()
    if reason:
        if os.environ.get("ELLA_E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("e2e")
    data_dir = workdir / "data"
    for sub in ("analyses/incoming", "analyses/imported", "attachments", "igv-data"):
        (data_dir / sub).mkdir(parents=True)
    db_url = _create_database(pg, f"e2e_{os.getpid()}", template="ella_template")
    env = {
        "ELLA_CONFIG": str(EXAMPLE_CONFIG),
        "DB_URL": db_url,
        "ANALYSES_PATH": str(data_dir / "analyses/imported"),
        "ANALYSES_INCOMING": str(data_dir / "analyses/incoming"),
        "ATTACHMENT_STORAGE": str(data_dir / "attachments"),
        "IGV_DATA": str(data_dir / "igv-data"),
        "ELLA_OPERATOR": "e2e",
        "ELLA_NON_PRODUCTION_WARNING": NON_PRODUCTION_WARNING,
    }
    data = bootstrap(Cli(env), workdir)
    stack = start_stack(env, workdir)
    try:
        yield E2E(stack.base_url, data, env, stack)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser(e2e: E2E) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class UI:
    """One browser context and page, with its console and outgoing requests recorded."""

    page: Any
    base_url: str
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    page_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    expected: list[tuple[int, str]] = field(default_factory=list)

    def expect_http_error(self, status: int, url_part: str) -> None:
        """A failed request the test provokes on purpose (Chromium logs every 4xx as a console error)."""
        self.expected.append((status, url_part))

    def errors(self) -> list[str]:
        found = []
        for kind, text, url in self.console:
            if kind != "error":
                continue
            status = re.search(r"status of (\d{3})", text)
            if status and any(int(status[1]) == code and part in url for code, part in self.expected):
                continue
            found.append(f"{text} ({url})")
        return found + [f"uncaught: {e}" for e in self.page_errors]

    def goto(self, route: str) -> None:
        self.page.goto(self.base_url + route)

    def shot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def login(self, username: str, password: str) -> None:
        page = self.page
        self.goto("#/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_selector("#topbar:not(.hidden)")


@pytest.fixture
def ui(browser: Any, e2e: E2E) -> Iterator[UI]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=e2e.base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    wrapper = UI(page=page, base_url=e2e.base_url)
    local = urlparse(e2e.base_url).netloc

    def guard(route: Any) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.netloc == local:
            route.continue_()
        else:
            wrapper.external.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda msg: wrapper.console.append((msg.type, msg.text, msg.location.get("url", ""))))
    page.on("pageerror", lambda exc: wrapper.page_errors.append(str(exc)))
    try:
        yield wrapper
    finally:
        context.close()
    assert not wrapper.external, f"requests left the machine: {wrapper.external}"
    assert not wrapper.errors(), "console errors:\n" + "\n".join(wrapper.errors())
