"""Security checks against the deployed test host, through its nginx, as a browser or an attacker reaches it:
the browser security headers, every non-public route refused without a session, CSRF from a foreign origin
refused, and the login throttled per client (issue 12, defects 4, 5 and 6)."""

from __future__ import annotations

import json
import re
import shlex
import ssl
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.support.deployed_host import DeployedHost

from .conftest import URL

BASE = URL.rstrip("/") + "/"
NEW_PASSWORD = "Deployed-Security-Check-2026!"
PAGE_POLICY = "script-src 'self';"
IDS = {
    "analysis_id": "1",
    "allele_id": "1",
    "interpretation_id": "1",
    "assessment_id": "1",
    "name": "HBOC",
    "version": "v1.0.0",
    "filename": "cytoBand.txt",
    "track": "x.bed",
    "attachment_id": "1",
    "index": "0",
    "genepanel_name": "HBOC",
    "genepanel_version": "v1.0.0",
    "job_id": "1",
    "log_id": "1",
    "gp_name": "HBOC",
    "gp_version": "v1.0.0",
    "report_id": "1",
    "referenceassessment_id": "1",
    "filterconfig_id": "1",
    "user_id": "1",
}


def _context() -> ssl.SSLContext | None:
    import os

    ca = os.environ.get("ELLA_DEPLOYED_CA", "")
    return ssl.create_default_context(cafile=ca) if URL.startswith("https://") and ca else None


def _open(
    path: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(
        BASE + path.lstrip("/"),
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=_context()) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _cookies(headers: Any) -> dict[str, str]:
    return dict(c.split(";", 1)[0].split("=", 1) for c in headers.get_all("Set-Cookie") or [])


@pytest.fixture(scope="module")
def user(host: DeployedHost) -> tuple[str, str]:
    """A user of this module's own, deposited with ella-cli: name and one-time password."""
    return host.add_user("sec", "Grace", "Hopper")


@pytest.fixture(scope="module")
def session(user: tuple[str, str]) -> dict[str, str]:
    """A logged-in session of that user (one-time password changed first)."""
    username, one_time_password = user
    status, _, data = _open(
        "api/v1/users/actions/changepassword/",
        "POST",
        {"username": username, "password": one_time_password, "new_password": NEW_PASSWORD},
    )
    assert status == 200, data
    status, headers, data = _open(
        "api/v1/users/actions/login/", "POST", {"username": username, "password": NEW_PASSWORD}
    )
    assert status == 200, data
    return _cookies(headers)


@pytest.mark.parametrize("path", ["", "index.html", "js/app.js", "overview/analyses"])
def test_web_ui_answers_carry_the_security_headers(host, path):
    del host
    status, headers, _ = _open(path)
    assert status == 200
    csp = headers.get_all("Content-Security-Policy")
    assert csp and len(csp) == 1 and PAGE_POLICY in csp[0] and "frame-ancestors 'none'" in csp[0], csp
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers.get_all("Referrer-Policy") == ["same-origin"]
    assert headers.get_all("X-Frame-Options") == ["DENY"]
    if URL.startswith("https://"):
        assert "max-age=" in headers["Strict-Transport-Security"]


def test_api_answers_carry_the_headers_and_are_not_stored(host, session):
    del host
    cookie = "; ".join(f"{k}={v}" for k, v in session.items())
    for path in ("api/v1/status", "api/v1/overviews/analyses/", "api/v1/users/currentuser/", "api/v1/analyses/1/"):
        _, headers, _ = _open(path, headers={"Cookie": cookie})
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers.get_all("Cache-Control") == ["no-store"], path


def test_every_non_public_route_is_refused_without_a_session(host):
    del host
    status, _, data = _open("api/v1/openapi.json")
    assert status == 200
    spec = json.loads(data)
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if operation.get("security") == []:
                continue  # public: status, login, change password, the API description and docs
            filled = "api/v1" + re.sub(r"{(\w+)}", lambda m: IDS[m.group(1)], path)
            status, headers, data = _open(filled, method.upper(), {} if method != "get" else None)
            assert status == 403, (method, filled, status, data[:200])
            assert headers.get_all("Cache-Control") == ["no-store"], filled
            checked += 1
    assert checked > 40


def test_csrf_from_a_foreign_origin_is_refused(host, session):
    del host
    cookie = "; ".join(f"{k}={v}" for k, v in session.items())
    own = f"{urlparse(URL).scheme}://{urlparse(URL).netloc}"
    logout = "api/v1/users/actions/logout/"
    foreign = {"Cookie": cookie, "X-CSRF-Token": session["csrf_token"], "Origin": "https://evil.example"}
    status, _, data = _open(logout, "POST", {}, foreign)
    assert status == 403 and b"cross-site" in data
    status, _, _ = _open(logout, "POST", {}, {**foreign, "Origin": own, "X-CSRF-Token": "forged"})
    assert status == 403
    status, _, _ = _open("api/v1/users/currentuser/", headers={"Cookie": cookie})
    assert status == 200  # still logged in
    status, _, data = _open(
        "api/v1/users/actions/login/", "POST", {"username": "x", "password": "y"}, {"Origin": "https://evil.example"}
    )
    assert status == 403 and b"cross-site" in data


def test_login_is_throttled_per_client(host: DeployedHost):
    """From the host itself (its own address has its own budget, so the controller's logins are not
    throttled for the other tests): quick malformed attempts (the app answers 422 at once) until nginx
    answers 429."""
    parsed = urlparse(URL)
    ca = "/etc/nginx/ella-tls/ella-ca.crt"
    url = f"{parsed.scheme}://{parsed.netloc}/api/v1/users/actions/login/"
    curl = (
        f"curl -s -o /tmp/ella-throttle.body -w '%{{http_code}}\\n' --cacert {ca} -H 'Content-Type: application/json' "
        f'-d \'{{"username": "nobody"}}\' {shlex.quote(url)}'
    )
    # each answer's body is kept: the last one is read back (a separate request later could already find the
    # budget refilled on a slow machine)
    codes = host.run(f"for i in $(seq 30); do {curl}; done").split()
    assert codes[:15] == ["422"] * 15, codes
    assert codes[-5:] == ["429"] * 5, codes
    throttled = host.run("cat /tmp/ella-throttle.body; rm -f /tmp/ella-throttle.body")
    assert json.loads(throttled)["error"] == "TooManyRequests"


def test_requests_are_in_the_audit_trail(host: DeployedHost, user: tuple[str, str], session: dict[str, str]) -> None:
    """Every API request of the session above is a resourcelog row: ella-cli users activity counts them."""
    cookie = "; ".join(f"{k}={v}" for k, v in session.items())
    for _ in range(3):
        assert _open("api/v1/users/currentuser/", headers={"Cookie": cookie})[0] == 200
    deadline = time.monotonic() + 10  # the rows are written in batches, within a second
    while True:
        rows = {r["username"]: r for r in host.cli_json("users", "activity", "--days", "1")["users"]}
        if rows[user[0]]["requests"] >= 4 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert rows[user[0]]["requests"] >= 4, rows[user[0]]  # at least the reads of this module's tests
    assert rows[user[0]]["last_activity"] is not None
