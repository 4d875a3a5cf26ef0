"""A newcomer's first minutes: the home card tells the truth about the ATT&CK catalogue, the
sync page speaks plainly and shows the offline way in, and the matrix reads like the Navigator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiCallError, ApiClient
from layout import words_split_across_lines
from playwright.sync_api import Page, expect
from stix import ENTERPRISE_TACTICS, TACTICS, VERSION, wide_techniques, write_bundle

# --- the home card ------------------------------------------------------------------------------


def test_an_empty_catalogue_links_straight_to_the_offline_way_in(
    page: Page, admin_api: ApiClient, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    card = page.get_by_role("region", name="MITRE ATT&CK")
    expect(card.get_by_test_id("mitre-badge")).to_have_text("No ATT&CK data")
    expect(card).not_to_contain_text("version unknown")
    check_a11y(page)

    card.get_by_role("link", name="Upload the ATT&CK bundle file").click()

    expect(page).to_have_url(re.compile(r"/admin/mitre\?source=file$"))
    expect(page.get_by_label("Upload a file (no internet needed)")).to_be_checked()
    expect(page.get_by_label("Bundle file")).to_be_visible()


def test_a_failed_first_sync_says_so_with_its_reason(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    with pytest.raises(ApiCallError) as failed:
        admin_api.sync_mitre_file(bundle_file, allow_unverified=False, expected_sha256="0" * 64)
    assert failed.value.status == 422
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    card = page.get_by_role("region", name="MITRE ATT&CK")
    expect(card.get_by_test_id("mitre-badge")).to_have_text("ATT&CK sync failed")
    expect(card.get_by_test_id("mitre-failure")).to_contain_text("SHA-256 mismatch")
    expect(card).not_to_contain_text("Last sync")
    expect(card.get_by_role("link", name="Upload the ATT&CK bundle file")).to_be_visible()
    check_a11y(page)


def test_a_loaded_catalogue_shows_its_release_and_counts_per_domain(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    domain = page.get_by_test_id("mitre-domain-enterprise-attack")
    expect(domain.get_by_test_id("mitre-badge")).to_have_text(f"ATT&CK Enterprise v{VERSION}")
    expect(domain).to_contain_text(f"{len(TACTICS)} tactics · ")
    expect(domain).to_contain_text("synced")
    expect(page.get_by_role("link", name="Upload the ATT&CK bundle file")).to_have_count(0)


def test_without_the_sync_permission_the_empty_card_says_whom_to_ask(
    page: Page, admin_api: ApiClient, sign_in
):
    analyst = admin_api.create_user(groups=("Analysts",))
    sign_in(page, analyst["email"], USER_PASSWORD)

    card = page.get_by_role("region", name="MITRE ATT&CK")
    expect(card).to_contain_text("Ask an administrator")
    expect(card.get_by_role("link", name="Upload the ATT&CK bundle file")).to_have_count(0)


# --- the sync page ------------------------------------------------------------------------------


def test_the_default_form_says_what_is_missing_in_plain_words(
    page: Page, admin_api: ApiClient, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/mitre")

    expect(page.get_by_test_id("pinned-checksum")).to_have_text(
        re.compile("^No checksum is pinned")
    )
    expect(page.get_by_label("Bundle URL")).not_to_have_accessible_description(re.compile("pinned"))
    offline = page.get_by_role("region", name="Syncing without internet access")
    expect(offline.get_by_test_id("bundle-url")).to_have_attribute(
        "href", re.compile(r"^https://.*enterprise-attack")
    )
    check_a11y(page)

    page.get_by_role("button", name="Sync").click()

    checkbox = page.get_by_label("Import without checksum verification")
    expect(checkbox).to_have_accessible_description(re.compile("give its SHA-256 above"))
    expect(page.get_by_text(re.compile("allow_unverified|expected_sha256"))).to_have_count(0)
    # Nothing was sent: no failed attempt on record.
    assert admin_api.call("GET", "/mitre/status")["last_sync"] is None


def test_an_upload_without_collection_takes_its_release_from_the_file_name_and_explains_counts(
    page: Page, admin_api: ApiClient, sign_in, tmp_path: Path
):
    bundle = tmp_path / "enterprise-attack-v17.1.json"
    write_bundle(bundle, with_collection=False)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/mitre?source=file")

    page.get_by_label("Bundle file").set_input_files(bundle)
    page.get_by_label("Import without checksum verification").check()
    page.get_by_role("button", name="Sync").click()

    expect(page.get_by_test_id("sync-result")).to_contain_text("v17.1")
    expect(page.get_by_test_id("sync-counts-explained")).to_contain_text(
        re.compile(r"The other \d+ are deprecated or revoked")
    )
    status = page.get_by_role("region", name="Current catalogue")
    expect(status.get_by_test_id("mitre-badge")).to_have_text("ATT&CK Enterprise v17.1")
    expect(status.get_by_test_id("mitre-status")).to_have_attribute("data-state", "loaded")
    check_a11y(page)


def test_a_release_given_on_the_form_names_a_bundle_without_one(
    page: Page, admin_api: ApiClient, sign_in, tmp_path: Path
):
    bundle = tmp_path / "bundle.json"
    write_bundle(bundle, with_collection=False)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/mitre?source=file")

    page.get_by_label("Bundle file").set_input_files(bundle)
    page.get_by_label("Import without checksum verification").check()
    page.get_by_label("ATT&CK release (optional)").fill("16.1")
    page.get_by_role("button", name="Sync").click()

    expect(page.get_by_test_id("sync-result")).to_contain_text("v16.1")


# --- the matrix ---------------------------------------------------------------------------------


def _sync_wide_bundle(admin_api: ApiClient, tmp_path: Path) -> None:
    bundle = tmp_path / "enterprise-attack-wide.json"
    write_bundle(bundle, tactics=ENTERPRISE_TACTICS, techniques=wide_techniques())
    admin_api.sync_mitre_file(bundle)


def test_the_compact_matrix_has_narrow_columns_whole_words_and_sticky_headers(
    page: Page, admin_api: ApiClient, sign_in, tmp_path: Path
):
    """Compact columns are narrower than the readable layout's 190 px but never narrower than
    their longest word: names wrap between words, and the 14 tactics fit a 1440 px window
    without scrolling sideways."""
    _sync_wide_bundle(admin_api, tmp_path)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/matrix")

    scroller = page.get_by_test_id("matrix-scroller")
    expect(scroller).to_have_attribute("data-layout", "compact")
    headers = [
        page.get_by_role("heading", name=tactic.name, exact=True) for tactic in ENTERPRISE_TACTICS
    ]
    for tactic in ENTERPRISE_TACTICS:
        column = page.get_by_test_id(f"tactic-{tactic.external_id}")
        expect(column).to_be_attached()
        assert column.bounding_box()["width"] < 190, tactic.name
    assert words_split_across_lines(scroller) == []
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth"), "scrolls sideways"
    # One scroll container, no taller than the window: its scrollbar stays on screen.
    assert scroller.bounding_box()["y"] + scroller.bounding_box()["height"] <= 900

    top_before = headers[0].bounding_box()["y"]
    scroller.evaluate("el => el.scrollBy(0, 600)")
    assert scroller.evaluate("el => el.scrollTop") > 0
    expect(headers[0]).to_be_in_viewport()
    assert abs(headers[0].bounding_box()["y"] - top_before) < 2, "the header scrolled away"

    toggle = page.get_by_role("button", name=re.compile("^Show 3 subtechniques")).first
    size = toggle.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24, size
    check_a11y(page)


def test_subtechniques_expand_per_technique_or_all_at_once_and_the_readable_layout_remains(
    page: Page, admin_api: ApiClient, sign_in, tmp_path: Path
):
    _sync_wide_bundle(admin_api, tmp_path)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/matrix")

    first = wide_techniques()[0].external_id
    page.get_by_test_id(f"technique-{first}").get_by_role(
        "button", name=re.compile("^Show 3 subtechniques")
    ).click()
    expect(page.get_by_test_id(f"subtechnique-{first}.001")).to_be_visible()
    expect(page.locator("[data-testid^=subtechnique-]")).to_have_count(3)

    page.get_by_role("button", name="Expand all").click()
    expect(page.locator("[data-testid^=subtechnique-]")).to_have_count(3 * len(wide_techniques()))
    page.get_by_role("button", name="Collapse all").click()
    expect(page.locator("[data-testid^=subtechnique-]")).to_have_count(0)

    page.get_by_text("Readable", exact=True).click()
    expect(page).to_have_url(re.compile(r"layout=readable"))
    scroller = page.get_by_test_id("matrix-scroller")
    expect(scroller).to_have_attribute("data-layout", "readable")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth"), "readable columns fit?"
    page.reload()
    expect(scroller).to_have_attribute("data-layout", "readable")
    check_a11y(page)


def test_the_real_enterprise_matrix_fits_a_1440_px_window_in_compact(
    page: Page, admin_api: ApiClient, sign_in, real_bundle_file: Path
):
    """The 14 tactics of ATT&CK v18.1 at 1440 × 900, collapsed and with every sub-technique
    shown: no sideways scrolling, no word split inside, no name overflowing its cell, each
    sub-technique toggle a 24 px target that covers no name, and the text contrast axe asks."""
    admin_api.sync_mitre_file(real_bundle_file)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/matrix")

    scroller = page.get_by_test_id("matrix-scroller")
    expect(scroller).to_have_attribute("data-layout", "compact")
    expect(scroller.locator("section")).to_have_count(14)
    expect(page.get_by_test_id("technique-T1595")).to_be_visible()
    for expanded in (False, True):
        if expanded:
            page.get_by_role("button", name="Expand all").click()
            expect(page.get_by_test_id("subtechnique-T1218.014")).to_be_visible()
        assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth"), (
            scroller.evaluate("el => [el.scrollWidth, el.clientWidth]"),
            expanded,
        )
        assert words_split_across_lines(scroller) == []
        overflowing = scroller.locator("button").evaluate_all(
            "buttons => buttons.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent)"
        )
        assert overflowing == []
    # SyncAppvPublishingServer breaks between its parts, and reads out whole.
    expect(page.get_by_test_id("subtechnique-T1216.002")).to_contain_text(
        "SyncAppvPublishingServer"
    )

    # In Privilege Escalation and in Defense Evasion: the first.
    cell = page.get_by_test_id("technique-T1548").first
    toggle = cell.get_by_role("button", name=re.compile("^Hide 6 subtechniques"))
    name = cell.get_by_role("button", name="T1548 Abuse Elevation Control Mechanism")
    box, name_text = toggle.bounding_box(), name.locator("span").nth(1).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    assert box["y"] + box["height"] <= name_text["y"] + 1, (box, name_text)
    page.mouse.move(0, 0)
    check_a11y(page)
