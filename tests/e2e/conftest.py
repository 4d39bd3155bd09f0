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
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, _create_database
from tests.support.fake_annotation_service import FakeAnnotationService

from .browser import CHROMIUM, CHROMIUM_ARGS, UI, browser_unavailable, open_ui
from .data import E2EData, bootstrap, demo_config
from .servers import Stack, start_stack

NEW_PASSWORD = "Variant-Interpretation-2024!"
NON_PRODUCTION_WARNING = "Test system: not for clinical use"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end test in headless Chromium (tests/e2e)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class E2E:
    base_url: str
    data: E2EData
    env: dict[str, str]
    stack: Stack
    changed_passwords: dict[str, str] = field(default_factory=dict)
    annotation_service: FakeAnnotationService | None = None  # the API's annotation service (ANNOTATION_SERVICE_URL)

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
        """Change a user's one-time password (through the API), so that a test can log in directly; once per user
        and session (a second call returns the password set by the first)."""
        if username in self.changed_passwords:
            return self.changed_passwords[username]
        status, body = self.api(
            "POST",
            "users/actions/changepassword/",
            {"username": username, "password": self.data.passwords[username], "new_password": password},
        )
        assert status == 200, body
        self.changed_passwords[username] = password
        return password


@pytest.fixture(scope="session")
def e2e(pg: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    reason = browser_unavailable()
    if reason:
        if os.environ.get("ELLA_E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("e2e")
    data_dir = workdir / "data"
    for sub in ("analyses/incoming", "analyses/imported", "attachments", "igv-data"):
        (data_dir / sub).mkdir(parents=True)
    db_url = _create_database(pg, f"e2e_{os.getpid()}", template="ella_template")
    annotation_service = FakeAnnotationService(active_polls=2).start()
    env = {
        "ELLA_CONFIG": str(demo_config(workdir / "ella_config.yml")),
        "DB_URL": db_url,
        "ANALYSES_PATH": str(data_dir / "analyses/imported"),
        "ANALYSES_INCOMING": str(data_dir / "analyses/incoming"),
        "ATTACHMENT_STORAGE": str(data_dir / "attachments"),
        "IGV_DATA": str(data_dir / "igv-data"),
        "ELLA_OPERATOR": "e2e",
        "ELLA_NON_PRODUCTION_WARNING": NON_PRODUCTION_WARNING,
        "ANNOTATION_SERVICE_URL": annotation_service.url,
    }
    data = bootstrap(Cli(env), workdir)
    stack = start_stack(env, workdir)
    try:
        yield E2E(stack.base_url, data, env, stack, annotation_service=annotation_service)
    finally:
        stack.stop()
        annotation_service.stop()


@pytest.fixture(scope="session")
def browser(e2e: E2E) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def ui(browser: Any, e2e: E2E) -> Iterator[UI]:
    with open_ui(browser, e2e.base_url) as wrapper:
        yield wrapper
