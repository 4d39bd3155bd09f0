"""The user manual at /docs/ (ella_app/webui/static/docs/, served by nginx next to the web UI) and its
screenshots, taken here by walking through the interpretation workflow as a new user: login and the first
password change, the overview, an analysis, the filtered variants, evidence, the suggested ACMG criteria with
their REQ prompts and the suggested class, ACMG criteria and class, visual
mode, the report, the work log and the Finish dialog.

The screenshots go to artifacts/screenshots/manual/; with ELLA_MANUAL_SCREENSHOTS=1 they replace the manual's
committed images (ella_app/webui/static/docs/img/): that is how the manual's pictures are made again after a
change of the UI. Either way the test checks that the manual shows exactly these pictures, that /docs/ is
served with every image loading, and that no page asks any other server for anything."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ella_app.webui import static_dir

from .browser import SCREENSHOTS, UI, open_ui
from .conftest import E2E, NEW_PASSWORD
from .data import MANUAL_USER

MANUAL = static_dir() / "docs"
IMAGES = MANUAL / "img"
REGENERATE = os.environ.get("ELLA_MANUAL_SCREENSHOTS") == "1"
TRIO = "Diag-demo02-0002"
VARIANT_POS = 41244435  # BRCA1 c.3113A>G, a variant of the demo analyses only
VIEWPORT = (1280, 800)

# name -> what it shows (the manual's img/<name>.png)
SHOTS = {
    "01-login": "the login page",
    "02-new-password": "choosing a new password at the first login",
    "03-overview": "the overview with the worklists",
    "04-analysis": "an analysis before it is started",
    "05-filtered": "the filtered variants dialog",
    "06-evidence": "the evidence of the selected variant",
    "07-acmg-suggestions": "the rule engine's suggested criteria, the REQ prompts and the suggested class",
    "07-acmg": "ACMG criteria and class",
    "08-classified": "the variant after Save classification",
    "09-visual": "visual mode",
    "10-report": "the report",
    "11-info": "the INFO view with the work log",
    "12-finish": "the Finish dialog",
}


@pytest.fixture
def manual_ui(browser: Any, e2e: E2E) -> Iterator[UI]:
    with open_ui(browser, e2e.base_url, viewport=VIEWPORT) as wrapper:
        yield wrapper


def _shot(ui: UI, name: str, element: str | None = None, margin: int = 0) -> None:
    """The page (or ``element``, with ``margin`` pixels of the page around it) as img/<name>.png."""
    assert name in SHOTS
    target = (IMAGES if REGENERATE else SCREENSHOTS / "manual") / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    ui.page.wait_for_timeout(300)  # let the page settle (fonts, igv.js drawing)
    ui.page.evaluate("document.querySelectorAll('#toast .msg').forEach((m) => m.remove())")  # no passing toasts
    if element and margin:
        box = ui.page.locator(element).bounding_box()
        assert box, element
        x, y = max(0, box["x"] - margin), max(0, box["y"] - margin)
        clip = {"x": x, "y": y, "width": box["width"] + 2 * margin, "height": box["height"] + 2 * margin}
        ui.page.screenshot(path=str(target), clip=clip)
    elif element:
        ui.page.locator(element).screenshot(path=str(target))
    else:
        ui.page.screenshot(path=str(target))


def test_walk_through_the_workflow_for_the_manual(manual_ui: UI, e2e: E2E) -> None:
    ui, page = manual_ui, manual_ui.page
    user = MANUAL_USER["username"]
    ui.goto("")
    page.wait_for_selector("form[aria-label='Log in']")
    page.fill("#username", user)
    _shot(ui, "01-login", element=".login", margin=24)
    ui.expect_http_error(401, "users/actions/login/")  # a one-time password must be changed first
    page.fill("#password", e2e.data.passwords[user])
    page.keyboard.press("Enter")
    page.wait_for_selector("form[aria-label='Choose a new password']")
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD)
    _shot(ui, "02-new-password", element=".login", margin=24)
    page.click("form[aria-label='Choose a new password'] button[type=submit]")
    e2e.changed_passwords[user] = NEW_PASSWORD
    page.wait_for_selector(f"#overview-body a:text-is('{TRIO}')")
    _shot(ui, "03-overview")

    page.click(f"#overview-body a:text-is('{TRIO}')")
    page.wait_for_selector("#workflow #variant-list")
    _shot(ui, "04-analysis")
    page.click("#start")
    page.wait_for_selector("#finish")

    page.click("#show-filtered")
    page.wait_for_selector("dialog[open] #filtered-table")
    _shot(ui, "05-filtered")
    page.keyboard.press("Escape")

    variant = page.locator("#variant-list .vitem", has_text="c.3113A>G")
    allele_id = variant.get_attribute("data-allele-id")
    variant.click()
    page.wait_for_selector("#variant-header:has-text('c.3113A>G')")
    _shot(ui, "06-evidence")
    page.wait_for_selector("#acmg-suggested li[data-code]")  # the rules' suggestions for the variant
    page.click("#acmg-show-req")
    page.wait_for_selector("#acmg-reqs li")
    page.click("#classification-form button[data-class='3']")
    page.click("#acmg-palette button[data-code='PM2']")
    page.click("#acmg-palette button[data-code='PP3']")
    page.wait_for_selector("#acmg-suggested-class-value[data-class]")
    # A taller window and the hand-picked list folded, so that the picture shows the form from the class to
    # the REQ prompts.
    page.set_viewport_size({"width": VIEWPORT[0], "height": 1300})
    page.click("#acmg-add > summary")
    page.eval_on_selector("#classification-form", "form => { form.scrollTop = 0; }")
    _shot(ui, "07-acmg-suggestions", element="#classification-form")
    page.click("#acmg-add > summary")
    page.set_viewport_size({"width": VIEWPORT[0], "height": VIEWPORT[1]})
    page.fill("#acmg-included li[data-code='PP3'] input", "Conserved residue; predicted damaging")
    page.fill("#evaluation-comment", "Missense variant absent from gnomAD; no functional studies yet.")
    page.fill("#report-comment", "Variant of uncertain significance in BRCA1.")
    _shot(ui, "07-acmg", element="#classification-form")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector(f"#vlist-classified .vitem[data-allele-id='{allele_id}'] .badge.class-3")
    _shot(ui, "08-classified")

    page.click("nav[aria-label=Views] a[data-view=visual]")
    page.wait_for_selector("#igv-container[data-ready=true]")
    page.locator("#igv-container").get_by_text("Variants", exact=True).first.wait_for()
    page.wait_for_timeout(700)
    _shot(ui, "09-visual")

    page.click("nav[aria-label=Views] a[data-view=report]")
    page.wait_for_selector("#report-text")
    page.fill("#indication-comment", "Breast cancer in two first-degree relatives.")
    _shot(ui, "10-report")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save:text('Saved')")

    page.click("nav[aria-label=Views] a[data-view=info]")
    page.wait_for_selector("#worklog")
    page.fill("#log-message", "BRCA1 c.3113A>G classified; please review the segregation data.")
    page.click("#add-log")
    page.wait_for_selector("#worklog-entries li:has-text('segregation data')")
    _shot(ui, "11-info")

    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    page.check("dialog[open] input[value=markreview]")
    _shot(ui, "12-finish")
    page.keyboard.press("Escape")  # the manual stops here: the analysis stays with its interpreter


def test_the_manual_is_served_with_its_pictures(ui: UI, e2e: E2E) -> None:
    """Every picture the walk-through takes is in the manual and committed, and nothing else; /docs/ shows
    the manual (not the web UI) with every image loaded."""
    html = (MANUAL / "index.html").read_text()
    referenced = set(re.findall(r'src="img/([\w-]+)\.png"', html))
    assert referenced == set(SHOTS), referenced ^ set(SHOTS)
    assert {p.stem for p in IMAGES.glob("*.png")} == set(SHOTS)
    for name in SHOTS:
        assert re.search(rf'<img src="img/{name}\.png" alt="[^"]+"', html), f"{name}: no image with a text alternative"
        assert (IMAGES / f"{name}.png").stat().st_size < 400_000, name
    page = ui.page
    route = "docs/index.html" if e2e.stack.mode == "werkzeug" else "docs/"
    ui.goto(route)
    page.wait_for_selector("h1:has-text('ELLA user manual')")
    page.wait_for_load_state("load")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == [] and page.locator("img").count() == len(SHOTS)
    assert page.locator("script").count() == 0  # static text and pictures only
    ui.shot("manual-page", full_page=False)
    if e2e.stack.mode != "werkzeug":  # nginx: a missing file under /docs/ is a 404, not the web UI
        assert page.request.get(e2e.base_url + "docs/no-such-page.html").status == 404
