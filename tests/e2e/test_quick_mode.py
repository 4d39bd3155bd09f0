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

import re

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
    # saved: the classification is reused (ELLA), its class and criteria locked until re-evaluated
    saved_row = page.locator(f"#quick-classified tr[data-allele-id='{second}']")
    expect(saved_row.locator(".quick-class")).to_have_attribute("data-reused", "true")
    assert saved_row.locator("button.quick-classnp").is_disabled()
    assert saved_row.locator("button[data-code='BS1']").is_disabled()
    assert saved_row.locator("button.quick-technical").is_enabled()
    assert saved_row.locator("input.quick-comment").is_disabled()  # the evaluation of a reused classification
    expect(saved_row.locator("td[data-column=external]")).to_have_text("HGMD ClinVar")  # annotation loaded again
    assert page.locator(f"#quick-classified tr[data-allele-id='{third}'] button.quick-save").count() == 1
    ui.shot("45-quick-saved", full_page=False)


QUICK_HEADERS = [
    "Gene",
    "Variant",
    "Consequence",
    "Genotype",
    "QUAL",
    "DP",
    "Ratio",
    "Hi freq",
    "Hi count",
    "External",
    "Class",
    "ACMG",
    "Quick",
]


def _headers(page, section: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#quick-{section} thead th").all_inner_texts()]


def test_columns_buttons_and_comments_follow_the_config(ui: UI, e2e: E2E, analysis_id: int) -> None:
    """analysis.sidebar.quick decides the optional columns, the buttons and the comment field of each section
    (ELLA's alleleSidebarList: showColumn, showClassificationBtn, comment_type per section). The example config
    gives ELLA's: QUAL, DP, ratio, highest frequency and count, external databases; all four buttons; the
    evaluation for classified variants and the analysis-specific comment elsewhere (ELLA's e2e test
    workflow_sample_classification.js: setEvaluationComment on a classified row, setNotRelevantComment on a not
    relevant one). Another config changes the page."""
    from playwright.sync_api import expect

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{analysis_id}/quick")
    page.wait_for_selector("#quick-view")
    # the previous test left variants in Classified and Technical (other tests classify the trio's others)
    assert _headers(page, "technical") == [*QUICK_HEADERS, "Analysis specific"]
    assert _headers(page, "classified") == [*QUICK_HEADERS, "Evaluation"]
    # the title names the filter config's frequency groups once the config has arrived (loaded after the table)
    expect(page.locator("#quick-technical th[data-column=hi-freq]")).to_have_attribute(
        "title", re.compile(r"GNOMAD_EXOMES\.G \(number > 5000\)")
    )
    row = page.locator("#quick-technical tbody tr").first
    # TestAnalysis-001 has ExAC frequencies only, which the default filter config's frequency filter does not
    # look at: the highest frequency is a dash, as in ELLA; its ClinVar and HGMD annotation show.
    expect(row.locator("td[data-column=external]")).to_have_text("HGMD ClinVar")
    assert row.locator("td[data-column=hi-freq]").inner_text() == "\N{EN DASH}"
    assert row.locator("td[data-column=qual]").inner_text() == "5000"
    assert row.locator(".quick-buttons button").all_inner_texts() == ["T", "NR", "NP", "2", "BS1", "BS2"]
    comment = page.locator("#quick-classified input.quick-comment").first
    assert comment.get_attribute("data-comment-type") == "evaluation"

    # Another config (as ella_config.yml would give it): the page follows.
    page.evaluate(
        """async () => {
            const { session } = await import(new URL("js/session.js", document.baseURI).href);
            session.config.analysis.sidebar.quick = {
                columns: ["hi-count", "qual"],
                classification_options: {unclassified: ["notrelevant"], classified: [], not_relevant: ["notrelevant"],
                                         technical: ["technical"]},
                comment_type: {unclassified: null, classified: "analysis", not_relevant: null, technical: null},
                shade_multiple_in_gene: false,
            };
        }"""
    )
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector("#variant-list")
    page.click("nav[aria-label=Views] a[data-view=quick]")
    page.wait_for_selector("#quick-view")
    fixed = ["Gene", "Variant", "Consequence", "Genotype", "Hi count", "QUAL", "Class", "ACMG"]
    assert _headers(page, "technical") == [*fixed, "Quick"]
    assert _headers(page, "classified") == [*fixed, "Analysis specific"]
    assert page.locator("#quick-technical tbody tr").first.locator("button").all_inner_texts() == ["T"]
    assert page.locator("#quick-technical input.quick-comment").count() == 0
    assert page.locator("#quick-classified .quick-buttons").count() == 0  # no buttons configured there
    assert page.locator("#quick-view tr.multiple").count() == 0
    ui.shot("43b-quick-other-config", full_page=False)
    first = page.locator("#quick-technical tbody tr").first.get_attribute("data-allele-id")
    page.click(f"#quick-technical tr[data-allele-id='{first}'] td >> nth=0")
    page.keyboard.press("r")  # not a button of the technical section here: nothing happens
    expect(page.locator(f"#quick-technical tr[data-allele-id='{first}']")).to_have_count(1)


def test_highest_frequency_and_count_as_ella(ui: UI, e2e: E2E) -> None:
    """The Hi freq / Hi count columns: the highest value over the populations of the filter config's first
    frequency filter; a frequency counts only when its allele number exceeds the filter's num_threshold (else
    the highest value is shown, in parentheses), a count always. Mirrors ELLA
    src/webui/src/js/store/modules/views/workflows/alleleSidebar/computed/getHiFrequencyById.spec.js (both tests,
    its five alleles and filter config)."""
    ui.login("testuser2", e2e.set_password("testuser2"))
    result = ui.page.evaluate(
        """async () => {
            const { frequencyDefinition, highest } = await import(new URL("js/pages/quick.js", document.baseURI).href);
            const other = {freq: {G: 1.0}, num: {G: 9999999}, count: {G: 999999}};
            const data = (freq, num, count) => ({freq: {G: freq}, num: {G: num}, count: {G: count}});
            const alleles = {
                1: {FREQ_GROUP_W_CONSTRAINT: data(0.1, 5000, 999), NOT_PART_OF_CONFIG: other},
                2: {FREQ_GROUP_W_CONSTRAINT: data(0.1, 1, 999), NOT_PART_OF_CONFIG: other},
                3: {FREQ_GROUP_WO_CONSTRAINT: data(0.2, 1, 1000), NOT_PART_OF_CONFIG: other},
                4: {FREQ_GROUP_W_CONSTRAINT: data(0.2, 6000, 1000), FREQ_GROUP_WO_CONSTRAINT: data(0.3, 1, 2000),
                    NOT_PART_OF_CONFIG: other},
                5: {NOT_PART_OF_CONFIG: other},
            };
            const definition = frequencyDefinition({id: 1, filterconfig: {filters: [{name: "frequency", config: {
                groups: {external: {FREQ_GROUP_W_CONSTRAINT: ["G"], FREQ_GROUP_WO_CONSTRAINT: ["G"]}},
                num_thresholds: {FREQ_GROUP_W_CONSTRAINT: {G: 2000}}}}]}});
            const out = {};
            for (const [id, frequencies] of Object.entries(alleles)) {
                out[id] = {freq: highest(frequencies, definition, "freq"),
                           count: highest(frequencies, definition, "count")};
            }
            return {out, none: frequencyDefinition(null)};
        }"""
    )
    out = result["out"]
    assert {k: v["count"] for k, v in out.items()} == {
        "1": {"value": 999, "meets": True},
        "2": {"value": 999, "meets": True},
        "3": {"value": 1000, "meets": True},
        "4": {"value": 2000, "meets": True},
        "5": None,
    }
    assert {k: v["freq"] for k, v in out.items()} == {
        "1": {"value": 0.1, "meets": True},
        "2": {"value": 0.1, "meets": False},  # ELLA: maxMeetsThresholdValue null, maxValue 0.1
        "3": {"value": 0.2, "meets": True},
        "4": {"value": 0.3, "meets": True},
        "5": None,
    }
    assert result["none"] == []
