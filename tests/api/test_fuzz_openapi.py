"""Fuzzing every operation of the OpenAPI description with schemathesis, logged in: no 5xx, ever.

Needs the ``schemathesis`` package (the ``test`` extra); skipped with that reason when it is not installed.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed: pip install 'schemathesis>=4,<5' (the test extra)"
)
from hypothesis import HealthCheck, settings  # noqa: E402 - only once schemathesis (and so hypothesis) is there

from ella_app.db.models import UserSession  # noqa: E402
from ella_app.security import tokens  # noqa: E402
from tests.api.factories import build_world, copy_db, make_app, session_for, template_db  # noqa: E402

EXAMPLES = int(os.environ.get("ELLA_FUZZ_EXAMPLES", "6"))  # per operation; raise it for a deeper run


@pytest.fixture(scope="module")
def fuzz_env(pg, tmp_path_factory) -> Any:
    name, world = template_db(pg, build_world)
    data = tmp_path_factory.mktemp("data")
    with copy_db(pg, name) as url:
        app = make_app(url, data)
        (data / "igv-data" / "cytoBand.txt").write_text("1\t0\t10\tp\tgneg\n")
        (data / "igv-data" / "track_config.json").write_text('{".*": {"limit_to_groups": null}}')
        token = tokens.new_token()
        with session_for(url) as session:
            session.add(
                UserSession(
                    user_id=world.users["ada"],
                    token=tokens.token_digest(token),
                    expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                )
            )
            session.commit()
        yield app, {"AuthenticationToken": token, "csrf_token": tokens.csrf_token(token)}


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_env):
    app, _ = fuzz_env
    # The coverage phase (boundary and invalid values for every parameter) stays on; probing every operation
    # with every unlisted HTTP method does not (Flask answers those 405 by itself).
    config = schemathesis.config.SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case, fuzz_env):
    _, cookies = fuzz_env
    if case.path.endswith("/users/actions/logout/"):
        return  # would end the fuzzing session
    response = case.call(cookies=cookies, headers={"X-CSRF-Token": cookies["csrf_token"]})
    if case.path.endswith("/import/service/samples/") and response.status_code == 502:
        return  # no annotation service runs here: 502 Bad Gateway names the unreachable service (not a crash)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )
