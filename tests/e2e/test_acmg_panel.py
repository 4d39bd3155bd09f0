"""Classification support in the browser (issue 13 part 2): the rule engine's suggested criteria with what
triggered them, the REQ codes, adding suggestions with one click, changing a strength, the suggested class
beside the chosen one (with a warning when they differ), criterion texts in the list with a filter box, and
saving the classification.

The analysis is a copy of TestAnalysis-001 deposited for these tests only (the other e2e tests finalize
TestAnalysis-001 and take over the second copy). The expected suggestions are those of the golden file
(tests/data/acmg/testanalysis-001.golden.txt): BRCA2 c.10G>T p.Gly4Ter gets PVS1 and PPxPM2 in HBOC v1.0.0.

Mirrors ELLA's src/webui/tests/e2e/tests/workflow_variant_acmg.js ('suggested codes and REQs are displayed when
interpreting') and, for the reference evaluation, workflow_variant_references.js ('allows interpretation,
classification and reference evaluation to be set to review': a reference evaluated and saved with the
classification).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Cli

from .conftest import E2E, UI
from .data import TEST_ANALYSIS

STOP_GAINED = "c.10G>T"  # BRCA2 NM_000059.3:c.10G>T p.Gly4Ter


def deposit_copy(e2e: E2E, folder: Path, name: str) -> int:
    """A copy of TestAnalysis-001 under another name, deposited as production does (ella-cli)."""
    folder.mkdir(parents=True)
    shutil.copy(TEST_ANALYSIS / "TestAnalysis-001.vcf", folder / "trio.vcf")
    shutil.copy(TEST_ANALYSIS / "TestAnalysis-001.ped", folder / "trio.ped")
    analysis = {
        "name": name,
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
        "priority": 1,
        "data": [{"vcf": "trio.vcf", "ped": "trio.ped", "technology": "HTS"}],
    }
    (folder / f"{name}.analysis").write_text(json.dumps(analysis))
    return int(Cli(e2e.env).ok("deposit", "analysis", str(folder), "--json").json()["analysis_id"])


@pytest.fixture(scope="module")
def analysis_id(e2e: E2E, tmp_path_factory: pytest.TempPathFactory) -> int:
    return deposit_copy(e2e, tmp_path_factory.mktemp("acmg") / "ACMG-Panel-001", "ACMG-Panel-001")


def test_suggestions_reqs_strength_and_suggested_class(ui: UI, e2e: E2E, analysis_id: int) -> None:
    from playwright.sync_api import expect

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.click("#start")
    page.wait_for_selector("#finish")
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")
    page.wait_for_selector(f"#variant-header:has-text('{STOP_GAINED}')")

    # The rule engine's suggestions, apart from the (empty) list of added criteria, each with its trigger.
    suggested = page.locator("#acmg-suggested")
    expect(suggested.locator("li[data-code='PVS1']")).to_have_count(1)
    pvs1 = suggested.locator("li[data-code='PVS1']")
    assert "Null variant" in pvs1.inner_text()
    assert "REQ_null_variant + REQ_GP_LOF_only + REQ_not_in_last_exon" in pvs1.locator(".why").inner_text()
    pm2 = suggested.locator("li[data-code='PM2']")
    assert pm2.get_attribute("data-suggested") == "PPxPM2"
    assert "REQ_no_freq" in pm2.locator(".why").inner_text()
    assert page.inner_text("#acmg-included") == "No ACMG criteria added."
    assert "add ACMG criteria" in page.inner_text("#acmg-suggested-class")

    # REQs are prompts, shown on demand, each with what it needs and what matched.
    assert page.is_hidden("#acmg-reqs")
    page.click("#acmg-show-req")
    req = page.locator("#acmg-reqs li[data-code='REQ_null_variant']")
    expect(req).to_be_visible()
    assert "transcript.consequences: stop_gained" in req.inner_text()
    assert "PVS1" in req.inner_text()  # the criterion it is a requirement of
    assert page.locator("#acmg-reqs li[data-code='REQ_GP_LOF_only']").count() == 1
    ui.shot("40-acmg-suggestions-and-reqs", full_page=False)

    # One click each adds a suggestion, at the suggested strength; the suggested class follows.
    pvs1.locator("button.add").click()
    pm2.locator("button.add").click()
    assert page.inner_text("#acmg-included li[data-code='PVS1'] .code") == "PVS1"
    assert page.inner_text("#acmg-included li[data-code='PM2'] .code") == "PPxPM2"
    assert "Absent" in page.inner_text("#acmg-included li[data-code='PM2'] .short")  # the text, not a tooltip
    expect(pvs1.locator(".badge:text-is('added')")).to_have_count(1)
    expect(page.locator("#acmg-suggested-class-value")).to_have_attribute("data-class", "4")
    assert "PVS1, PPxPM2" in page.inner_text("#acmg-suggested-class")

    # Class 5 chosen against the suggestion: a warning; PM2 raised to strong: suggested 5, the warning goes.
    page.click("#classification-form button[data-class='5']")
    expect(page.locator("#acmg-class-mismatch")).to_contain_text("chosen class 5 differs from the suggested class 4")
    ui.shot("41-acmg-class-differs", full_page=False)
    page.select_option("select[data-code='PM2']", "PS")
    assert page.inner_text("#acmg-included li[data-code='PM2'] .code") == "PSxPM2"
    expect(page.locator("#acmg-suggested-class-value")).to_have_attribute("data-class", "5")
    expect(page.locator("#acmg-class-mismatch")).to_have_count(0)

    # Not weighted: kept in the list, not counted.
    page.select_option("select[data-code='PM2']", "PNW")
    expect(page.locator("#acmg-suggested-class-value")).to_have_attribute("data-class", "3")
    assert "not counted: PNWxPM2" in page.inner_text("#acmg-suggested-class")
    page.select_option("select[data-code='PM2']", "PS")
    expect(page.locator("#acmg-suggested-class-value")).to_have_attribute("data-class", "5")

    # Every criterion with its text; the filter box narrows the list.
    page.fill("#acmg-filter", "de novo")
    choices = page.locator("#acmg-choices button")
    expect(choices).to_have_count(2)
    assert sorted(choices.evaluate_all("els => els.map(e => e.dataset.code)")) == ["PM6", "PS2"]
    page.fill("#acmg-filter", "")
    assert page.locator("#acmg-choices button").count() == 29  # 28 criteria and OTHER
    assert page.is_disabled("#acmg-choices button[data-code='PVS1']")  # added already

    # Comment templates of the group (testgroup01 has one for the evaluation), inserted as text.
    assert page.locator("select[data-field='classificationReport']").count() == 0  # none for the report
    page.select_option("select.template-menu[data-field='classificationEvaluation']", label="Benign in population data")
    assert page.input_value("#evaluation-comment") == "Frequency in gnomAD is above the threshold for this gene."
    page.fill("#evaluation-comment", "Truncating, absent from population data.")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector("#current-classification")
    assert "PSxPM2" in page.inner_text("#evidence-history")
    ui.shot("42-acmg-saved", full_page=False)


def _set_created(e2e: E2E, assessment_id: int, days_ago: int) -> None:
    engine = create_engine(e2e.env["DB_URL"])
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE alleleassessment SET date_created = now() - make_interval(days => :days) WHERE id = :id"),
                {"id": assessment_id, "days": days_ago},
            )
    finally:
        engine.dispose()


def _allele(page, allele_id: str, analysis_id: int) -> dict:
    """The variant's details as the API gives them to the logged-in user."""
    return page.evaluate(
        """async ([id, analysis]) => {
            const api = await import("./js/api.js");
            return api.get(`alleles/${id}/`, { analysis_id: analysis });
        }""",
        [int(allele_id), analysis_id],
    )


