"""Issue 14 in the browser: the top bar's search finds a variant by its HGVS name and opens its VARIANTS
workflow; the variant is classified there outside any analysis and its round finalized; the gene popover holds
the panel's inheritance and phenotypes and takes a gene comment; a colleague who opens an analysis with the
same variant while the round is under way sees the collision warning. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

from .conftest import E2E, UI

VARIANT_HGVS = "NM_000059.3:c.7397T>C"  # BRCA2 p.Val2466Ala, 13:32929387 T>C: only in the demo analyses
VARIANT_KEY = "13-32929387-T-C"
TRIO = "Diag-demo02-0002"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _second_user(browser: Any, e2e: E2E, username: str) -> tuple[Any, UI]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=e2e.base_url)
    other = UI(page=context.new_page(), base_url=e2e.base_url)
    other.page.on("console", lambda m: other.console.append((m.type, m.text, m.location.get("url", ""))))
    other.page.on("pageerror", lambda exc: other.page_errors.append(str(exc)))
    other.login(username, e2e.set_password(username))
    return context, other


def test_search_open_classify_and_finalize_a_variant(ui: UI, e2e: E2E, browser: Any) -> None:
    page = ui.page
    ui.login("testuser6", e2e.set_password("testuser6"))  # Frances Kelsey, testgroup03 (HBOC)

    # Search by HGVS name from the top bar: grouped results, the variant first.
    page.fill("#search-input", VARIANT_HGVS)
    result = page.wait_for_selector("#search-variants a.result")
    assert "BRCA2" in result.inner_text() and "c.7397T>C" in result.inner_text()
    assert page.inner_text("#search-variants h3").upper().startswith("VARIANTS")
    assert page.locator("#search-analyses").count() == 1  # the analyses group is there (empty for an HGVS name)
    ui.shot("40-search-hgvs", full_page=False)
    result.click()

    # Its VARIANTS workflow at ELLA's route, with the panel and the allele id in the query.
    page.wait_for_selector("#variant-workflow")
    assert f"#/workflows/variants/GRCh37/{VARIANT_KEY}?" in page.url
    assert "gp_name=HBOC" in page.url and "allele_id=" in page.url
    assert "BRCA2" in page.inner_text("#variant-title")
    assert page.input_value("#variant-panel") == "HBOC\tv1.0.0"
    assert "start the interpretation" in page.inner_text("#classification-form .alert.warn").lower()
    assert TRIO in page.inner_text("#variant-analyses")  # "show analyses": those with the variant
    page.wait_for_selector("#evidence-similar")  # classified variants nearby (none within 100 bases here)
    page.click("#start")
    page.wait_for_selector("#finish")
    assert "Interpretation · Ongoing" in page.inner_text("#workflow-status")
    ui.shot("41-variant-workflow", full_page=False)

    # A colleague of another group with the same panel opens the trio analysis with this variant: while the
    # variant's round is under way, its evidence carries the collision warning.
    context, colleague = _second_user(browser, e2e, "testuser3")
    try:
        other = colleague.page
        trio = e2e.data.demo_analysis_ids[TRIO]
        allele_id = int(page.url.split("allele_id=")[1].split("&")[0])
        colleague.goto(f"#/workflows/analyses/{trio}")
        other.wait_for_selector("#variant-list .vitem")
        other.click(f"#variant-list .vitem[data-allele-id='{allele_id}']")
        warning = other.wait_for_selector("#allele-collision")
        assert "VARIANTS workflow" in warning.inner_text() and "Frances Kelsey" in warning.inner_text()
        colleague.shot("42-collision-in-analysis", full_page=False)
        assert not colleague.errors(), colleague.errors()
    finally:
        context.close()

    # The gene popover: the panel's inheritance and phenotypes, and a gene comment (append-only).
    page.click("#gene-button")
    page.wait_for_selector("#gene-popover #gene-inheritance")
    page.wait_for_selector("#gene-comment-none")
    page.fill("#gene-comment-text", "BRCA2: report monoallelic variants; Fanconi anaemia D1 when biallelic.")
    page.click("#save-gene-comment")
    page.wait_for_selector("#gene-comment-current:has-text('Fanconi anaemia')")
    ui.shot("43-gene-popover", full_page=False)
    page.keyboard.press("Escape")
    page.wait_for_selector("#gene-comment-flag:not([hidden])")

    # Attach the lab report (a file with a disguised type is refused with the server's reason).
    ui.expect_http_error(422, "/attachments/upload/")
    page.set_input_files("#attachment-file", files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PNG}])
    page.wait_for_selector("#toast .msg.error:has-text('is named as a PDF document but its content is a PNG image')")
    page.set_input_files(
        "#attachment-file", files=[{"name": "lab-report.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.wait_for_selector("#attachment-list li:has-text('lab-report.pdf')")

    # Classify it outside any analysis, then finalize the round.
    page.click(".class-options button[data-class='3']")
    page.fill("#evaluation-comment", "Missense in BRCA2, no functional data: VUS.")
    page.click("#classify")
    page.wait_for_selector("#current-classification")
    assert "Class 3" in page.inner_text("#current-classification")
    ui.shot("44-variant-classified")
    page.click("#finish")
    page.wait_for_selector("#finish-form")
    # ELLA's default finalize requirements for variants (workflow_status Interpretation or Review) allow
    # finalizing now; the interpreter sends the variant to review instead
    assert page.is_enabled("input[name=finish-target][value=finalize]")
    page.check("input[name=finish-target][value=markreview]")
    page.fill("#finish-message", "Please review the VUS.")
    page.click("#confirm-finish")
    page.wait_for_selector("#overview-body")
    assert page.url.endswith("#/overview/variants")
    page.wait_for_selector(f"#section-variants-marked_review tr[data-allele-id='{allele_id}']")

    # Search again: the variant shows its class and its round waiting for review; the review starts there.
    page.fill("#search-input", "13:32929387")
    result = page.wait_for_selector(f"#search-variants a.result[data-allele-id='{allele_id}']")
    assert "Review" in result.inner_text() and "3" in result.inner_text()
    result.click()
    page.wait_for_selector("#start:has-text('Start review')")
    page.click("#start")
    page.wait_for_selector("#finish")
    # The work log of the variant (the analysis page's component): the message sent with FINISH and the
    # classification, in ELLA's words; the reviewer adds a message.
    page.wait_for_selector("#open-worklog:has-text('Work log (1)')")
    page.click("#open-worklog")
    page.wait_for_selector("#variant-worklog #worklog-entries li:has-text('Please review the VUS.')")
    change = page.inner_text("#variant-worklog #worklog-entries li.log-change")
    assert "Updated classification and variant report for BRCA2 c." in change and "→ Class 3)" in change, change
    page.fill("#log-message", "Agreed, VUS.")
    page.click("#add-log")
    page.wait_for_selector("#variant-worklog #worklog-entries li:has-text('Agreed, VUS.') .edit-log")
    ui.shot("44b-variant-worklog", full_page=False)
    page.click("#close-worklog")
    page.wait_for_selector("#open-worklog:has-text('Work log (2)')")
    page.click("#finish")
    page.check("input[name=finish-target][value=finalize]")
    page.click("#confirm-finish")
    page.wait_for_selector(f"#section-variants-finalized tr[data-allele-id='{allele_id}']")
    page.click(f"#section-variants-finalized tr[data-allele-id='{allele_id}'] td >> nth=1")  # the row opens it
    page.wait_for_selector("#reopen")
    assert "Finalized" in page.inner_text("#workflow-status")
    page.wait_for_selector("#attachment-list li:has-text('lab-report.pdf')")  # the classification carries it
    ui.shot("45-variant-finalized", full_page=False)


def test_search_by_gene_position_and_analysis_name(ui: UI, e2e: E2E) -> None:
    page = ui.page
    ui.login("testuser3", e2e.set_password("testuser3"))
    page.fill("#search-input", "BRCA2")
    page.wait_for_selector("#search-genes button[data-hgnc-id='1101']")
    page.click("#search-genes button[data-hgnc-id='1101']")
    page.wait_for_selector("#search-variants h3:has-text('Variants in BRCA2')")
    assert page.locator("#search-variants a.result").count() >= 5
    # a position range finds the variants inside it, the analysis name part finds the analysis
    page.fill("#search-input", "13:32890600-32890700")
    page.wait_for_selector("#search-variants a.result >> nth=2")
    page.fill("#search-input", "demo02")
    link = page.wait_for_selector("#search-analyses a.result")
    assert TRIO in link.inner_text()
    ui.shot("46-search-analysis", full_page=False)
    link.click()
    page.wait_for_selector("#analysis-name")
    assert page.inner_text("#analysis-name") == TRIO
    # An HGVS name without transcript or gene: nothing, and the box says what to add.
    page.fill("#search-input", "c.7397T>C")
    page.wait_for_selector("#search-variants .empty:has-text('needs its transcript')")
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden()
