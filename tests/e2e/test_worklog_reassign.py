"""The work log (priority, overview comment, message) of a "Not ready" analysis, and the owner rule: a
colleague reassigns the analysis to herself, and the first user's save is refused (409) and shown."""

from __future__ import annotations

from typing import Any

from .conftest import E2E, UI
from .data import SECOND_ANALYSIS


def test_work_log_then_reassign_and_conflict(ui: UI, e2e: E2E, browser: Any) -> None:
    page = ui.page
    analysis = e2e.data.second_analysis_id
    ui.login("testuser4", e2e.set_password("testuser4"))
    ui.goto(f"#/workflows/analyses/{analysis}/info")
    page.wait_for_selector("#pipeline-warnings")
    page.select_option("#priority", "2")
    page.wait_for_selector("#worklog-entries li:has-text('Priority set to High')")
    page.fill("#review-comment", "Waiting for new coverage data")
    page.click("text=Save comment")
    page.fill("#log-message", "Asked the lab to re-sequence exon 11.")
    page.click("#add-log")
    page.wait_for_selector("#worklog-entries li:has-text('re-sequence exon 11')")
    ui.shot("11-info-worklog")

    page.click("#start")  # a Not ready analysis can be started too
    page.wait_for_selector("#finish")
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector("#toggle-technical")

    # A colleague of another group with the same panel sees it under "Others' analyses" and takes it over.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=e2e.base_url)
    try:
        colleague = UI(page=context.new_page(), base_url=e2e.base_url)
        colleague.page.on("console", lambda m: colleague.console.append((m.type, m.text, m.location.get("url", ""))))
        colleague.login("testuser6", e2e.set_password("testuser6"))
        other = colleague.page
        other.wait_for_selector("#section-ongoing_others")
        row = other.inner_text(f"#section-ongoing_others tr[data-analysis-id='{analysis}']")
        assert "Dorothy Hodgkin" in row and "Waiting for new coverage data" in row and "High" in row
        other.click(f"#section-ongoing_others a:text-is('{SECOND_ANALYSIS}')")
        other.click("#reassign")
        other.click("#confirm-reassign")
        other.wait_for_selector("#finish")
        assert "by Frances Kelsey" in other.inner_text(".wf-top")
        assert not colleague.errors(), colleague.errors()
    finally:
        context.close()

    # The first user's next save is refused: the page says so and shows the new owner.
    ui.expect_http_error(409, "/interpretations/")
    page.click("#toggle-technical")
    page.click("#save")
    page.wait_for_selector("#toast .msg.error:has-text('owned by another user')")
    page.wait_for_selector("#reassign")
    assert "by Frances Kelsey" in page.inner_text(".wf-top")
    ui.shot("12-save-conflict", full_page=False)
