"""Browser tests against a deployed test host (nginx, gunicorn, PostgreSQL and the watcher as systemd units),
run by scripts/test-deploy.sh after the Molecule ``default`` scenario has converged and verified the host.

Environment:
  ELLA_DEPLOYED_URL       the web UI as users reach it, e.g. https://10.213.0.31:3114/ (unset: tests skip)
  ELLA_DEPLOYED_HOST      address for SSH as root (default: the URL's host)
  ELLA_DEPLOYED_SSH_KEY   the test hosts' controller key (default $TESTHOSTS_HOME/ssh/id_ed25519)
  ELLA_DEPLOYED_CA        CA certificate that signed the host's TLS certificate; Chromium trusts only it
  ELLA_DEPLOYED_REQUIRED  1: fail instead of skipping when something is missing (CI)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, UI, browser_unavailable, open_ui
from tests.support.deployed_host import DeployedHost

URL = os.environ.get("ELLA_DEPLOYED_URL", "")
REQUIRED = os.environ.get("ELLA_DEPLOYED_REQUIRED") == "1"
TESTHOSTS_HOME = os.environ.get("TESTHOSTS_HOME", "/var/tmp/testhosts")


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def host() -> DeployedHost:
    """Root on the deployed host over SSH (the tests read its database and files through it)."""
    if not URL:
        _skip_or_fail("ELLA_DEPLOYED_URL is not set (scripts/test-deploy.sh sets it for the deployed test host)")
    key = os.environ.get("ELLA_DEPLOYED_SSH_KEY", f"{TESTHOSTS_HOME}/ssh/id_ed25519")
    if not Path(key).exists():
        _skip_or_fail(f"no SSH key at {key}")
    return DeployedHost(os.environ.get("ELLA_DEPLOYED_HOST") or urlparse(URL).hostname or "", key)


@dataclass
class NewUser:
    username: str
    one_time_password: str
    group: str


@pytest.fixture(scope="session")
def new_user(host: DeployedHost) -> NewUser:
    """A user nobody has seen before, deposited the production way (``ella-cli users add_many`` on the host)."""
    username, one_time_password = host.add_user("e2e", "Rosalind", "Franklin", group="testgroup01")
    return NewUser(username, one_time_password, "testgroup01")


NEW_PASSWORD = "Deployed-Host-Login-2026!"
_PASSWORD_CHANGED: set[str] = set()  # users whose one-time password this session has changed


def log_in(ui: UI, user: NewUser) -> None:
    """Log in as the new user; at the first login the one-time password must be changed (once per session)."""
    page = ui.page
    ui.goto("")
    page.wait_for_selector("form[aria-label='Log in']")
    first = user.username not in _PASSWORD_CHANGED
    if first:
        ui.expect_http_error(401, "users/actions/login/")  # the one-time password must be changed first
    page.fill("#username", user.username)
    page.fill("#password", user.one_time_password if first else NEW_PASSWORD)
    page.keyboard.press("Enter")
    if first:
        page.wait_for_selector("form[aria-label='Choose a new password']")
        page.fill("#new-password", NEW_PASSWORD)
        page.fill("#repeat-password", NEW_PASSWORD)
        page.click("form[aria-label='Choose a new password'] button[type=submit]")
        _PASSWORD_CHANGED.add(user.username)
    page.wait_for_selector("#topbar:not(.hidden)")


@pytest.fixture(scope="session")
def browser(host: DeployedHost) -> Iterator[Any]:
    reason = browser_unavailable()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="ella-chromium-home-"))
    env = {**os.environ, "HOME": str(home)}
    ca = os.environ.get("ELLA_DEPLOYED_CA", "")
    if URL.startswith("https://"):
        if not ca or not Path(ca).exists():
            _skip_or_fail(f"HTTPS without the CA certificate to trust (ELLA_DEPLOYED_CA={ca!r})")
        # Chromium on Linux trusts the NSS database in $HOME: a private one that holds only the kit's CA
        nssdb = home / ".pki" / "nssdb"
        nssdb.mkdir(parents=True)
        subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nssdb}", "-n", "ella-kit-ca", "-t", "C,,", "-i", ca], check=True)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, env=env)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def ui(browser: Any) -> Iterator[UI]:
    with open_ui(browser, URL) as wrapper:
        yield wrapper
