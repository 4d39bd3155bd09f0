"""Log in with a one-time password from ``ella-cli users add_many``: the forced password change (with the
policy problems of a weak password shown), the overview with the broadcast banner, logout, login again."""

from __future__ import annotations

from .conftest import E2E, NEW_PASSWORD, NON_PRODUCTION_WARNING, UI
from .data import BROADCAST


def test_one_time_password_is_changed_at_first_login(ui: UI, e2e: E2E) -> None:
    page = ui.page
    one_time = e2e.data.passwords["testuser1"]
    ui.goto("")
    page.wait_for_selector("form[aria-label='Log in']")
    ui.shot("01-login")

    ui.expect_http_error(401, "users/actions/login/")  # the one-time password is refused: change it first
    page.fill("#username", "testuser1")
    page.fill("#password", one_time)
    page.keyboard.press("Enter")
    page.wait_for_selector("form[aria-label='Choose a new password']")

    ui.expect_http_error(422, "users/actions/changepassword/")  # a weak password: the policy problems are shown
    page.fill("#new-password", "short")
    page.fill("#repeat-password", "short")
    page.click("form[aria-label='Choose a new password'] button[type=submit]")
    problem = page.wait_for_selector("form[aria-label='Choose a new password'] .alert.error")
    assert "not changed" in problem.inner_text()
    assert "12" in problem.inner_text()  # password_minimum_length of the example config
    ui.shot("02-change-password-policy")

    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD)
    page.click("form[aria-label='Choose a new password'] button[type=submit]")
    page.wait_for_selector("#topbar:not(.hidden)")
    page.wait_for_selector("#section-not_ready")
    assert page.inner_text("#who-name") == "Ada Lovelace"
    assert page.inner_text("#who-group") == "(testgroup01)"
    assert BROADCAST in page.inner_text("#banners")
    assert NON_PRODUCTION_WARNING in page.inner_text("#banners .nonprod")
    # (finalized by test_interpretation when it ran first: the Finalized section is fetched on its own)
    page.wait_for_selector("#overview-body a:text-is('TestAnalysis-001')")
    assert "Diag-HBOC-TestAnalysis-002" in page.inner_text("#section-not_ready")
    ui.shot("03-overview")

    # Keyboard: "/" focuses the filter box; the worklists filter as one types.
    page.keyboard.press("/")
    page.keyboard.type("diag-hboc")
    assert page.is_hidden(f"tr[data-analysis-id='{e2e.data.analysis_id}']")
    assert page.is_visible(f"tr[data-analysis-id='{e2e.data.second_analysis_id}']")
    page.fill("#overview-filter", "")

    # The variants worklist (ELLA's variant workflow): nothing deposited as single variants, a clean empty state.
    page.click(".tabs a[href='#/overview/variants']")
    page.wait_for_selector("#section-variants-finalized .empty")
    assert page.is_visible("#no-variants")
    ui.shot("03b-overview-variants")
    page.click(".tabs a[href='#/overview/analyses']")
    page.wait_for_selector("#section-not_ready")

    page.click("#logout")
    page.wait_for_selector("form[aria-label='Log in']")
    assert BROADCAST not in page.inner_text("#banners")
    ui.login("testuser1", NEW_PASSWORD)
    page.wait_for_selector("#section-not_ready")
