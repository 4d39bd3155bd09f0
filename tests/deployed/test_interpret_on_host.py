"""On the deployed test host, in Chromium, through nginx: a user deposited by ``ella-cli users add_many`` logs
in with the one-time password, must choose a new one, opens TestAnalysis-001 (imported by the watcher unit
during Molecule verify), classifies a variant with an ACMG criterion, sends the analysis to review and
finalizes it. The host's database is then asked, over SSH, whether the round and the assessment are there.
Then visual mode of the demo trio on the host's demo IGV data (files/demo/igv-data, copied by ella_igv): the
reference and the dynamic tracks load, and the page sends no request to any address but the host."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from tests.e2e.browser import UI
from tests.support.deployed_host import DeployedHost

from .conftest import URL, NewUser, log_in

ANALYSIS = "TestAnalysis-001"
DEMO_TRIO = "Diag-demo02-0002"


def _open_analysis(ui: UI) -> None:
    page = ui.page
    page.wait_for_selector("#overview-body")
    page.click(f"#overview-body a:text-is('{ANALYSIS}')")
    page.wait_for_selector("#workflow #variant-list")


def test_new_user_finalizes_an_analysis_with_a_classified_variant(
    ui: UI, host: DeployedHost, new_user: NewUser
) -> None:
    page = ui.page
    log_in(ui, new_user)
    assert urlparse(page.url).scheme == urlparse(URL).scheme  # no downgrade on the way
    assert page.inner_text("#who-name") == "Rosalind Franklin"
    assert page.inner_text("#who-group") == f"({new_user.group})"
    ui.shot("deployed-01-overview")

    _open_analysis(ui)
    page.click("#start")
    page.wait_for_selector("#finish")

    target = page.locator("#vlist-unclassified .vitem").first
    allele_id = target.get_attribute("data-allele-id")
    target.click()
    page.wait_for_selector("#classification-form")
    page.click("#classification-form button[data-class='4']")
    page.click("#acmg-palette button[data-code='PM2']")
    page.fill("#evaluation-comment", f"Classified on the deployed host by {new_user.username}.")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    page.wait_for_selector(f"#vlist-classified .vitem[data-allele-id='{allele_id}'] .badge.class-4")
    page.wait_for_selector("#current-classification")
    ui.shot("deployed-02-classified")

    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    page.check("dialog[open] input[value=markreview]")
    page.click("#confirm-finish")
    _open_analysis(ui)
    page.click("#start")
    page.wait_for_selector("#finish")
    # The demo groups need every variant shown classified or marked technical / not relevant: the finish dialog
    # names the others; mark them not relevant.
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    blocking = page.locator("#finalize-blocking li")
    blocked = [blocking.nth(i).get_attribute("data-allele-id") for i in range(blocking.count())]
    assert allele_id not in blocked
    page.click("dialog[open] button:text('Cancel')")
    for other in blocked:
        page.click(f"#variant-list .vitem[data-allele-id='{other}']")
        page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{other}'][aria-selected=true]")
        page.click("#toggle-notrelevant")
        page.wait_for_selector("#toggle-notrelevant[aria-pressed=true]")
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    page.check("dialog[open] input[value=finalize]")
    page.click("#confirm-finish")
    page.wait_for_selector("#section-finalized table")
    assert ANALYSIS in page.inner_text("#section-finalized")
    ui.shot("deployed-03-finalized")

    [row] = host.cli_json("analyses", "list", "--name", ANALYSIS)["analyses"]
    assert (row["workflow_status"], row["status"]) == ("Review", "Done"), row
    count = host.run(
        "runuser -u postgres -- psql -d ella -tAc "
        f'"SELECT count(*) FROM alleleassessment a JOIN analysis n ON n.id = a.analysis_id '
        f"WHERE n.name = '{ANALYSIS}' AND a.allele_id = {int(allele_id or 0)} AND a.classification = '4'\""
    )
    assert count.strip() == "1"


def test_visual_mode_of_the_demo_trio_loads_its_tracks_and_nothing_leaves_the_host(
    ui: UI, host: DeployedHost, new_user: NewUser
) -> None:
    from playwright.sync_api import expect  # a test dependency; imported here like the browser

    page = ui.page
    [demo] = host.cli_json("analyses", "list", "--name", DEMO_TRIO)["analyses"]
    log_in(ui, new_user)
    ui.goto(f"#/workflows/analyses/{demo['id']}/visual")
    page.wait_for_selector("#igv-container[data-ready=true]")
    igv = page.locator("#igv-container")
    for name in ("Variants", "Classifications", "Gene panel"):
        igv.get_by_text(name, exact=True).first.wait_for()
    igv.locator(".igv-roi-region").first.wait_for()
    assert page.locator("#igv-error").count() == 0
    page.locator("#visual-variants .vitem", has_text="BRCA1").first.click()
    search = igv.locator("input.igv-search-input")
    expect(search).to_have_value(re.compile(r"^17:41,2"), timeout=10_000)
    page.wait_for_timeout(500)
    ui.shot("deployed-04-visual")

    host_netloc = urlparse(URL).netloc
    paths = [urlparse(u).path for u in ui.requests]
    assert "/api/v1/igv/demo-grch37-panels.fasta" in paths and "/api/v1/igv/cytoBand.txt" in paths
    assert any(re.fullmatch(r"/api/v1/igv/tracks/dynamic/variants/\d+", p) for p in paths), paths
    outside = [
        u for u in ui.requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != host_netloc
    ]
    assert outside == [] and ui.external == [], outside + ui.external
