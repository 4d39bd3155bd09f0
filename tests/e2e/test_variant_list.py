"""The side list of the classification view: the variant selected first is the first one listed (issue 12,
defect 9: in a trio it was the last one), and a list of thousands of variants keeps only the rows in view in
the page (issue 11) while the keyboard and the filtered-variants dialog still reach every variant."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from ella_app.config import load_settings
from ella_app.db.models import AlleleAssessment, AlleleReport, Annotation, User
from ella_app.db.session import transaction
from ella_app.services import classification
from tests.conftest import Cli
from tests.support import vcfgen

from .conftest import E2E, UI

LARGE = 3000


def _login(ui: UI, e2e: E2E, username: str) -> None:
    """Log in, changing the one-time password first unless an earlier test did (``set_password`` remembers)."""
    ui.login(username, e2e.set_password(username))


def _get(ui: UI, e2e: E2E, path: str) -> object:
    response = ui.page.request.get(e2e.base_url + "api/v1/" + path)
    assert response.ok, f"{path}: {response.status}"
    return response.json()


def _classify(e2e: E2E, allele_id: int, value: str) -> None:
    settings = load_settings(e2e.env)
    with transaction(settings.db_url) as session:
        user = session.scalars(select(User).where(User.username == "testuser4")).one()
        current = {
            model: session.scalar(
                select(model.id).where(model.allele_id == allele_id, model.date_superceeded.is_(None))
            )
            for model in (AlleleAssessment, AlleleReport)
        }
        annotation = session.scalar(
            select(Annotation.id).where(Annotation.allele_id == allele_id, Annotation.date_superceeded.is_(None))
        )
        classification.classify(
            session,
            settings.config,
            classification.Context(user, ("HBOC", "v1.0.0")),
            classification.Classification(
                allele_id=allele_id,
                classification=value,
                evaluation={},
                report={},
                presented_assessment_id=current[AlleleAssessment],
                presented_report_id=current[AlleleReport],
                annotation_id=annotation,
            ),
        )


def test_first_selected_variant_is_the_first_listed_in_a_trio(ui: UI, e2e: E2E) -> None:
    """Issue 12 defect 9: the variant first by position was selected even when its class put it in a later
    section (Classified), so the selection started at the bottom of the list. Failed before the fix."""
    page = ui.page
    _login(ui, e2e, "testuser3")
    analysis = e2e.data.second_analysis_id  # the same trio as TestAnalysis-001
    rounds = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/")
    ids = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/{rounds[-1]['id']}/filteredalleles/")
    first_by_position = ids["allele_ids"][0]
    assert len(ids["allele_ids"]) >= 2
    if ids["classifications"].get(str(first_by_position), {}).get("outdated", True):
        _classify(e2e, first_by_position, "4")  # class 4: not hidden by the default filter config
    ui.goto(f"#/workflows/analyses/{analysis}")
    page.wait_for_selector("#variant-list .vitem[aria-selected=true]")
    listed = page.locator("#variant-list .vitem")
    assert listed.first.get_attribute("aria-selected") == "true"
    assert page.locator("#vlist-classified .vitem").first.get_attribute("data-allele-id") == str(first_by_position)
    assert page.locator("#vlist-unclassified .vitem").first.get_attribute("aria-selected") == "true"
    page.wait_for_selector("#variant-header")
    ui.shot("11-trio-first-selected", full_page=False)


def _deposit_large(e2e: E2E, workdir: Path) -> int:
    """A generated analysis of LARGE variants, and a filter config (for it only) that lets them all through."""
    config = workdir / "filterconfigs.json"
    config.write_text(
        json.dumps(
            [
                {
                    "name": "Everything (large list)",
                    "usergroups": [{"name": "testgroup01", "order": 9}],
                    "requirements": [{"function": "analysis", "params": {"name": "^Diag-HBOC-Large"}}],
                    "filterconfig": {"filters": [{"name": "quality", "config": {"qual": 1}}]},
                }
            ]
        )
    )
    Cli(e2e.env).ok("filterconfigs", "update", str(config))
    folder = vcfgen.write_analysis(workdir, "Diag-HBOC-Large-1", LARGE, seed=11)
    result = Cli(e2e.env).ok("deposit", "analysis", str(folder), "--json").json()
    return int(result["analysis_id"])


def test_thousands_of_variants_keep_only_the_rows_in_view(ui: UI, e2e: E2E, tmp_path: Path) -> None:
    page = ui.page
    analysis = _deposit_large(e2e, tmp_path)
    _login(ui, e2e, "testuser3")
    rounds = _get(ui, e2e, f"workflows/analyses/{analysis}/interpretations/")
    configs = _get(ui, e2e, f"workflows/analyses/{analysis}/filterconfigs/")
    base = f"workflows/analyses/{analysis}/interpretations/{rounds[-1]['id']}/filteredalleles/"
    # the config that lets the most variants through
    cnv, ids = max(
        ((c["id"], _get(ui, e2e, f"{base}?filterconfig_id={c['id']}")) for c in configs),
        key=lambda found: len(found[1]["allele_ids"]),
    )
    assert len(ids["allele_ids"]) > 2000
    ui.goto(f"#/workflows/analyses/{analysis}")
    page.wait_for_selector("#variant-list")  # the default config may show none
    with page.expect_response(lambda r: "filteredalleles/" in r.url and f"filterconfig_id={cnv}" in r.url):
        page.select_option("#filterconfig", str(cnv))
    count = len(ids["allele_ids"])
    try:
        page.wait_for_function(f"() => document.querySelector('#variant-list').dataset.count === '{count}'")
    except Exception as exc:  # say what the page shows instead of a bare timeout
        shown = page.eval_on_selector("#variant-list", "list => list.dataset.count")
        raise AssertionError(f"the list shows {shown} variants, the API gave {count} (config {cnv})") from exc
    page.wait_for_selector("#variant-list .vitem[aria-selected=true]:not([aria-busy])")
    rendered = page.locator("#variant-list .vitem").count()
    assert 0 < rendered < 200, rendered  # a window of rows, not thousands
    # scrolling to the end renders (and fetches) the last rows
    order = page.evaluate("() => [...document.querySelectorAll('#variant-list ul.vlist')].flatMap((ul) => ul._ids)")
    assert sorted(order) == sorted(ids["allele_ids"])
    last = order[-1]
    page.eval_on_selector("aside.sidebar", "box => { box.scrollTop = box.scrollHeight; }")
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{last}']:not([aria-busy])")
    assert page.locator("#variant-list .vitem").count() < 200
    ui.shot("12-large-list-end", full_page=False)
    # the keyboard walks into rows that were not in the page yet (the list scrolls along)
    page.eval_on_selector("aside.sidebar", "box => { box.scrollTop = 0; }")
    page.click(f"#variant-list .vitem[data-allele-id='{order[0]}']")
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{order[0]}'][aria-selected=true]")
    page.locator("#variant-content").click(position={"x": 5, "y": 5})
    for _ in range(40):
        page.keyboard.press("ArrowDown")
    page.wait_for_selector(f"#variant-list .vitem[data-allele-id='{order[40]}'][aria-selected=true]:not([aria-busy])")
    # the filtered-variants dialog of the default config pages through thousands of filtered variants
    page.select_option("#filterconfig", index=0)
    page.wait_for_selector("#show-filtered:not([disabled])")
    page.click("#show-filtered")
    page.wait_for_selector("dialog[open] #filtered-table tbody tr")
    assert page.locator("dialog[open] #filtered-table tbody tr").count() <= 100
    if page.locator("#filtered-next").count():
        page.click("#filtered-next")
        page.wait_for_selector("#filtered-page:has-text('Page 2')")
    ui.shot("13-large-filtered-dialog", full_page=False)
    page.keyboard.press("Escape")
