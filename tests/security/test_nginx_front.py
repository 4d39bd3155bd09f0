"""Through nginx as the browser tests run it (tests/e2e/nginx.conf.in in front of gunicorn): the security headers
of the static web UI and of the API (each once), the login throttle, and cross-site requests refused.

The deployed test host gets the same checks from the role's configuration (tests/deployed/test_security.py).
Skipped without nginx on this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from ella_app.api.headers import API_CSP, PAGE_CSP
from tests.conftest import EXAMPLE_CONFIG, _create_database
from tests.e2e.servers import Stack, start_stack

LOGIN = "api/v1/users/actions/login/"


@pytest.fixture(scope="module")
def stack(pg: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed here")
    workdir = tmp_path_factory.mktemp("front")
    data = workdir / "data"
    for sub in ("analyses/incoming", "analyses/imported", "attachments", "igv-data"):
        (data / sub).mkdir(parents=True)
    env = {
        "ELLA_CONFIG": str(EXAMPLE_CONFIG),
        "DB_URL": _create_database(pg, f"front_{os.getpid()}", template="ella_template"),
        "ANALYSES_PATH": str(data / "analyses/imported"),
        "ANALYSES_INCOMING": str(data / "analyses/incoming"),
        "ATTACHMENT_STORAGE": str(data / "attachments"),
        "IGV_DATA": str(data / "igv-data"),
    }
    os.environ.pop("ELLA_E2E_SERVER", None)
    running = start_stack(env, workdir)
    try:
        assert running.mode == "nginx+gunicorn"
        yield running
    finally:
        running.stop()


def _open(stack: Stack, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(
        stack.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _one(headers: Any, name: str) -> str:
    values = headers.get_all(name) or []
    assert len(values) == 1, (name, values)
    return str(values[0])


@pytest.mark.parametrize("path", ["", "index.html", "js/app.js", "overview/analyses"])
def test_static_web_ui_carries_the_headers(stack, path):
    status, headers, _ = _open(stack, path)
    assert status == 200
    assert _one(headers, "Content-Security-Policy") == PAGE_CSP
    assert _one(headers, "X-Content-Type-Options") == "nosniff"
    assert _one(headers, "Referrer-Policy") == "same-origin"
    assert _one(headers, "X-Frame-Options") == "DENY"


@pytest.mark.parametrize("path", ["api/v1/status", "api/v1/users/currentuser/", "api/v1/analyses/"])
def test_api_answers_carry_the_apps_headers_once(stack, path):
    _, headers, _ = _open(stack, path)
    assert _one(headers, "Content-Security-Policy") == API_CSP
    assert _one(headers, "X-Content-Type-Options") == "nosniff"
    assert _one(headers, "Cache-Control") == "no-store"


def test_cross_site_login_is_refused_through_the_proxy(stack):
    own = stack.base_url.rstrip("/")
    body = {"username": "nobody", "password": "x"}
    status, _, data = _open(stack, LOGIN, body, {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert status == 403 and b"cross-site" in data
    status, _, _ = _open(stack, LOGIN, body, {"Origin": own, "Sec-Fetch-Site": "same-origin"})
    assert status == 401  # same origin through the proxy: on to the password check


def test_login_is_throttled_per_client(stack):
    """Runs last in this module (it spends the budget of 127.0.0.1): the burst passes, then 429 as JSON.

    The attempts are malformed (no password), so the app answers them at once (422) instead of spending a
    password hash each: nginx counts them all the same.
    """
    codes = [_open(stack, LOGIN, {"username": "nobody"})[0] for _ in range(30)]
    assert codes[:15] == [422] * 15, codes  # at most 2 of the budget went to the test above
    assert codes[-5:] == [429] * 5, codes
    body = {"username": "nobody", "password": "x", "new_password": "y"}
    status, headers, data = _open(stack, "api/v1/users/actions/changepassword/", body)
    assert status == 429 and json.loads(data)["error"] == "TooManyRequests"
    assert _one(headers, "X-Content-Type-Options") == "nosniff"
    assert _open(stack, "api/v1/status")[0] == 200  # other routes are not throttled
