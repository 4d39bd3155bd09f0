"""Browser security headers on every API answer, ``Cache-Control: no-store`` on every answer with patient data,
and one Content-Security-Policy for the app, the nginx role and the e2e nginx (issue 12, defect 4).

Every operation of the OpenAPI description is called (the description covers the URL map: see
test_request_guards), logged in and not, so a new route is checked as soon as it exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ella_app.api.headers import API_CSP, CACHEABLE_ENDPOINTS, PAGE_CSP
from tests.api.factories import Api, build_world, copy_db, make_app, template_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory):
    name, world = template_db(pg, build_world)
    with copy_db(pg, name) as url:
        data = tmp_path_factory.mktemp("data")
        app = make_app(url, data)
        (data / "igv-data" / "cytoBand.txt").write_text("1\t0\t10\tp\tgneg\n")
        yield app, url, world


def _operations(app, url, world) -> list[tuple[str, str, str]]:
    spec = Api(app, url, None).get("/api/v1/openapi.json").json
    values = {
        "analysis_id": world.analyses["hboc"],
        "allele_id": world.alleles["hboc_rare"],
        "interpretation_id": world.interpretations["hboc"],
        "assessment_id": 1,
        "name": "HBOC",
        "version": "v1.0.0",
        "filename": "cytoBand.txt",
        "track": "none.bed",
        "attachment_id": 1,
        "index": 0,
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
        "job_id": 1,  # no annotation job in the world: 404, which must carry the headers too
        "log_id": 1,
        "gp_name": "HBOC",
        "gp_version": "v1.0.0",
        "report_id": 1,
        "referenceassessment_id": 1,
        "filterconfig_id": world.filterconfigs["default"],
        "user_id": world.users["ada"],
    }
    found = []
    for path, item in spec["paths"].items():
        for method in item:
            filled = "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
            found.append((method.upper(), filled, path))
    return found


def _check(response: Any, where: str, endpoint_cacheable: bool) -> list[str]:
    problems = []
    h = response.headers
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if h.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy")
    csp = h.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "unsafe-inline" in csp.split("script-src", 1)[-1].split(";")[0]:
        problems.append(f"Content-Security-Policy {csp!r}")
    if response.mimetype == "text/html":
        if csp != PAGE_CSP:
            problems.append("CSP of an HTML page")
    elif csp != API_CSP:
        problems.append("CSP of a non-HTML answer")
    if not endpoint_cacheable and h.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control {h.get('Cache-Control')!r}")
    return [f"{where}: {p}" for p in problems]


@pytest.mark.parametrize("logged_in", [True, False])
def test_every_operation_answers_with_the_security_headers(env, logged_in):
    app, url, world = env
    api = Api(app, url, world.users["ada"] if logged_in else None)
    problems = []
    operations = _operations(app, url, world)
    assert len(operations) > 50
    for method, path, described in operations:
        if described == "/users/actions/logout/":
            continue  # would end the session the other requests use
        response = api.client.open(path, method=method, headers={"X-CSRF-Token": api.csrf})
        endpoint = app.url_map.bind("localhost").match(path.split("?")[0], method=method)[0]
        problems += _check(response, f"{method} {path} ({response.status_code})", endpoint in CACHEABLE_ENDPOINTS)
    assert problems == []


def test_patient_data_is_never_stored_by_the_browser(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    for path in (
        f"/api/v1/analyses/{world.analyses['hboc']}/",
        f"/api/v1/alleles/?allele_ids={world.alleles['hboc_rare']}",
        f"/api/v1/igv/tracks/dynamic/variants/{world.analyses['hboc']}",
        "/api/v1/overviews/analyses/",
        "/api/v1/users/currentuser/",
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    errors = api.get("/api/v1/analyses/999999/")
    assert errors.status_code == 404 and errors.headers["Cache-Control"] == "no-store"


def test_reference_data_may_be_cached(env):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).get("/api/v1/igv/cytoBand.txt")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # an error on a cacheable path is not stored (a 403 before login must not outlive the login)
    refused = Api(app, url, None).get("/api/v1/igv/cytoBand.txt")
    assert refused.status_code == 403 and refused.headers["Cache-Control"] == "no-store"


def test_one_policy_for_app_role_and_e2e_nginx():
    defaults = yaml.safe_load((ROOT / "roles/ella_nginx/defaults/main.yml").read_text())
    assert defaults["ella_nginx_content_security_policy"] == PAGE_CSP
    assert defaults["ella_nginx_referrer_policy"] == "same-origin"
    assert f'"" "{PAGE_CSP}";' in (ROOT / "tests/e2e/nginx.conf.in").read_text()
    template = (ROOT / "roles/ella_nginx/templates/ella-site.conf.j2").read_text()
    assert '"" "{{ ella_nginx_content_security_policy }}";' in template
    for policy in (PAGE_CSP, API_CSP):
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["frame-ancestors"] == "'none'"
        assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
        assert "'unsafe-eval'" not in policy
