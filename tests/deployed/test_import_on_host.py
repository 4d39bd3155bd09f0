"""The IMPORT page on the deployed test host, in Chromium through nginx, with the host's own poller unit
(`ella-cli annotation poll`, every 5 s) talking to the local stand-in of the annotation service
(tests/support/fake_annotation_service.py), which this module starts on the controller's bridge address —
the URL the test inventory gives the poller (`ella_app_annotation_service_url`, inventories/testhost).

Issue 15's proof on a deployed host: paste three variants and follow the job SUBMITTED → … → DONE, open the new
analysis; order a reanalysis of a sample of the sample repository against a custom panel; append a variant to
a finalized analysis and see its interpretation reopened; cancel a running job (the poller leaves it alone)."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser import UI
from tests.support.deployed_host import DeployedHost
from tests.support.fake_annotation_service import FakeAnnotationService

from .conftest import NewUser, log_in

# Where the poller of the test hosts looks for the annotation service (inventories/testhost/group_vars).
SERVICE_HOST, SERVICE_PORT = os.environ.get("ELLA_DEPLOYED_ANNOTATION_SERVICE", "10.213.0.1:6100").split(":")
THREE = "13:32890607 G>T (het)\n13-32893344-A-G (hom)\nchr13:32900290 A>G (het)"
RUN = secrets.token_hex(2)  # names of this run: the host may hold those of an earlier one
PASTED = f"Deployed-Paste-{RUN}"
CANCEL = f"Deployed-Cancel-{RUN}"
CUSTOM_PANEL = f"HBOC-BRCA2-{RUN}"
JOB_TIMEOUT_MS = 90_000  # the poller's 5 s interval, a few state changes, and the import of the analysis


@pytest.fixture(scope="module")
def service() -> Iterator[FakeAnnotationService]:
    try:
        running = FakeAnnotationService(port=int(SERVICE_PORT), host=SERVICE_HOST, active_polls=1).start()
    except OSError as exc:
        pytest.fail(f"cannot listen on {SERVICE_HOST}:{SERVICE_PORT} for the annotation service stand-in: {exc}")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def importer(host: DeployedHost) -> NewUser:
    """A new user of testgroup01, whose import_groups allow importing (files/demo/fixtures/usergroups.json)."""
    username, one_time_password = host.add_user("imp", "Barbara", "McClintock", group="testgroup01")
    return NewUser(username, one_time_password, "testgroup01")


def _psql(host: DeployedHost, sql: str) -> str:
    return host.run(f'cd / && runuser -u postgres -- psql -d ella -tAc "{sql}"').strip()


def _open_import(ui: UI, user: NewUser) -> None:
    log_in(ui, user)
    ui.page.click("#topbar nav a[href='#/overview/import']")
    ui.page.wait_for_selector("#import-paste")
    ui.page.wait_for_selector("#import-active .empty, #import-active table")


def _paste(ui: UI, data: str, name: str) -> None:
    ui.page.fill("#import-data", data)
    ui.page.fill("#import-analysis-name", name)
    ui.page.select_option("#import-genepanel", "HBOC\tv1.0.0")
    ui.page.click("#import-submit")


def _job_row(ui: UI, title: str, status: str) -> Any:
    row = ui.page.locator(f"tr[data-status='{status}']", has_text=title)
    row.first.wait_for(timeout=JOB_TIMEOUT_MS)
    return row.first


def test_pasted_variants_become_an_analysis_through_the_poller_unit(
    ui: UI, host: DeployedHost, importer: NewUser, service: FakeAnnotationService
) -> None:
    _open_import(ui, importer)
    page = ui.page
    ui.shot("deployed-import-01-empty")
    _paste(ui, THREE, PASTED)
    _job_row(ui, f"Analysis {PASTED}", "SUBMITTED")
    done = _job_row(ui, f"Analysis {PASTED}", "DONE")
    assert f"{PASTED}.HBOC_v1.0.0 created" in done.inner_text()
    ui.shot("deployed-import-02-done")
    # the host's poller, not this process, sent the job: the stand-in saw it annotate and deliver
    assert "POST /api/v1/annotate" in service.requests
    assert any(r.startswith("GET /api/v1/process/") for r in service.requests)
    history = _psql(
        host,
        "SELECT string_agg(h->>'status', ',') FROM annotationjob j, "
        "jsonb_array_elements(j.status_history->'history') h "
        f"WHERE j.properties->>'analysis_name' = '{PASTED}'",
    )
    assert history.split(",")[0] == "DONE" and "RUNNING" in history.split(","), history
    done.locator("[data-action=open]").click()
    page.wait_for_url(re.compile(r"#/workflows/analyses/\d+"))
    page.wait_for_selector(".vitem")
    assert f"{PASTED}.HBOC_v1.0.0" in page.inner_text("body")
    assert (
        _psql(
            host,
            "SELECT count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id "
            "JOIN analysis a ON a.id = s.analysis_id "
            f"WHERE a.name = '{PASTED}.HBOC_v1.0.0'",
        )
        == "3"
    )
    ui.shot("deployed-import-03-analysis")


def test_append_to_a_finalized_analysis_reopens_it(ui: UI, host: DeployedHost, importer: NewUser) -> None:
    name = f"{PASTED}.HBOC_v1.0.0"
    assert _psql(host, f"SELECT count(*) FROM analysis WHERE name = '{name}'") == "1", "needs the test above"
    # finalize its round the short way (the interpretation workflow is tested in test_interpret_on_host)
    _psql(
        host,
        "UPDATE analysisinterpretation SET status = 'Done', finalized = true "
        f"WHERE analysis_id = (SELECT id FROM analysis WHERE name = '{name}')",
    )
    _open_import(ui, importer)
    page = ui.page
    page.fill("#import-data", "13:32890700 C>T (het)")
    page.select_option("#import-type", "Append")
    page.fill("#import-append-analysis", name)
    page.click("#import-submit")
    done = _job_row(ui, f"Append to {name}", "DONE")
    assert "1 variant(s) appended" in done.inner_text() and "reopened" in done.inner_text()
    ui.shot("deployed-import-04-appended")
    rounds = _psql(
        host,
        "SELECT string_agg(status, ',' ORDER BY id) FROM analysisinterpretation "
        f"WHERE analysis_id = (SELECT id FROM analysis WHERE name = '{name}')",
    )
    assert rounds == "Done,Not started"


def test_reanalysis_of_a_sample_against_a_custom_panel(
    ui: UI, host: DeployedHost, importer: NewUser, service: FakeAnnotationService
) -> None:
    _open_import(ui, importer)
    page = ui.page
    page.click("#tab-sample")
    page.fill("#sample-search", "Diag-Sample-1")  # answered by the stand-in's sample repository, via the API
    page.locator("#sample-results input[value='Diag-Sample-1']").check()
    page.select_option("#sample-genepanel", "HBOC\tv1.0.0")
    page.check("#sample-custom")
    page.fill("#custom-name", CUSTOM_PANEL)
    page.fill("#custom-exclude", "brca1")
    ui.shot("deployed-import-05-custom-panel")
    page.click("#sample-submit")
    done = _job_row(ui, "Sample Diag-Sample-1", "DONE")
    assert f"Diag-Sample-1.{CUSTOM_PANEL}_v1 created" in done.inner_text()
    ui.shot("deployed-import-06-sample-done")
    assert _psql(host, f"SELECT official FROM genepanel WHERE name = '{CUSTOM_PANEL}'") == "f"
    sent = service.sample_requests[-1]
    assert sent["fields"]["sample_id"] == "Diag-Sample-1" and "regions" in sent["files"]
    # the regions the poller sent are the custom panel's: BRCA2 only
    regions = sent["files"]["regions"][1].splitlines()
    assert {line.split("\t")[0] for line in regions[1:]} == {"13"}, regions  # BRCA1 (chromosome 17) left out


def test_a_running_job_is_cancelled_and_the_poller_leaves_it(
    ui: UI, host: DeployedHost, importer: NewUser, service: FakeAnnotationService
) -> None:
    service.active_polls = 10**6  # the annotation does not finish while this test looks
    try:
        _open_import(ui, importer)
        _paste(ui, "13:32890607 G>T (het)", CANCEL)
        running = _job_row(ui, f"Analysis {CANCEL}", "RUNNING")
        running.locator("[data-action=cancel]").click()
        cancelled = _job_row(ui, f"Analysis {CANCEL}", "CANCELLED")
        assert f"cancelled by {importer.username}" in cancelled.inner_text()
        ui.shot("deployed-import-07-cancelled")
    finally:
        service.active_polls = 1
    time.sleep(12)  # two of the poller's rounds: a cancelled job stays cancelled, its analysis never comes
    job = f"WHERE properties->>'analysis_name' = '{CANCEL}'"
    assert _psql(host, f"SELECT status FROM annotationjob {job}") == "CANCELLED"
    assert _psql(host, f"SELECT count(*) FROM analysis WHERE name LIKE '{CANCEL}%'") == "0"