def test_reused_classification_and_reevaluate(ui: UI, e2e: E2E, analysis_id: int) -> None:
    """A variant with a saved classification shows it as reused (its class, criteria, comments and references
    cannot change; the report can: "Submit report" sends reuse); Re-evaluate starts a new assessment from the
    saved one's evaluation and criteria with no class chosen (the variant is unclassified until one is), kept
    over SAVE and a reload; Undo re-evaluation reuses the saved one again; a new class saved is reused in turn.
    Mirrors ELLA's src/webui/src/js/store/modules/views/workflows/alleleStateHandling.spec.js ('handles
    assessments/reports': an existing assessment reused as {reuse, reuseCheckedId}; reuseAlleleAssessmentClicked
    copies it in with the classification reset, then reuses it again) and the Re-evaluate / Undo re-evaluation
    / Submit report controls of its allelesectionbox."""
    from playwright.sync_api import expect

    page = ui.page
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation of Undo re-evaluation
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")  # classified 5 by the test before
    form = page.locator("#classification-form")
    expect(form).to_have_class(re.compile(r"\breused\b"))
    expect(page.locator("#reused-note")).to_contain_text("Reused in this analysis")
    assert page.is_disabled("#classification-form button[data-class='4']")
    assert page.is_disabled("#evaluation-comment")
    assert page.locator("#acmg-included li[data-code='PVS1']").count() == 1  # the saved criteria, read only
    assert page.locator("#acmg-palette").is_hidden()
    assert page.locator("#reference-evaluations button.ref-evaluate").count() == 0
    expect(page.locator("#classify")).to_have_text("Submit report")
    assert page.is_disabled("#classify")  # nothing changed yet
    stop_id = page.locator(f"#variant-list .vitem:has-text('{STOP_GAINED}')").get_attribute("data-allele-id")
    assert page.locator(f"#vlist-classified .vitem[data-allele-id='{stop_id}']").count() == 1
    before = _allele(page, stop_id, analysis_id)
    assert before["allele_assessment"]["classification"] == "5"
    ui.shot("49-classification-reused", full_page=False)

    # The report of a reused classification: submitted with reuse, the classification stays the same one.
    page.fill("#report-comment", "Pathogenic truncating variant.")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200) as answer:
        page.click("#classify")
    assert answer.value.request.post_data_json["alleleassessment"] == {
        "reuse": True,
        "presented_alleleassessment_id": before["allele_assessment"]["id"],
    }
    expect(page.locator("#classification-form.reused #report-comment")).to_have_value("Pathogenic truncating variant.")
    after = _allele(page, stop_id, analysis_id)
    assert after["allele_assessment"]["id"] == before["allele_assessment"]["id"]
    assert after["allele_report"]["evaluation"]["comment"] == "Pathogenic truncating variant."

    # Re-evaluate: the saved evaluation and criteria copied in, no class; unclassified until one is chosen.
    page.click("#reevaluate")
    expect(page.locator("#reevaluating-note")).to_be_visible()
    expect(form).not_to_have_class(re.compile(r"\breused\b"))
    assert page.locator("#classification-form button[aria-pressed=true][data-class]").count() == 0
    assert page.input_value("#evaluation-comment") == "Truncating, absent from population data."
    assert page.locator("#acmg-included li[data-code='PVS1']").count() == 1
    assert page.is_disabled("#classify")
    expect(page.locator(f"#vlist-unclassified .vitem[data-allele-id='{stop_id}']")).to_have_count(1)
    ui.shot("50-classification-reevaluate", full_page=False)
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save:text('Saved')")
    page.reload()
    page.click(f"#variant-list .vitem[data-allele-id='{stop_id}']")
    expect(page.locator("#reevaluating-note")).to_be_visible()  # the state keeps the re-evaluation

    # Undo re-evaluation: the saved classification is reused again.
    page.click("#undo-reevaluate")
    expect(form).to_have_class(re.compile(r"\breused\b"))
    expect(page.locator(f"#vlist-classified .vitem[data-allele-id='{stop_id}']")).to_have_count(1)

    # Re-evaluate and save a new class: a new classification, reused from then on.
    page.click("#reevaluate")
    page.click("#classification-form button[data-class='4']")
    expect(page.locator(f"#vlist-classified .vitem[data-allele-id='{stop_id}']")).to_have_count(1)
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    expect(page.locator("#classification-form.reused #current-classification")).to_contain_text("Class 4")
    new = _allele(page, stop_id, analysis_id)
    assert new["allele_assessment"]["id"] != before["allele_assessment"]["id"]
    assert new["allele_assessment"]["classification"] == "4"

    # Outdated (older than the example config's outdated_after_days, 180 for class 4): still reused, as in
    # ELLA, but it does not count as classified: the variant is unclassified until re-evaluated.
    _set_created(e2e, new["allele_assessment"]["id"], 400)
    try:
        page.reload()
        page.click(f"#variant-list .vitem[data-allele-id='{stop_id}']")
        expect(page.locator("#reused-note")).to_contain_text("outdated")
        expect(page.locator(f"#vlist-unclassified .vitem[data-allele-id='{stop_id}']")).to_have_count(1)
        assert page.locator("#reevaluate").count() == 1
    finally:
        _set_created(e2e, new["allele_assessment"]["id"], 0)  # the other tests share the variant


