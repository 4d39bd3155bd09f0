"""A ClinVar-pathogenic variant outside the gene panel's regions is rescued by the region filter's ``external``
exception, and a variant classified class 1 in a round stays in its list until the round ends (issue 10). The
demo's Default filter config (files/demo/fixtures/filterconfigs.json) keeps, in the region and consequence
filters, variants ClinVar calls pathogenic more often than benign with at least one star.

The analyses are imported by ``ella-cli deposit analysis`` from a VCF written here: two deep intronic BRCA2
variants (c.67+336, c.67+436, far outside the regions and the splice region of -20/+6), the first with a ClinVar
record of two pathogenic submissions (criteria provided, multiple submitters: two stars), and one missense
variant inside the regions."""

from __future__ import annotations

import binascii
import json
from pathlib import Path
from typing import Any

from tests.conftest import Cli

from .conftest import E2E, UI

NAME = "ClinVarRescue-1.HBOC_v1.0.0"
RESCUED, REMOVED, INSIDE = 32891000, 32891100, 32890610
HEADER = """##fileformat=VCFv4.1
##reference=GRCh37
##INFO=<ID=CSQ,Number=.,Type=String,Description="Format: Allele|Consequence|SYMBOL|Feature_type|Feature|HGVSc|HGNC_ID">
##INFO=<ID=CLINVARJSON,Number=1,Type=String,Description="ClinVar as base16 JSON">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPROBAND
"""
PATHOGENIC = {
    "variant_description": "criteria provided, multiple submitters, no conflicts",
    "variant_id": 1000001,
    "rcvs": {
        f"SCV00000000{i}": {
            "traitnames": ["Hereditary breast and ovarian cancer syndrome"],
            "clinical_significance_descr": ["Pathogenic"],
            "variant_id": ["1000001"],
            "submitter": [f"Lab {i}"],
            "last_evaluated": ["2020-01-01"],
        }
        for i in (1, 2)
    },
}


def _record(pos: int, consequence: str, hgvsc: str, clinvar: dict[str, Any] | None) -> str:
    info = [f"CSQ=G|{consequence}|BRCA2|Transcript|NM_000059.3|NM_000059.3:{hgvsc}|1101"]
    if clinvar is not None:
        info.append("CLINVARJSON=" + binascii.hexlify(json.dumps(clinvar).encode()).decode())
    return "\t".join(["13", str(pos), ".", "A", "G", "500", "PASS", ";".join(info), "GT", "0/1"]) + "\n"


def _deposit(e2e: E2E, workdir: Path, name: str = NAME) -> int:
    folder = workdir / name
    folder.mkdir()
    records = [
        _record(INSIDE, "missense_variant", "c.110A>G", None),
        _record(RESCUED, "intron_variant", f"c.67+{RESCUED - 32890664}A>G", PATHOGENIC),
        _record(REMOVED, "intron_variant", f"c.67+{REMOVED - 32890664}A>G", None),
    ]
    (folder / f"{name}.vcf").write_text(HEADER + "".join(records))
    return int(Cli(e2e.env).ok("deposit", "analysis", str(folder), "--json").json()["analysis_id"])


def _get(ui: UI, e2e: E2E, path: str) -> Any:
    response = ui.page.request.get(e2e.base_url + "api/v1/" + path)
    assert response.ok, f"{path}: {response.status}"
    return response.json()


def test_clinvar_pathogenic_outside_the_regions_is_rescued(ui: UI, e2e: E2E, tmp_path: Path) -> None:
    analysis = _deposit(e2e, tmp_path)
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))  # testuser1: test_login changes it itself

    # The API: Default (the group's first config) shows the rescued variant; the region filter removed the other.
    rounds = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/")
    ids = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/{rounds[-1]['id']}/filteredalleles/")
    assert ids["filterconfig"]["name"] == "Default" and ids["unsupported_filters"] == []
    rows = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/{rounds[-1]['id']}/alleles/")
    positions = {r["vcf_pos"]: r["id"] for r in rows}
    assert sorted(positions) == [INSIDE, RESCUED]
    assert len(ids["excluded_allele_ids"]["region"]) == 1

    # The browser: the rescued variant is in the list with its ClinVar record; the other is under Filtered variants.
    ui.goto(f"#/workflows/analyses/{analysis}/classification")
    page.wait_for_selector("#workflow #variant-list")
    rescued = page.locator(f"#variant-list .vitem[data-allele-id='{positions[RESCUED]}']")
    assert "c.67+336A>G" in rescued.inner_text()
    rescued.click()
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{positions[RESCUED]}'][aria-selected=true]")
    page.wait_for_selector("#clinvar")
    clinvar = page.inner_text("#clinvar")
    assert "Pathogenic" in clinvar and "★★" in clinvar, clinvar
    ui.shot("40-region-rescue-clinvar")
    page.click("#show-filtered")
    page.wait_for_selector("dialog[open] #filtered-table")
    table = page.inner_text("dialog[open] #filtered-table")
    assert "region" in table and f"c.67+{REMOVED - 32890664}A>G" in table, table
    ui.shot("41-region-rescue-filtered", full_page=False)


