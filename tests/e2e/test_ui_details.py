"""Small things a new user tripped over (issue 12, defect 9), each seen in the browser: the requested date of
the INFO view and the overview, "Affected" of a single sample imported without PED, ACMG criteria of a
read-only analysis, long words in the work log, toasts that pile up, and the report of a finalized analysis."""

from __future__ import annotations

from typing import Any

from .conftest import E2E, UI
from .data import classify

SINGLE = "Diag-demo01-0001.HBOC_v1.0.0"  # one sample, no PED
TRIO = "Diag-demo02-0002"  # date_requested 2024-05-02 in its .analysis file
CLASSIFIED_POS = 32915005  # BRCA2 c.6513G>C in both demo analyses


def _api(ui: UI, method: str, path: str, body: Any = None) -> Any:
    """A request through the web UI's own api.js (session cookie, CSRF header), as the page would send it."""
    return ui.page.evaluate(
        """async ([method, path, body]) => {
            const api = await import("./js/api.js");
            return api.request(path, { method, body: body === null ? undefined : body });
        }""",
        [method, path, body],
    )


def _requested(ui: UI, analysis_id: int) -> tuple[str, str]:
    page = ui.page
    ui.goto("#/overview/analyses")
    page.wait_for_selector(f"tr[data-analysis-id='{analysis_id}']")
    column = page.locator("table.worklist >> nth=0").locator("th").all_inner_texts().index("Requested") + 1
    overview = page.inner_text(f"tr[data-analysis-id='{analysis_id}'] td:nth-child({column})").strip()
    ui.goto(f"#/workflows/analyses/{analysis_id}/info")
    return overview, page.inner_text("dl.kv dt:text-is('Requested') + dd").strip()


def test_requested_date_is_the_same_in_the_overview_and_info(ui: UI, e2e: E2E) -> None:
    ui.login("testuser2", e2e.set_password("testuser2"))
    overview, info = _requested(ui, e2e.data.demo_analysis_ids[TRIO])
    assert overview == info == "2024-05-02"
    # No request date given: both show the date the analysis was deposited, and INFO says so.
    overview, info = _requested(ui, e2e.data.second_analysis_id)
    assert overview and info.startswith(overview) and "no request date given" in info, (overview, info)


def test_a_single_sample_without_ped_is_shown_as_affected_proband(ui: UI, e2e: E2E) -> None:
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{e2e.data.demo_analysis_ids[SINGLE]}/info")
    page.wait_for_selector("th:text-is('Affected')")
    row = page.locator("table:has(th:text-is('Affected')) tbody tr")
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[:4] == ["DEMO-0001", "HTS", "yes", "yes"], cells  # sample, technology, proband, affected


def test_read_only_acmg_criteria_have_nothing_to_remove_or_add(ui: UI, e2e: E2E) -> None:
    page = ui.page
    allele_id = classify(
        e2e.env,
        "testuser4",
        CLASSIFIED_POS,
        "3",
        [{"code": "PM2"}, {"code": "PP3", "strength": "PM", "comment": "x"}],
        "",
    )
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{e2e.data.demo_analysis_ids[SINGLE]}")
    page.click(f"#variant-list .vitem[data-allele-id='{allele_id}']")
    page.wait_for_selector("#acmg-included li[data-code='PM2']")
    assert "start the interpretation" in page.inner_text("#classification-form .alert.warn").lower()
    assert page.locator("#acmg-included button").count() == 0  # no ✕ on a read-only list
    assert page.locator("#acmg-included select, #acmg-included input").count() == 0
    assert page.is_hidden("#acmg-palette")
    assert page.inner_text("#acmg-included li[data-code='PP3'] .code") == "PMxPP3"
    ui.shot("30-acmg-read-only", full_page=False)
    # Once started and re-evaluated (the saved classification is reused until then), the criteria can be
    # changed and removed again.
    page.click("#start")
    page.wait_for_selector("#finish")
    page.click(f"#variant-list .vitem[data-allele-id='{allele_id}']")
    page.click("#reevaluate")
    page.wait_for_selector("#acmg-included li[data-code='PM2'] button[aria-label='Remove PM2']")
    assert page.is_visible("#acmg-palette")