def test_region_and_prediction_sections(ui: UI, e2e: E2E, analysis_id: int) -> None:
    """ELLA's Region and Prediction sections (issue 13 part 4): exon/intron, distance to the splice site, last
    exon; consequence, impact, amino acids; a value the annotation lacks says so instead of an empty cell."""
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.click("#variant-list .vitem:has-text('c.67+2T>A')")
    region = page.locator("#evidence-region")
    region.wait_for()
    row = region.locator("#region-transcripts tr:has-text('NM_000059.3')")
    assert row.locator("td").all_inner_texts()[1:] == [
        "intron 2 of 26",
        "2 bp into the intron, donor (5') side",
        "no",
    ]
    from playwright.sync_api import expect

    repeats = page.locator("#region-repeats:not([aria-busy])")
    expect(repeats).to_have_text("not in the annotation")  # nobody has said whether it lies in a repeat
    prediction = page.locator("#evidence-prediction #prediction-transcripts tr:has-text('NM_000059.3')")
    cells = prediction.locator("td").all_inner_texts()
    assert cells[1] == "splice donor variant" and cells[2] == "HIGH"
    assert cells[5:] == ["not in the annotation", "not in the annotation"]  # SIFT, PolyPhen: not in this VCF's CSQ
    assert page.inner_text("#prediction-splice") == "not in the annotation"
    assert page.locator("#evidence-prediction td:empty, #evidence-region td:empty").count() == 0
    page.locator("#evidence-region").scroll_into_view_if_needed()
    ui.shot("46-region-and-prediction", full_page=False)

    # ELLA's repeat region is a manual prediction (custom annotation prediction.repeat), which its rules read.
    splice_id = page.locator("#variant-list .vitem:has-text('c.67+2T>A')").get_attribute("data-allele-id")
    page.evaluate(
        """async (id) => {
            const api = await import("./js/api.js");
            return api.request("customannotations/", { method: "POST",
              body: { allele_id: id, annotations: { prediction: { repeat: "non_repeat" } } } });
        }""",
        int(splice_id),
    )
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")
    page.wait_for_selector(f"#variant-header:has-text('{STOP_GAINED}')")
    expect(repeats).to_have_text("not in the annotation")
    page.click("#variant-list .vitem:has-text('c.67+2T>A')")
    page.wait_for_selector("#variant-header:has-text('c.67+2T>A')")
    expect(repeats).to_have_text("Non-repeat region (custom annotation)")

    # An exonic stop-gain in the last exon check: exon 2 of 27 is not the last exon.
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")
    page.wait_for_selector(f"#variant-header:has-text('{STOP_GAINED}')")
    cells = page.locator("#region-transcripts tr:has-text('NM_000059.3') td").all_inner_texts()
    assert cells[1] == "exon 2 of 27" and cells[3] == "no"