def _api(ui: UI, method: str, path: str, body: Any = None) -> Any:
    """A request through the web UI's own api.js (session cookie, CSRF header)."""
    return ui.page.evaluate(
        """async ([method, path, body]) => {
            const api = await import("./js/api.js");
            return api.request(path, { method, body: body === null ? undefined : body });
        }""",
        [method, path, body],
    )


def test_a_class_1_call_stays_listed_until_the_round_ends(ui: UI, e2e: E2E, tmp_path: Path) -> None:
    """Default filters class 1 and 2 (the classification filter): the missense variant classified class 1 in the
    round stays in the Classified section with class 1, also after a reload, and the report page lists it (not
    ticked: class 1 has no include_report); after the round is finalized and a new round started, it is listed
    under Filtered variants, filtered by classification."""
    analysis = _deposit(e2e, tmp_path, "ClassOneRound-1.HBOC_v1.0.0")
    page = ui.page
    ui.login("testuser2", e2e.set_password("testuser2"))  # testuser1: test_login changes it itself
    base = f"workflows/analyses/{analysis}"
    ui.goto(f"#/{base}/classification")
    page.wait_for_selector("#workflow #variant-list")
    page.click("#start")
    page.wait_for_selector("#finish")
    inside = page.locator("#variant-list .vitem:has-text('c.110A>G')")
    allele_id = inside.get_attribute("data-allele-id")
    inside.click()
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{allele_id}'][aria-selected=true]")
    page.click("#classification-form button[data-class='1']")
    with page.expect_response(lambda r: "actions/finalizeallele/" in r.url and r.status == 200):
        page.click("#classify")
    listed = f"#vlist-classified .vitem[data-allele-id='{allele_id}'] .badge.class-1"
    page.wait_for_selector(listed)
    page.reload()
    page.wait_for_selector(listed)
    ui.shot("42-class-1-stays-in-the-round", full_page=False)
    page.click("nav[aria-label=Views] a[data-view=report]")
    page.wait_for_selector("#report-variants")
    row = page.locator("#report-variants tr:has-text('c.110A>G')")
    assert row.count() == 1 and not row.locator("input[type=checkbox]").is_checked()

    # Finish: the other variant (not classified) is marked not relevant, then the round is finalized.
    page.click("nav[aria-label=Views] a[data-view=classification]")
    page.wait_for_selector("#variant-list")
    other = page.locator("#vlist-unclassified .vitem").first
    other.click()
    page.wait_for_selector("#vlist-unclassified .vitem[aria-selected=true]")
    page.click("#toggle-notrelevant")
    page.wait_for_selector("#toggle-notrelevant[aria-pressed=true]")
    page.click("#finish")
    page.wait_for_selector("dialog[open] #finish-form")
    assert page.is_enabled("dialog[open] input[value=finalize]")
    page.check("dialog[open] input[value=finalize]")
    page.click("#confirm-finish")
    page.wait_for_selector("#section-finalized table")

    # The next round filters it afresh.
    assert _api(ui, "POST", f"{base}/actions/reopen/")["status"] == "Not started"
    assert _api(ui, "POST", f"{base}/actions/start/")["status"] == "Ongoing"
    ui.goto("#/overview/analyses")  # another page first: the analysis loads anew
    page.wait_for_selector("#overview-body")
    ui.goto(f"#/{base}/classification")
    page.wait_for_selector("#workflow-status:has-text('Ongoing')")
    page.wait_for_selector("#workflow #variant-list")
    assert page.locator(f"#variant-list .vitem[data-allele-id='{allele_id}']").count() == 0
    page.click("#show-filtered")
    page.wait_for_selector("dialog[open] #filtered-table")
    filtered = page.locator("dialog[open] #filtered-table tr:has-text('c.110A>G')")
    assert filtered.count() == 1 and "classification" in filtered.inner_text()