def test_long_words_wrap_in_the_work_log_and_toasts_do_not_pile_up(ui: UI, e2e: E2E) -> None:
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{e2e.data.demo_analysis_ids[TRIO]}/info")
    page.wait_for_selector("#worklog")
    word = "NM_000059.3:c.6513G>C" * 12  # one 250-character "word"
    page.fill("#log-message", word)
    page.click("#add-log")
    entry = page.wait_for_selector(f"#worklog-entries li:has-text('{word[:40]}')")
    card = page.locator(".card:has(#worklog)")
    overflow = card.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the work-log card overflows by {overflow}px"
    assert entry.evaluate("el => el.getBoundingClientRect().right") <= card.evaluate(
        "el => el.getBoundingClientRect().right"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ui.shot("31-worklog-long-word", full_page=False)

    # The same message five times: one toast, counted.
    for _ in range(5):
        with page.expect_response(lambda r: r.url.endswith("/logs/") and r.request.method == "POST"):
            page.click("text=Save comment")
    saved = page.locator("#toast .msg", has_text="Overview comment saved.")
    page.wait_for_selector("#toast .msg .count:text-is('\u00d75')")
    assert saved.count() == 1
    # Many different messages: at most three at a time, the newest kept; each can be dismissed.
    page.evaluate(
        """async () => {
            const dom = await import("./js/dom.js");
            for (let i = 1; i <= 6; i++) dom.toast(`Message ${i}`);
        }"""
    )
    assert page.locator("#toast .msg .text").all_inner_texts() == ["Message 4", "Message 5", "Message 6"]
    page.click("#toast .msg:has-text('Message 6') .dismiss")
    assert page.locator("#toast .msg").count() == 2


def _own_round(ui: UI, base: str) -> None:
    """Make the analysis' latest round the logged-in user's Ongoing one (start or take it over)."""
    rounds = _api(ui, "GET", f"{base}/interpretations/")
    if rounds[-1]["status"] == "Not started":
        _api(ui, "POST", f"{base}/actions/start/", {})
    elif rounds[-1]["status"] == "Ongoing" and rounds[-1]["user"]["username"] != "testuser2":
        _api(ui, "POST", f"{base}/actions/override/", {})
    elif rounds[-1]["status"] == "Done":
        _api(ui, "POST", f"{base}/actions/reopen/", {})


def test_the_work_log_shows_classifications_and_the_author_edits_messages(ui: UI, e2e: E2E) -> None:
    """ELLA's work log: a classification made in the analysis is an entry ("Updated classification and variant
    report for BRCA2 c.… (Class 3 → Class 4)"); the author edits and deletes a message of the round."""
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    analysis_id = e2e.data.demo_analysis_ids[SINGLE]
    base = f"workflows/analyses/{analysis_id}"
    ui.goto("#/overview/analyses")
    page.wait_for_selector("table.worklist")
    found = _api(ui, "GET", f'search/?q={{"type":"alleles","freetext":"13:{CLASSIFIED_POS}"}}')
    [allele_id] = [r["allele"]["id"] for r in found["alleles"] if r["allele"]["vcf_pos"] == CLASSIFIED_POS]
    _own_round(ui, base)
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.wait_for_selector("#finish")
    page.click(f"#variant-list .vitem[data-allele-id='{allele_id}']")
    page.wait_for_selector("#classification-form")
    before = page.locator("#current-classification .badge.class")
    previous = before.inner_text() + " " if before.count() else ""  # classified earlier by another test or not
    target = "5" if previous.startswith("Class 4") else "4"
    if page.locator("#reevaluate").count():  # a saved classification is reused until re-evaluated (ELLA)
        page.click("#reevaluate")
    page.click(f"#classification-form button[data-class='{target}']")
    page.fill("#report-comment", "Likely pathogenic.")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")

    page.click("nav[aria-label=Views] a[data-view=info]")
    change = page.wait_for_selector(f"#worklog-entries li.log-change:has-text('{previous}→ Class {target}')")
    text = change.inner_text()
    assert "Updated classification and variant report for BRCA2 c.6513G>C" in text, text
    assert "Barbara McClintock" in text, text  # the author, from the log's users
    assert change.query_selector(".edit-log") is None  # not a message: nothing to edit

    page.fill("#log-message", "Segregation data requested.")
    page.click("#add-log")
    mine = page.locator("#worklog-entries li:has-text('Segregation data requested.')")
    mine.locator(".edit-log").click()
    page.fill("#worklog-entries textarea.edit-log-text", "Segregation data requested from the family.")
    with page.expect_response(lambda r: "/logs/" in r.url and r.request.method == "PATCH" and r.status == 200):
        page.click("#worklog-entries .save-log")
    page.wait_for_selector("#worklog-entries li:has-text('requested from the family')")
    ui.shot("32-worklog-classification-and-edit", full_page=False)
    page.locator("#worklog-entries li:has-text('requested from the family') .delete-log").click()
    with page.expect_response(lambda r: "/logs/" in r.url and r.request.method == "DELETE" and r.status == 200):
        page.click("#worklog-entries .confirm-delete-log")
    page.wait_for_selector("#worklog-entries li:has-text('requested from the family')", state="detached")
    assert not ui.errors(), ui.errors()


def test_the_report_of_a_finalized_analysis_says_it_is_finalized(ui: UI, e2e: E2E) -> None:
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    analysis_id = e2e.data.demo_analysis_ids[SINGLE]
    ui.goto(f"#/workflows/analyses/{analysis_id}/report")
    page.wait_for_selector("#report-page")
    base = f"workflows/analyses/{analysis_id}"
    if _api(ui, "GET", f"{base}/interpretations/")[-1]["status"] == "Not started":
        _api(ui, "POST", f"{base}/actions/start/")
    for action in ("markreview", "start"):
        _api(ui, "POST", f"{base}/actions/{action}/")
    # ... and every variant shown classified or marked not relevant (the demo's finalize requirements)
    current = _api(ui, "GET", f"{base}/interpretations/")[-1]
    shown = _api(ui, "GET", f"{base}/interpretations/{current['id']}/filteredalleles/")["allele_ids"]
    state = {**(current["state"] or {}), "allele": {str(a): {"analysis": {"notrelevant": True}} for a in shown}}
    _api(ui, "PATCH", f"{base}/interpretations/{current['id']}/", {"state": state})
    assert _api(ui, "POST", f"{base}/actions/finalize/")["finalized"] is True
    ui.goto(f"#/workflows/analyses/{analysis_id}/info")  # another analysis' view first: the page loads anew
    ui.goto("#/overview/analyses")
    ui.goto(f"#/workflows/analyses/{analysis_id}/report")
    page.wait_for_selector("#workflow-status:has-text('Finalized')")
    text = page.inner_text("#report-page .alert.warn")
    assert "Finalized" in text and "start the interpretation" not in text, text
    assert page.is_disabled("#indication-comment")
    ui.shot("32-report-finalized", full_page=False)
