"""Visual mode (igv.js) in the browser, on the demo's IGV data (files/demo/igv-data, config of the demo
inventory): the reference, the dynamic tracks (variants, classifications, gene panel, regions of interest),
the static and analysis tracks, presets and jumping between variants; a site's indexed reference; and a broken
reference, whose error stays inside the IGV pane.

Every request the page makes is recorded (tests/e2e/browser.py): a request to any address other than the test
server fails the test, whatever it was for (igv.js' genome list, its URL mapping table on igv.org after a failed
request, a search web service, BLAT)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from .conftest import E2E, UI

DEMO_TRIO = "Diag-demo02-0002"


def _route_reference(ui: UI, reference: dict[str, Any]) -> None:
    """The UI receives ``reference`` as config igv.reference (the rest of the config as the server has it)."""

    def handle(route: Any) -> None:
        response = route.fetch()
        config = response.json()
        config["igv"]["reference"] = reference
        route.fulfill(response=response, json=config)

    ui.page.route("**/api/v1/config/", handle)


def _paths(ui: UI) -> list[str]:
    return [urlparse(url).path + ("?" + urlparse(url).query if urlparse(url).query else "") for url in ui.requests]


def _only_local(ui: UI, e2e: E2E) -> None:
    local = urlparse(e2e.base_url).netloc
    outside = [u for u in ui.requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != local]
    assert not outside and not ui.external, outside + ui.external


def _wait_for_locus(ui: UI, prefix: str) -> str:
    search = ui.page.locator("#igv-container input.igv-search-input")
    for _ in range(50):
        if search.input_value().startswith(prefix):
            break
        ui.page.wait_for_timeout(100)
    return search.input_value()


def test_visual_mode_on_the_demo_reference_shows_the_dynamic_tracks(ui: UI, e2e: E2E) -> None:
    page = ui.page
    analysis_id = e2e.data.demo_analysis_ids[DEMO_TRIO]
    ui.login("testuser3", e2e.set_password("testuser3"))
    ui.goto(f"#/workflows/analyses/{analysis_id}/visual")
    page.wait_for_selector("#igv-container[data-ready=true]")
    igv = page.locator("#igv-container")
    for name in ("Variants", "Classifications", "Gene panel"):  # the dynamic tracks shown by default
        igv.get_by_text(name, exact=True).first.wait_for()
    igv.locator(".igv-roi-region").first.wait_for()  # regions of interest: the variants, highlighted
    shown = page.locator("#visual-variants .vitem").count()
    assert shown > 1  # the variants that pass the default filter config
    for track in ("DYNAMIC/variants", "DYNAMIC/classifications", "DYNAMIC/genepanel"):
        assert page.is_checked(f"#igv-tracks input[data-track='{track}']")
    assert not page.is_checked("#igv-tracks input[data-track='STATIC/demo-capture-targets.bed']")
    assert page.locator("#igv-error").count() == 0
    assert _wait_for_locus(ui, "13:32,").startswith("13:32,")  # the first variant of the list, in BRCA2
    page.wait_for_timeout(500)  # let igv.js draw the features
    ui.shot("20-visual-demo", full_page=False)

    # The reference is the demo's FASTA, read whole (no index); the tracks come from the API.
    paths = _paths(ui)
    assert "/api/v1/igv/demo-grch37-panels.fasta" in paths and "/api/v1/igv/cytoBand.txt" in paths
    assert not any(p.endswith(".fai") for p in paths)
    for track in (
        f"/api/v1/igv/tracks/dynamic/variants/{analysis_id}",
        "/api/v1/igv/tracks/dynamic/classifications",
        "/api/v1/igv/tracks/dynamic/genepanel/HBOC/v1.0.0",
        f"/api/v1/igv/tracks/dynamic/regions_of_interest/{analysis_id}",
    ):
        assert track in paths, (track, paths)

    # A variant on chromosome 17: igv.js moves there.
    page.locator("#visual-variants .vitem", has_text="BRCA1").first.click()
    assert _wait_for_locus(ui, "17:41,2").startswith("17:41,2")
    # The "Targets" preset: the static capture targets and the gene panel, not the variants.
    page.select_option("#igv-preset", "Targets")
    igv.get_by_text("Capture targets", exact=True).first.wait_for()
    assert page.is_checked("#igv-tracks input[data-track='STATIC/demo-capture-targets.bed']")
    assert not page.is_checked("#igv-tracks input[data-track='DYNAMIC/variants']")
    assert "/api/v1/igv/tracks/static/demo-capture-targets.bed" in _paths(ui)
    ui.shot("21-visual-demo-targets", full_page=False)
    _only_local(ui, e2e)


def test_visual_mode_with_an_indexed_reference_and_analysis_tracks(ui: UI, e2e: E2E) -> None:
    """A site's reference as the example config has it (human_g1k_v37_decoy.fasta and its .fai, read in ranges),
    and the tracks of the analysis folder (TestAnalysis-001/tracks)."""
    page = ui.page
    _route_reference(ui, {"fastaURL": "api/v1/igv/human_g1k_v37_decoy.fasta"})
    ui.login("testuser3", e2e.set_password("testuser3"))
    ui.goto(f"#/workflows/analyses/{e2e.data.analysis_id}/visual")
    page.wait_for_selector("#igv-container[data-ready=true]")
    igv = page.locator("#igv-container")
    for name in ("Variants", "Gene panel", "coverage_gaps"):  # dynamic and analysis tracks
        igv.get_by_text(name, exact=True).first.wait_for()
    paths = _paths(ui)
    assert "/api/v1/igv/human_g1k_v37_decoy.fasta.fai" in paths
    assert "/api/v1/igv/demo-grch37-panels.fasta" not in paths
    # The second variant: igv.js moves there.
    page.locator("#visual-variants .vitem").nth(1).click()
    assert _wait_for_locus(ui, "13:32,890,6").startswith("13:32,890,6")
    page.wait_for_timeout(300)
    ui.shot("22-visual-indexed", full_page=False)
    _only_local(ui, e2e)


def test_a_missing_reference_is_reported_in_the_igv_pane_and_nothing_leaves(ui: UI, e2e: E2E) -> None:
    """The FASTA answers 404: igv.js then looks the URL up in its mapping table on igv.org, which the page
    refuses to send. The error is shown in the IGV pane; the variant list and the rest of the page stay."""
    page = ui.page
    _route_reference(ui, {"fastaURL": "api/v1/igv/no-such-reference.fasta", "indexed": False})
    ui.expect_http_error(404, "api/v1/igv/no-such-reference.fasta")
    ui.login("testuser3", e2e.set_password("testuser3"))
    analysis_id = e2e.data.demo_analysis_ids[DEMO_TRIO]
    ui.goto(f"#/workflows/analyses/{analysis_id}/visual")
    error = page.wait_for_selector("#igv-pane #igv-error")
    assert "cannot be shown" in error.inner_text()
    assert page.locator("#visual-variants .vitem").count() > 1  # the variant list is still there
    assert page.is_visible("nav[aria-label=Views] a[data-view=classification]")
    ui.shot("23-visual-error", full_page=False)
    assert "/api/v1/igv/no-such-reference.fasta" in _paths(ui)
    page.wait_for_timeout(500)  # igv.js' mapping look-up runs after the failure: give it time to try
    _only_local(ui, e2e)
    # The page still works: another view opens.
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector("#variant-list")
