"""Headless Debian Chromium for the browser tests (tests/e2e against a local stack, tests/deployed against a
deployed test host): where Chromium is, how it is launched, and a page wrapper that records the console,
uncaught exceptions and any request that leaves the server under test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tests.conftest import ROOT

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
TIMEOUT_MS = 20_000


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@dataclass
class UI:
    """One browser context and page, with its console and outgoing requests recorded."""

    page: Any
    base_url: str
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, in order
    external: list[str] = field(default_factory=list)  # those that were not for the server under test (refused)
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


@contextmanager
def open_ui(browser: Any, base_url: str, viewport: tuple[int, int] = (1440, 900), **context_args: Any) -> Iterator[UI]:
    """A fresh browser context on ``base_url``; on leaving, fail on console errors and on requests to any
    other host (the UI must work air-gapped: no CDN, no telemetry)."""
    size = {"width": viewport[0], "height": viewport[1]}
    context = browser.new_context(viewport=size, base_url=base_url, **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    wrapper = UI(page=page, base_url=base_url)
    local = urlparse(base_url).netloc

    def guard(route: Any) -> None:
        url = route.request.url
        wrapper.requests.append(url)
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
