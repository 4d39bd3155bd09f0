"""ELLA's comment per evidence section and the comment templates of every editor (issue 13 parts 4 and 5).

ELLA keeps, next to the classification comment, a comment on the frequency, prediction, external-database and
reference evidence in the classification's evaluation (``evaluation.frequency.comment`` …). Here they are
written, saved with the classification, shown again after a reload, and carried into a reclassification
untouched (a reclassification that dropped them would lose an earlier geneticist's reasoning — also the
comments of an imported ELLA database). The group's templates are offered in each editor ELLA offers them in:
the demo group has one for the frequency comment, the report's indications and the work-log message.

Mirrors ELLA's src/webui/tests/e2e/tests/workflow_sample_classification.js (round 1 sets the frequency,
prediction and external comments with the class; the next round checks them with checkAlleleClassification).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from .conftest import E2E, UI
from .test_acmg_panel import deposit_copy


@pytest.fixture(scope="module")
def analysis_id(e2e: E2E, tmp_path_factory: pytest.TempPathFactory) -> int:
    return deposit_copy(e2e, tmp_path_factory.mktemp("comments") / "Comments-001", "Comments-001")


def _assessments(e2e: E2E, allele_id: int) -> list[tuple[str, dict[str, Any], Any]]:
    engine = create_engine(e2e.env["DB_URL"])
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT classification, evaluation, date_superceeded FROM alleleassessment "
                    "WHERE allele_id = :a ORDER BY id"
                ),
                {"a": allele_id},
            ).all()
    finally:
        engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def _open_variant(ui: UI, analysis_id: int, allele_id: int | None = None) -> int:
    """Open the analysis and select the variant (by default the first one not classified yet)."""
    page = ui.page
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.wait_for_selector("#variant-list .vitem")
    item = (
        page.locator("#vlist-unclassified .vitem").first
        if allele_id is None
        else page.locator(f"#variant-list .vitem[data-allele-id='{allele_id}']")
    )
    chosen = int(item.get_attribute("data-allele-id") or 0)
    item.click()
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{chosen}'][aria-selected=true]")
    page.wait_for_selector("#classification-form")
    return chosen


def test_section_comments_are_saved_shown_and_carried_into_a_reclassification(
    ui: UI, e2e: E2E, analysis_id: int
) -> None:
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))  # testuser1 keeps its one-time password for test_login
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.click("#start")
    page.wait_for_selector("#finish")
    allele_id = _open_variant(ui, analysis_id)
    earlier = len(_assessments(e2e, allele_id))  # other tests' analyses share the variants

    # A template goes into the frequency comment; the others are typed.
    page.select_option(
        "#evidence-frequencies select.template-menu[data-field='classificationFrequency']",
        label="Not in population databases",
    )
    assert page.input_value("#comment-frequency") == "Not found in gnomAD exomes or genomes."
    page.fill("#comment-prediction", "PREDICTION_ROUND1")
    page.fill("#comment-external", "EXTERNAL_ROUND1")
    page.fill("#comment-reference", "REFERENCE_ROUND1")
    assert page.locator("#evidence-prediction select.template-menu").count() == 0  # no template for it
    page.click("#classification-form button[data-class='4']")
    page.fill("#evaluation-comment", "EVALUATION_ROUND1")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector("#current-classification")
    page.locator("#comment-frequency").scroll_into_view_if_needed()
    ui.shot("13-section-comments", full_page=False)

    [(cls, evaluation, _)] = _assessments(e2e, allele_id)[earlier:]
    assert cls == "4"
    assert evaluation["frequency"]["comment"] == "Not found in gnomAD exomes or genomes."
    assert evaluation["prediction"]["comment"] == "PREDICTION_ROUND1"
    assert evaluation["external"]["comment"] == "EXTERNAL_ROUND1"
    assert evaluation["reference"]["comment"] == "REFERENCE_ROUND1"
    assert evaluation["classification"]["comment"] == "EVALUATION_ROUND1"

    # After a reload the comments are shown from the stored classification; a new class saved without
    # touching them keeps them all.
    page.reload()
    _open_variant(ui, analysis_id, allele_id)
    assert page.input_value("#comment-prediction") == "PREDICTION_ROUND1"
    assert page.input_value("#comment-external") == "EXTERNAL_ROUND1"
    assert page.is_disabled("#comment-external")  # reused as it is until re-evaluated (ELLA)
    page.click("#reevaluate")
    page.click("#classification-form button[data-class='5']")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector("#current-classification:has-text('Class 5')")
    history = _assessments(e2e, allele_id)[earlier:]
    assert [c for c, _, _ in history] == ["4", "5"] and history[0][2] is not None and history[1][2] is None
    newest = history[1][1]
    for key, comment in {
        "frequency": "Not found in gnomAD exomes or genomes.",
        "prediction": "PREDICTION_ROUND1",
        "external": "EXTERNAL_ROUND1",
        "reference": "REFERENCE_ROUND1",
        "classification": "EVALUATION_ROUND1",
    }.items():
        assert newest[key]["comment"] == comment, (key, newest)

    # The report's indications and the work-log message offer their templates.
    page.click("nav[aria-label=Views] a[data-view=report]")
    page.wait_for_selector("#report-text")
    page.select_option(
        "select.template-menu[data-field='reportIndications']", label="Indication: hereditary breast and ovarian cancer"
    )
    assert "Suspected hereditary breast and ovarian cancer" in page.input_value("#indication-comment")
    assert "Suspected hereditary breast and ovarian cancer" in page.inner_text("#report-text")
    assert page.locator("select.template-menu[data-field='reportSummary']").count() == 0
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save:text('Saved')")
    page.click("nav[aria-label=Views] a[data-view=info]")
    page.wait_for_selector("#log-message")
    page.select_option("select.template-menu[data-field='workLogMessage']", label="Sent to review")
    assert page.input_value("#log-message") == "Interpretation done; please review the classified variants."
    page.click("#add-log")
    page.wait_for_selector("#worklog-entries:has-text('please review the classified variants')")
