"""QUICK mode in the browser (issue 13 part 3, ella-features U10; ELLA's docs/manual/quick-classification.md):
three variants triaged in a row from the keyboard (technical, not relevant, class 2 after BS1), each moving to
its section; class 2 refused until a benign criterion is added; a mark undone and the variant marked Not
provided instead; the marks kept in the interpretation state after SAVE and seen in the classification view; a
quick class saved as a classification (NP: a saved class 1-2 would make the default filter hide the variant in
the other tests' copies of the trio). Other tests classify some of the trio's variants: three unclassified
ones are all this test needs.

Mirrors the QUICK steps of ELLA's src/webui/tests/e2e/tests/workflow_sample_classification.js ('allows
interpretation, classification and reference evaluation to be set to review': quickSetTechnical,
quickSetNotRelevant, quickClassNP, each moving the variant to its section, then a comment on the row)."""

from __future__ import annotations

import pytest

from .conftest import E2E, UI
from .test_acmg_panel import deposit_copy


@pytest.fixture(scope="module")
def analysis_id(e2e: E2E, tmp_path_factory: pytest.TempPathFactory) -> int:
    return deposit_copy(e2e, tmp_path_factory.mktemp("quick") / "ACMG-Quick-001", "ACMG-Quick-001")


def test_three_variants_in_a_row_from_the_keyboard(ui: UI, e2e: E2E, analysis_id: int) -> None:
    from playwright.sync_api import expect

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{analysis_id}/quick")
    page.wait_for_selector("#quick-view")
    assert page.is_disabled("#quick-unclassified tr >> nth=1 >> button.quick-technical")  # read only until started
    page.click("#start")
    page.wait_for_selector("#finish")
    page.wait_for_selector("#quick-view")
    rows = page.locator("#quick-unclassified tbody tr")
    assert rows.count() >= 3
    first, second, third = (rows.nth(i).get_attribute("data-allele-id") for i in range(3))
    assert rows.nth(0).get_attribute("aria-selected") == "true"
    assert "BS1" in page.inner_text("#quick-keys") and "Not relevant" in page.inner_text("#quick-keys")
    ui.shot("43-quick-before", full_page=False)

    page.keyboard.press("t")  # technical: moves to Technical, the next variant is selected
    expect(page.locator(f"#quick-technical tr[data-allele-id='{first}']")).to_have_count(1)
    second_row = page.locator(f"#quick-unclassified tr[data-allele-id='{second}']")
    expect(second_row).to_have_attribute("aria-selected", "true")
    page.keyboard.press("r")  # not relevant
    expect(page.locator(f"#quick-notrelevant tr[data-allele-id='{second}']")).to_have_count(1)
    third_row = page.locator(f"tr[data-allele-id='{third}']")
    expect(third_row).to_have_attribute("aria-selected", "true")
    assert third_row.locator("button.quick-class2").is_disabled()  # no benign criterion yet
    page.keyboard.press("2")  # refused: stays unclassified
    expect(page.locator(f"#quick-unclassified tr[data-allele-id='{third}']")).to_have_count(1)
    page.keyboard.press("a")  # BS1
    expect(third_row.locator("button[data-code='BS1']")).to_have_attribute("aria-pressed", "true")
    assert third_row.locator(".quick-codes").inner_text() == "BS1"
    page.keyboard.press("2")  # class 2 now
    classified = page.locator(f"#quick-classified tr[data-allele-id='{third}']")
    expect(classified).to_have_count(1)
    assert "→ 2" in classified.locator(".quick-class").inner_text()
    ui.shot("44-quick-after-three", full_page=False)

    # Undo a mark: NR again on the second puts it back; then NP (Not provided) moves it to Classified.
    page.click(f"tr[data-allele-id='{second}'] td >> nth=0")
    page.keyboard.press("r")
    expect(page.locator(f"#quick-unclassified tr[data-allele-id='{second}']")).to_have_count(1)
    page.click(f"tr[data-allele-id='{second}'] td >> nth=0")
    page.keyboard.press("p")
    expect(page.locator(f"#quick-classified tr[data-allele-id='{second}'] .quick-class")).to_contain_text("→ NP")
    # The comment of a row is the analysis-specific comment (comment_type analysis, ELLA's default for QUICK).
    page.fill(f"#quick-technical tr[data-allele-id='{first}'] input.quick-comment", "Low coverage, Sanger ordered")
    page.keyboard.press("Escape")

    # SAVE keeps the marks; the classification view's list shows the same sections.
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save:text('Saved')")
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector(f"#vlist-technical .vitem[data-allele-id='{first}']")
    assert page.locator(f"#vlist-classified .vitem[data-allele-id='{second}']").count() == 1
    assert page.locator(f"#vlist-classified .vitem[data-allele-id='{third}']").count() == 1
    page.click(f"#vlist-technical .vitem[data-allele-id='{first}']")
    expect(page.locator("#analysis-comment")).to_have_value("Low coverage, Sanger ordered")

    # A quick class becomes a classification with "Save class".
    page.click("nav[aria-label=Views] a[data-view=quick]")
    save = page.locator(f"#quick-classified tr[data-allele-id='{second}'] button.quick-save")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        save.click()
    page.wait_for_selector(f"#quick-classified tr[data-allele-id='{second}'] .badge.class-other:text-is('NP')")
    expect(save).to_have_count(0)
    assert page.locator(f"#quick-classified tr[data-allele-id='{third}'] button.quick-save").count() == 1
    ui.shot("45-quick-saved", full_page=False)
