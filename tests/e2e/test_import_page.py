"""The IMPORT page in Chromium against the local annotation-service stand-in (ANNOTATION_SERVICE_URL of the
stack): paste variants → a job followed SUBMITTED → … → DONE → open the new analysis; bad lines named with
nothing stored; Append to an analysis reopens its finalized interpretation; a sample of the sample repository
reanalysed; a job cancelled; a failed job retried. The poller runs in this process (a thread), as the poller
unit runs next to the API."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from ella_app.config import load_settings
from ella_app.db.session import transaction
from ella_app.services.annotation_client import AnnotationClient
from ella_app.services.poller import AnnotationPoller

from .conftest import E2E, UI

USER = "testuser2"
THREE = "13:32890607 G>T (het)\n13-32893344-A-G (hom)\nchr13:32900290 A>G (het)"


class PollerThread:
    """The annotation poller, polling every ``interval`` seconds until stopped (or paused)."""

    def __init__(self, e2e: E2E, interval: float = 0.3) -> None:
        settings = load_settings(e2e.env)
        assert e2e.annotation_service is not None
        self.poller = AnnotationPoller(
            settings.db_url,
            AnnotationClient(e2e.annotation_service.url),
            app_config=settings.config,
            automatic_deposit_with_sample_id=True,
        )
        self.interval = interval
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            if self.running.is_set():
                self.poller.poll_once()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)


@pytest.fixture
def poller(e2e: E2E) -> Iterator[PollerThread]:
    thread = PollerThread(e2e)
    yield thread
    thread.stop()


def _sql(e2e: E2E, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with transaction(load_settings(e2e.env).db_url) as session:
        result = session.execute(text(sql), params)
        return [tuple(r) for r in result] if result.returns_rows else []


def _open(ui: UI, e2e: E2E) -> None:
    ui.login(USER, e2e.set_password(USER))
    ui.page.click("#topbar nav a[href='#/overview/import']")
    ui.page.wait_for_selector("#import-paste")
    ui.page.wait_for_selector("#import-active .empty, #import-active table")
    current = ui.page.locator("#topbar nav a[aria-current='page']")
    assert current.count() == 1 and current.inner_text() == "Import"


def _paste(ui: UI, data: str, name: str | None = None) -> None:
    page = ui.page
    page.fill("#import-data", data)
    if name is not None:
        page.fill("#import-analysis-name", name)
    page.select_option("#import-genepanel", "HBOC\tv1.0.0")
    page.click("#import-submit")


def _job_row(ui: UI, title: str, status: str) -> Any:
    row = ui.page.locator(f"tr[data-status='{status}']", has_text=title)
    row.first.wait_for(timeout=30_000)
    return row.first


def test_paste_three_variants_and_follow_the_job_to_the_analysis(ui: UI, e2e: E2E, poller: PollerThread) -> None:
    _open(ui, e2e)
    page = ui.page
    ui.shot("import-01-empty")
    _paste(ui, THREE, "Pasted-E2E-1")
    row = _job_row(ui, "Analysis Pasted-E2E-1", "SUBMITTED")
    assert "HBOC v1.0.0" in row.inner_text()
    ui.shot("import-02-submitted")
    assert e2e.annotation_service is not None
    polls = e2e.annotation_service.active_polls
    e2e.annotation_service.active_polls = 10**6  # the annotation takes until the page has shown RUNNING
    try:
        poller.running.set()
        _job_row(ui, "Analysis Pasted-E2E-1", "RUNNING")
        ui.shot("import-03-running")
    finally:
        e2e.annotation_service.active_polls = polls
    done = _job_row(ui, "Analysis Pasted-E2E-1", "DONE")
    assert "Pasted-E2E-1.HBOC_v1.0.0 created" in done.inner_text()
    ui.shot("import-04-done")
    [(history,)] = _sql(
        e2e, "SELECT status_history FROM annotationjob WHERE properties->>'analysis_name' = 'Pasted-E2E-1'"
    )
    assert [h["status"] for h in history["history"]] == ["DONE", "ANNOTATED", "RUNNING"]
    done.locator("[data-action=open]").click()
    page.wait_for_url(re.compile(r"#/workflows/analyses/\d+"))
    page.wait_for_selector(".vitem")
    assert "Pasted-E2E-1.HBOC_v1.0.0" in page.inner_text("body")
    assert page.locator(".vitem").count() >= 1
    ui.shot("import-05-analysis")


def test_bad_lines_are_named_and_nothing_is_stored(ui: UI, e2e: E2E) -> None:
    _open(ui, e2e)
    [(before,)] = _sql(e2e, "SELECT count(*) FROM annotationjob")
    ui.expect_http_error(422, "import/service/jobs")
    _paste(ui, "13:32890607 G>T (het)\nthis is not a variant", "Bad-E2E-1")
    error = ui.page.locator("#import-error")
    error.wait_for(state="visible")
    assert error.inner_text().startswith("line 2: 'this is not a variant' is not a variant")
    ui.shot("import-06-bad-line")
    ui.page.fill("#import-data", "-Batch-A\n13:32890607 G>T (het)\n-Batch-B\n13:32890607 G>T\n")
    ui.page.click("#import-submit")
    ui.page.wait_for_function(
        "() => document.querySelector('#import-error').textContent.startsWith(\"Block 'Batch-B'\")"
    )
    assert "genotype" in error.inner_text()
    assert _sql(e2e, "SELECT count(*) FROM annotationjob") == [(before,)]  # the good block A was not ordered either


def test_append_reopens_the_finalized_interpretation(ui: UI, e2e: E2E, poller: PollerThread) -> None:
    _open(ui, e2e)
    page = ui.page
    poller.running.set()
    _paste(ui, "13:32890607 G>T (het)", "Append-E2E-1")
    _job_row(ui, "Analysis Append-E2E-1", "DONE")
    name = "Append-E2E-1.HBOC_v1.0.0"
    _sql(
        e2e,
        "UPDATE analysisinterpretation SET status = 'Done', finalized = true "
        "WHERE analysis_id = (SELECT id FROM analysis WHERE name = :n)",
        n=name,
    )
    page.fill("#import-data", "13:32890700 C>T (het)")
    page.select_option("#import-type", "Append")
    assert page.locator("#import-analysis-name").is_hidden()
    page.fill("#import-append-analysis", name)
    page.select_option("#import-technology", "Sanger")
    ui.shot("import-07-append-form")
    page.click("#import-submit")
    done = _job_row(ui, f"Append to {name}", "DONE")
    assert "1 variant(s) appended" in done.inner_text() and "reopened" in done.inner_text()
    ui.shot("import-08-appended")
    rounds = _sql(
        e2e,
        "SELECT status FROM analysisinterpretation WHERE analysis_id = (SELECT id FROM analysis WHERE name = :n) "
        "ORDER BY id",
        n=name,
    )
    assert rounds == [("Done",), ("Not started",)]


def test_reanalyse_a_sample_of_the_sample_repository(ui: UI, e2e: E2E, poller: PollerThread) -> None:
    _open(ui, e2e)
    page = ui.page
    poller.running.set()
    page.click("#tab-sample")
    page.fill("#sample-search", "Diag-Sample")
    page.locator("#sample-results input[value='Diag-Sample-2']").check()
    page.select_option("#sample-genepanel", "HBOC\tv1.0.0")
    ui.shot("import-09-sample-search")
    page.click("#sample-submit")
    done = _job_row(ui, "Sample Diag-Sample-2", "DONE")
    assert "Diag-Sample-2.HBOC_v1.0.0 created" in done.inner_text()
    ui.shot("import-10-sample-done")
    assert e2e.annotation_service is not None
    sent = e2e.annotation_service.sample_requests[-1]
    assert sent["fields"]["sample_id"] == "Diag-Sample-2" and "regions" in sent["files"]


def test_cancel_a_waiting_job_and_retry_a_failed_one(ui: UI, e2e: E2E, poller: PollerThread) -> None:
    _open(ui, e2e)
    page = ui.page
    _paste(ui, "13:32890607 G>T (het)", "Cancel-E2E-1")
    row = _job_row(ui, "Analysis Cancel-E2E-1", "SUBMITTED")
    row.locator("[data-action=cancel]").click()
    cancelled = _job_row(ui, "Analysis Cancel-E2E-1", "CANCELLED")
    assert f"cancelled by {USER}" in cancelled.inner_text()
    ui.shot("import-11-cancelled")
    assert e2e.annotation_service is not None
    e2e.annotation_service.reject_annotate = True
    e2e.annotation_service.error_message = "the annotation service could not read the input"
    try:
        _paste(ui, "13:32890607 G>T (het)", "Retry-E2E-1")
        poller.running.set()
        failed = _job_row(ui, "Analysis Retry-E2E-1", "FAILED (SUBMISSION)")
        # the service's own words first, in plain text (where they came from after them)
        assert failed.locator(".job-message").inner_text().startswith("the annotation service could not read the input")
        assert "the annotation service did not accept the job" in failed.inner_text()
        ui.shot("import-12-failed")
    finally:
        e2e.annotation_service.reject_annotate = False
    failed.locator("[data-action=retry]").click()
    _job_row(ui, "Analysis Retry-E2E-1", "DONE")
    page.wait_for_selector("#import-history tr[data-status='CANCELLED']")
    ui.shot("import-13-retried")


def test_reanalyse_a_sample_against_a_custom_panel(ui: UI, e2e: E2E, poller: PollerThread) -> None:
    _open(ui, e2e)
    page = ui.page
    poller.running.set()
    page.click("#tab-sample")
    page.fill("#sample-search", "Diag-Sample-1")
    page.locator("#sample-results input[value='Diag-Sample-1']").check()
    page.select_option("#sample-genepanel", "HBOC\tv1.0.0")
    page.check("#sample-custom")
    page.wait_for_selector("#custom-groups input[value='testgroup01']:checked")
    assert page.locator("#custom-groups input[value='testgroup03']").is_checked() is False
    page.fill("#custom-name", "HBOC-BRCA2")
    page.fill("#custom-exclude", "brca1")
    ui.shot("import-14-custom-panel")
    page.click("#sample-submit")
    done = _job_row(ui, "Sample Diag-Sample-1", "DONE")
    assert "HBOC-BRCA2 v1" in done.inner_text() and "Diag-Sample-1.HBOC-BRCA2_v1 created" in done.inner_text()
    ui.shot("import-15-custom-done")
    assert _sql(e2e, "SELECT official FROM genepanel WHERE name = 'HBOC-BRCA2'") == [(False,)]
    assert e2e.annotation_service is not None
    regions = e2e.annotation_service.sample_requests[-1]["files"]["regions"][1].splitlines()
    assert [line.split("\t")[0] for line in regions[1:]] == ["13"]  # BRCA2 only: BRCA1 (17) left out


def test_a_custom_panel_name_typed_while_the_groups_load_is_kept(ui: UI, e2e: E2E) -> None:
    """The default name ("<panel>-custom") was set after the import groups had loaded: a name typed meanwhile got
    it in front ("HBOC-customHBOC-BRCA2"; seen on a loaded deployed host). The groups' answer is held here until
    the name is typed."""
    _open(ui, e2e)
    page = ui.page
    held: list[Any] = []
    page.route("**/import/service/importgroups/**", lambda route: held.append(route))
    page.click("#tab-sample")
    page.select_option("#sample-genepanel", "HBOC\tv1.0.0")
    page.check("#sample-custom")
    assert page.input_value("#custom-name") == "HBOC-custom"  # the default, at once
    page.fill("#custom-name", "HBOC-BRCA2")
    page.wait_for_function("() => true")  # let the page run what it queued
    assert held, "the page did not ask for the import groups"
    held[0].continue_()
    page.wait_for_selector("#custom-groups input[value='testgroup01']:checked")
    assert page.input_value("#custom-name") == "HBOC-BRCA2"
    page.unroute("**/import/service/importgroups/**")
