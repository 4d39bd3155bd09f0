"""Interpret an imported analysis in the browser: open it from the overview, start, change the filter config,
re-include a filtered variant, classify a variant with ACMG criteria (one with a changed strength), check the
report, finish to Review, start the review, mark the variants the finish dialog names as blocking not relevant
and finalize (visual mode: test_visual.py)."""

from __future__ import annotations

import re

from .conftest import E2E, UI

ANALYSIS = "TestAnalysis-001"


def _open_analysis(ui: UI, section: str) -> None:
    page = ui.page
    page.wait_for_selector(f"#section-{section}")
    page.click(f"#section-{section} a:text('{ANALYSIS}')")
    page.wait_for_selector("#workflow #variant-list")


def test_classify_and_finalize_an_analysis(ui: UI, e2e: E2E) -> None:
    from playwright.sync_api import expect  # a test dependency; imported here like the browser

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    _open_analysis(ui, "not_started")
    assert "Interpretation · Not started" in page.inner_text("#workflow-status")
    assert page.is_disabled("#classify")  # read only until started
    ui.shot("04-analysis-not-started")

    page.click("#start")
    page.wait_for_selector("#finish")
    assert "Ongoing" in page.inner_text("#workflow-status")

    # Keyboard: arrow down/up move through the variant list.
    items = page.locator("#variant-list .vitem")
    assert items.nth(0).get_attribute("aria-selected") == "true"
    page.locator("#variant-content").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#variant-list .vitem:nth-child(2)[aria-selected=true]")
    page.keyboard.press("ArrowUp")
    page.wait_for_selector("#variant-list .vitem:nth-child(1)[aria-selected=true]")

    # Filter config selector: another config changes the list, the default brings it back.
    default_count = page.locator("#variant-list .vitem").count()
    options = page.locator("#filterconfig option")
    assert options.count() >= 2
    other = options.nth(1).get_attribute("value")
    with page.expect_response(re.compile(rf"alleles/\?filterconfig_id={other}")):
        page.select_option("#filterconfig", other)
    page.wait_for_selector("#variant-list")
    first = options.nth(0).get_attribute("value")
    with page.expect_response(re.compile(rf"alleles/\?filterconfig_id={first}")):
        page.select_option("#filterconfig", first)
    expect(page.locator("#variant-list .vitem")).to_have_count(default_count)

    # Re-include a filtered variant: it is listed again, tagged I.
    filtered_text = page.inner_text("#show-filtered")
    filtered = int(re.search(r"\((\d+)\)", filtered_text)[1])
    assert filtered > 0, "the default filter config of the demo removes some TestAnalysis-001 variants"
    page.click("#show-filtered")
    page.wait_for_selector("dialog[open] #filtered-table")
    ui.shot("05-filtered-dialog", full_page=False)
    # rows are grouped by filter, in the filters' order: re-include the one the classification filter removed
    page.locator("dialog[open] #filtered-table tr:has(.badge:text-is('classification')) input[type=checkbox]").check()
    page.click("#apply-filtered")
    expect(page.locator("#variant-list .vitem")).to_have_count(default_count + 1)
    reincluded = page.locator("#vlist-classified .vitem[aria-selected=true]")
    assert reincluded.locator(".badge.tag:text-is('I')").count() == 1  # selected, in Classified (class 2), tagged I
    page.wait_for_selector("#variant-header:has-text('Re-included (filtered by classification)')")
    assert "BP7" in page.inner_text("#evidence-history")  # the colleague's earlier classification

    # Classify an unclassified variant: class 5 with PVS1 and PM2 downgraded to supporting (PPxPM2).
    target = page.locator("#vlist-unclassified .vitem").first
    allele_id = target.get_attribute("data-allele-id")
    hgvs = target.locator(".hgvs").inner_text().split()[0]
    target.click()
    page.wait_for_selector(f"#variant-header:has-text('{hgvs}')")
    assert page.locator("#current-classification").count() == 0
    page.click("#classification-form button[data-class='5']")
    page.click("#acmg-palette button[data-code='PVS1']")
    page.click("#acmg-palette button[data-code='PM2']")
    page.select_option("select[data-code='PM2']", "PP")
    assert page.inner_text("#acmg-included li[data-code='PM2'] .code") == "PPxPM2"
    page.fill("#evaluation-comment", "Truncating variant in BRCA2, absent from population databases.")
    page.fill("#report-comment", "Pathogenic BRCA2 variant; predictive testing of relatives is offered.")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector(f"#vlist-classified .vitem[data-allele-id='{allele_id}'] .badge.class-5")
    page.wait_for_selector("#current-classification")
    assert "PPxPM2" in page.inner_text("#evidence-history")
    ui.shot("06-classification")

    # The report includes the class 5 variant (include_report) with the configured text.
    page.click("nav[aria-label=Views] a[data-view=report]")
    page.wait_for_selector("#report-text")
    page.fill("#indication-comment", "Breast cancer in the family.")
    text = page.inner_text("#report-text")
    assert "Pathogenic variant" in text and "predictive testing" in text and "Breast cancer in the family." in text
    ui.shot("07-report")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save:text('Saved')")

    # Finish: the group's finalize requirements need every variant shown classified (or technical / not
    # relevant), so finalizing is not offered -> send to Review.
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector("#variant-list")
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    assert page.is_disabled("dialog[open] input[value=finalize]")
    assert "block finalizing" in page.inner_text("#finalize-problems")
    ui.shot("08-finish-dialog", full_page=False)
    page.check("dialog[open] input[value=markreview]")
    page.fill("#finish-message", "Ready for review.")
    page.click("#confirm-finish")
    _open_analysis(ui, "marked_review")
    assert "Review · Not started" in page.inner_text("#workflow-status")
    assert page.locator(f"#vlist-classified .vitem[data-allele-id='{allele_id}']").count() == 1

    # The review round. The demo's group needs every variant shown classified (or marked technical / not
    # relevant) before finalizing: the finish dialog names the variants in the way before the click.
    page.click("#start")
    page.wait_for_selector("#finish")
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    assert page.is_disabled("dialog[open] input[value=finalize]")
    blocking = page.locator("#finalize-blocking li")
    ids = [blocking.nth(i).get_attribute("data-allele-id") for i in range(blocking.count())]
    assert ids and allele_id not in ids, ids  # the class 5 variant is classified
    unclassified = page.locator("#vlist-unclassified .vitem")
    assert sorted(ids) == sorted(
        unclassified.nth(i).get_attribute("data-allele-id") for i in range(unclassified.count())
    )
    assert "not classified" in page.inner_text("#finalize-blocking")
    ui.shot("08b-finish-blocked-by-unclassified", full_page=False)
    # a blocking variant's link selects it; mark each not relevant
    page.click(f"#finalize-blocking li[data-allele-id='{ids[0]}'] a")
    for blocked in ids:
        page.click(f"#variant-list .vitem[data-allele-id='{blocked}']")
        page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{blocked}'][aria-selected=true]")
        page.click("#toggle-notrelevant")
        page.wait_for_selector("#toggle-notrelevant[aria-pressed=true]")
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    assert page.is_enabled("dialog[open] input[value=finalize]")
    page.check("dialog[open] input[value=finalize]")
    page.click("#confirm-finish")
    page.wait_for_selector("#section-finalized table")
    assert ANALYSIS in page.inner_text("#section-finalized")
    assert ANALYSIS not in page.inner_text("#overview-body section:not(#section-finalized)")
    ui.shot("09-overview-finalized")

    # The work log kept the message.
    page.click(f"#section-finalized a:text('{ANALYSIS}')")
    page.wait_for_selector("#workflow-status:has-text('Finalized')")
    page.click("nav[aria-label=Views] a[data-view=info]")
    page.wait_for_selector("#worklog-entries")
    assert "Ready for review." in page.inner_text("#worklog-entries")