def test_reference_evaluation_feeds_the_suggestions_and_is_saved(ui: UI, e2e: E2E, analysis_id: int) -> None:
    """A reference evaluated in the browser (relevance, comment, the study's segregation evidence) changes the
    suggestions at once (strong segregation: PSxPP1, as ELLA's rules say) and is saved with the classification;
    opened again, the earlier evaluation is shown as reused."""
    from playwright.sync_api import expect

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    created = page.evaluate(
        """async () => {
            const api = await import("./js/api.js");
            return api.request("references/", { method: "POST",
              body: { pubmed_id: 17453335, title: "BRCA2 truncating variants in breast cancer families" } });
        }"""
    )
    reference_id = created["id"]
    ui.goto(f"#/workflows/analyses/{analysis_id}")
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")
    page.click("#reevaluate")  # classified by the tests before: reused, its references read only until then
    item = page.locator(f"#reference-evaluations li[data-reference-id='{reference_id}']")
    expect(item).to_contain_text("Not evaluated")
    expect(page.locator("#acmg-suggested li[data-code='PVS1']")).to_have_count(1)
    assert page.locator("#acmg-suggested li[data-code='PP1']").count() == 0

    item.locator("button.ref-evaluate").click()
    page.wait_for_selector("dialog[open] #ref-eval-form")
    page.select_option("#ref-relevance", "Yes")
    page.fill("#ref-comment", "Co-segregation in three families.")
    page.select_option("#ref-ref_segregation", "segr")
    page.select_option("#ref-ref_segregation_quality", "segr_HQ")
    ui.shot("47-reference-evaluation", full_page=False)
    page.click("#ref-save")

    item = page.locator(f"#reference-evaluations li[data-reference-id='{reference_id}']")
    expect(item).to_contain_text("Segregation: segregates with the disease")
    expect(item).to_contain_text("Evaluated in this interpretation")
    pp1 = page.locator("#acmg-suggested li[data-code='PP1']")
    expect(pp1).to_have_attribute("data-suggested", "PSxPP1")
    assert "REQ_segregation + REQ_segregation_HQ" in pp1.locator(".why").inner_text()

    page.click("#classification-form button[data-class='5']")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector("#current-classification")
    page.reload()
    page.click(f"#variant-list .vitem:has-text('{STOP_GAINED}')")
    item = page.locator(f"#reference-evaluations li[data-reference-id='{reference_id}']")
    expect(item).to_contain_text("Earlier evaluation by testuser2")
    expect(item).to_contain_text("Co-segregation in three families.")
    expect(page.locator("#acmg-suggested li[data-code='PP1']")).to_have_attribute("data-suggested", "PSxPP1")


def test_suggestions_in_the_variants_workflow(ui: UI, e2e: E2E, analysis_id: int) -> None:
    """The VARIANTS workflow (one variant, no analysis) asks the rules in the panel it was opened in (the panel
    read wf.analysis before, which that page does not have: the classification form did not render)."""
    from playwright.sync_api import expect

    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))
    ui.goto("#/workflows/variants/GRCh37/13-32890607-G-T?gp_name=HBOC&gp_version=v1.0.0")
    page.wait_for_selector("#variant-workflow")
    expect(page.locator("#acmg-suggested li[data-code='PVS1']")).to_have_count(1)
    expect(page.locator("#acmg-suggested li[data-code='PM2']")).to_have_attribute("data-suggested", "PPxPM2")
    assert page.locator("#analysis-comment").count() == 0  # no analysis here
    ui.shot("48-acmg-variants-workflow", full_page=False)
