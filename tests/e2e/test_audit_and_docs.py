"""In Chromium, through nginx, under the Content-Security-Policy: the web UI reports an uncaught error to the
server's error log (uiexception), and the API docs page (Swagger UI at /api/v1/docs, vendored) shows every
operation of the OpenAPI description without any request off the host or any console error."""

from __future__ import annotations

import json
import time
import urllib.request

from sqlalchemy import create_engine, text

from .browser import UI
from .conftest import E2E


def test_uncaught_error_in_the_web_ui_reaches_the_error_log(ui: UI, e2e: E2E) -> None:
    ui.login("testuser5", e2e.set_password("testuser5"))
    marker = f"e2e-provoked error {time.time_ns()}"
    with ui.page.expect_response(lambda r: "ui/exceptionlog/" in r.url and r.status == 204):
        ui.page.evaluate(f"() => setTimeout(() => {{ throw new Error({json.dumps(marker)}); }}, 0)")
    assert any(marker in error for error in ui.page_errors)
    ui.page_errors[:] = [e for e in ui.page_errors if marker not in e]  # provoked on purpose
    engine = create_engine(e2e.env["DB_URL"])
    with engine.connect() as conn:
        row = conn.execute(
            text(
                'SELECT e.message, e.stacktrace, e.location, u.username FROM uiexception e LEFT JOIN "user" u'
                " ON u.id = e.user_id WHERE e.message LIKE :m"
            ),
            {"m": f"%{marker}%"},
        ).one()
    engine.dispose()
    assert row.username == "testuser5" and row.location.startswith("#/overview")
    assert "Error" in row.message and row.stacktrace


def test_api_docs_page_shows_every_operation(ui: UI, e2e: E2E) -> None:
    with urllib.request.urlopen(e2e.base_url + "api/v1/specs/") as response:
        spec = json.load(response)
    operations = sum(len(item) for item in spec["paths"].values())
    ui.page.goto(e2e.base_url + "api/v1/docs")
    ui.page.wait_for_selector(".swagger-ui .opblock")
    ui.page.wait_for_function(f"() => document.querySelectorAll('.swagger-ui .opblock').length === {operations}")
    assert spec["info"]["title"] in ui.page.inner_text(".swagger-ui .info")
    ui.shot("api-docs")
