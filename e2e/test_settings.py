"""Admin → Settings: every instance-wide setting, changed one at a time, refused when invalid."""

import re

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def open_settings(page: Page) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Settings"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/settings$"))
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(page.get_by_role("form", name="Organisation name")).to_be_visible()
    # The pointer still rests on the link just clicked; axe checks the page as it is at rest
    # (the hovered active link's contrast is the shared navigation's, not this page's).
    page.mouse.move(0, 0)
    check_a11y(page)


def test_an_administrator_changes_settings(page: Page, admin_api: ApiClient, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_settings(page)

    organisation = page.get_by_role("form", name="Organisation name")
    organisation.get_by_label("Organisation name", exact=True).fill("ACME Purple Team")
    organisation.get_by_role("button", name="Save organisation name").click()
    expect(organisation.get_by_role("status")).to_have_text("Saved.")

    retention = page.get_by_role("form", name="Keep deleted evidence (days)")
    retention.get_by_label("Keep deleted evidence (days)", exact=True).fill("5000")
    retention.get_by_role("button", name="Save keep deleted evidence (days)").click()
    expect(retention.get_by_text("less than or equal to 3650")).to_be_visible()

    settings = {item["key"]: item["value"] for item in admin_api.call("GET", "/settings")}
    assert settings["organisation_name"] == "ACME Purple Team"
    assert settings["evidence_retention_days"] == 30  # the refused value changed nothing

    # The header names the organisation on every page (docs/api.md "Settings").
    expect(page.get_by_role("banner").get_by_test_id("organisation-name")).to_have_text(
        "ACME Purple Team"
    )

    page.reload()
    expect(page.get_by_role("textbox", name="Organisation name")).to_have_value("ACME Purple Team")

    mfa = page.get_by_role("switch", name=re.compile("^Require two-factor authentication"))
    expect(mfa).not_to_be_checked()
    mfa.check()
    page.get_by_role("button", name="Save require two-factor authentication").click()
    expect(
        page.get_by_role("form", name="Require two-factor authentication").get_by_role("status")
    ).to_have_text("Saved.")
    # It takes effect: the administrator, without TOTP, must now enrol before going on.
    page.reload()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()


def test_settings_are_read_only_without_settings_manage(page: Page, admin_api, sign_in):
    analyst = admin_api.create_user(groups=("Analysts",))
    sign_in(page, analyst["email"], USER_PASSWORD)

    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(navigation.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto("/admin/settings")
    expect(page.get_by_role("textbox", name="Organisation name")).to_be_disabled()
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    check_a11y(page)
