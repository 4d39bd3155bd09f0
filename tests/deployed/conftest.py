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

import json
import os
import secrets
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

URL = os.environ.get("ELLA_DEPLOYED_URL", "")
REQUIRED = os.environ.get("ELLA_DEPLOYED_REQUIRED") == "1"
TESTHOSTS_HOME = os.environ.get("TESTHOSTS_HOME", "/var/tmp/testhosts")


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Host:
    """Root on the deployed host over SSH, as an operator reaches it."""

    address: str
    key: str

    def run(self, command: str, stdin: str | None = None) -> str:
        argv = [
            "ssh",
            "-i",
            self.key,
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            f"root@{self.address}",
            command,
        ]
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def cli_json(self, *args: str, stdin: str | None = None) -> Any:
        return json.loads(self.run("ella-cli " + " ".join(args) + " --json", stdin).strip().splitlines()[-1])


@pytest.fixture(scope="session")
def host() -> Host:
    if not URL:
        _skip_or_fail("ELLA_DEPLOYED_URL is not set (scripts/test-deploy.sh sets it for the deployed test host)")
    key = os.environ.get("ELLA_DEPLOYED_SSH_KEY", f"{TESTHOSTS_HOME}/ssh/id_ed25519")
    if not Path(key).exists():
        _skip_or_fail(f"no SSH key at {key}")
    return Host(os.environ.get("ELLA_DEPLOYED_HOST") or urlparse(URL).hostname or "", key)


@dataclass
class NewUser:
    username: str
    one_time_password: str
    group: str


@pytest.fixture(scope="session")
def new_user(host: Host) -> NewUser:
    """A user nobody has seen before, deposited the production way: a users.json and ``ella-cli users add_many``
    on the host; its one-time password comes from the command's JSON output."""
    username = f"e2e{secrets.token_hex(3)}"
    entry = [
        {
            "username": username,
            "first_name": "Rosalind",
            "last_name": "Franklin",
            "email": f"{username}@example.org",
            "group": "testgroup01",
        }
    ]
    path = f"/var/lib/ella/fixtures-work/{username}.json"
    host.run(f"install -o ella -g ella -m 0600 /dev/stdin {path}", stdin=json.dumps(entry))
    try:
        result = host.cli_json("users", "add_many", path)
    finally:
        host.run(f"rm -f {path}")
    assert result["created"] == 1, result
    return NewUser(username, result["passwords"][username], "testgroup01")


@pytest.fixture(scope="session")
def browser(host: Host) -> Iterator[Any]:
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
