"""MITRE sync from the admin page, the matrix it fills, search, details, and permissions."""

import re
from pathlib import Path

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect
from stix import TACTICS, TECHNIQUES


def test_sync_by_upload_then_the_matrix_shows_its_tactics(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="MITRE sync").click()
    expect(page.get_by_label("Bundle URL")).to_have_value(re.compile(r"^https://"))

    page.get_by_label("Upload a file (no internet needed)").check()
    page.get_by_label("Bundle file").set_input_files(bundle_file)
    page.get_by_label("Import without checksum verification").check()
    page.get_by_role("button", name="Sync").click()

    result = page.get_by_test_id("sync-result")
    expect(result).to_contain_text("Sync succeeded")
    expect(page.get_by_test_id("sync-catalogue-tactics")).to_have_text(str(len(TACTICS)))
    expect(page.get_by_test_id("sync-changes-added")).not_to_have_text("0")
    expect(page.get_by_test_id("mitre-badge")).to_contain_text("ATT&CK Enterprise v")
    check_a11y(page)

    page.get_by_role("link", name="ATT&CK matrix").click()
    for tactic in TACTICS:
        expect(page.get_by_role("heading", name=tactic.name, exact=True)).to_be_visible()


def test_a_sync_error_shows_the_problem_detail(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/mitre")

    page.get_by_label("Upload a file (no internet needed)").check()
    page.get_by_label("Bundle file").set_input_files(bundle_file)
    page.get_by_label("Expected SHA-256 (optional)").fill("0" * 64)
    page.get_by_role("button", name="Sync").click()

    expect(page.get_by_role("alert")).to_contain_text(re.compile("sha-?256", re.IGNORECASE))
    check_a11y(page)


def test_the_subtechnique_toggles_are_named_in_words(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/matrix")
    one = page.get_by_role("button", name="Show 1 subtechnique of Scheduled Task/Job", exact=True)
    expect(one.first).to_be_visible()
    two = "Show 2 subtechniques of Command and Scripting Interpreter"
    expect(page.get_by_role("button", name=two, exact=True)).to_be_visible()
    one.first.click()
    expect(
        page.get_by_role("button", name="Hide 1 subtechnique of Scheduled Task/Job", exact=True)
    ).to_be_visible()


def test_search_highlights_matches_and_the_drawer_shows_details(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/matrix")

    page.get_by_label("Search techniques").fill("powershell")

    expect(page.get_by_test_id("subtechnique-T1059.001")).to_have_attribute("data-match", "match")
    expect(page.get_by_test_id("technique-T1059")).to_have_attribute("data-match", "contains")
    expect(page.get_by_test_id("technique-T1204")).to_have_attribute("data-match", "dimmed")
    check_a11y(page)  # dimmed techniques stay readable

    page.get_by_label("Search techniques").fill("T1204")
    expect(page.get_by_test_id("technique-T1204")).to_have_attribute("data-match", "match")

    page.get_by_role("button", name=re.compile("User Execution")).click()
    detail = page.get_by_test_id("technique-detail")
    expect(detail).to_contain_text("A user runs it.")
    check_a11y(page)
    expect(detail.get_by_role("link", name=re.compile("attack.mitre.org"))).to_have_attribute(
        "href", "https://attack.mitre.org/techniques/T1204/"
    )


def test_descriptions_render_markdown_without_citations_or_html(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto("/matrix?technique=T1059")

    detail = page.get_by_test_id("technique-detail")
    expect(detail.locator("strong", has_text="PowerShell")).to_be_visible()
    expect(detail).not_to_contain_text("Citation")
    expect(detail).not_to_contain_text("<script>")
    expect(detail.locator("script")).to_have_count(0)
    subtechniques = [t for t in TECHNIQUES if t.external_id == "T1059"][0].subtechniques
    expect(detail).to_contain_text(f"Subtechniques ({len(subtechniques)})")


def test_a_user_without_mitre_sync_gets_no_sync_page(page: Page, admin_api: ApiClient, sign_in):
    analyst = admin_api.create_user(groups=("Analysts",))
    sign_in(page, analyst["email"], USER_PASSWORD)

    expect(page.get_by_role("link", name="ATT&CK matrix")).to_be_visible()
    expect(page.get_by_role("link", name="MITRE sync")).to_have_count(0)

    page.goto("/admin/mitre")

    expect(page.get_by_role("alert")).to_contain_text("not allowed")
    expect(page.get_by_role("button", name="Sync")).to_have_count(0)
