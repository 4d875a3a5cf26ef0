"""Admin → Detection levels and Defense tools, by keyboard: rows are saved and deleted in place,
and a refused new entry keeps what was typed with the problem under its field."""

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def refetched(path: str):
    """A predicate for the list's GET that follows a save."""
    return lambda response: response.request.method == "GET" and path in response.url


def test_defense_tools_keep_the_focus_and_a_taken_name_under_its_field(
    page: Page, admin_api: ApiClient, sign_in
):
    admin_api.call("POST", "/defense-tools", {"name": "CrowdStrike", "layer": "edr"})
    admin_api.call("POST", "/defense-tools", {"name": "Splunk", "layer": "siem"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/defense-tools")

    # A row saved with Enter on its Save: the focus stays on that Save.
    page.get_by_label("Vendor of Splunk").fill("Cisco")
    page.get_by_role("button", name="Save Splunk").focus()
    with page.expect_response(refetched("/api/v1/defense-tools")):
        page.keyboard.press("Enter")
    page.wait_for_timeout(200)  # the refetched list rendered
    expect(page.get_by_label("Vendor of Splunk")).to_have_value("Cisco")
    expect(page.get_by_role("button", name="Save Splunk")).to_be_focused()

    # A taken name: the 409's detail under Tool name, and what was typed is still there.
    page.get_by_label("Tool name").fill("Splunk")
    page.get_by_label("Vendor", exact=True).fill("Splunk Inc")
    page.keyboard.press("Enter")
    name = page.get_by_role("textbox", name="Tool name")
    expect(name).to_have_accessible_description("A defense tool with this name already exists.")
    expect(name).to_have_value("Splunk")
    expect(page.get_by_label("Vendor", exact=True)).to_have_value("Splunk Inc")
    check_a11y(page)
    name.fill("Splunk Cloud")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name of Splunk Cloud")).to_be_visible()
    expect(name).to_have_value("")

    # Deleted: its row's Delete is gone, Undo has the focus.
    page.get_by_role("button", name="Delete CrowdStrike").focus()
    page.keyboard.press("Enter")
    undo = page.get_by_role("status").filter(has_text="Deleted the tool CrowdStrike.")
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()


def test_detection_levels_keep_the_focus_and_a_taken_name_under_its_field(
    page: Page, admin_api: ApiClient, sign_in
):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin/detection-levels")

    # Renamed and saved with Enter on its Save: the focus stays on that (renamed) Save.
    page.get_by_label("Name of Logged").fill("Logged only")
    page.get_by_role("button", name="Save Logged").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Save Logged only")).to_be_focused()

    form = page.locator("form").filter(has=page.get_by_role("button", name="Add level"))
    name = form.get_by_role("textbox", name="Name")
    name.fill("Alerted")
    form.get_by_label("Score (empty: not scored)").fill("60")
    form.get_by_role("button", name="Add level").click()
    expect(name).to_have_accessible_description("A detection level with this name already exists.")
    expect(name).to_have_value("Alerted")
    expect(form.get_by_label("Score (empty: not scored)")).to_have_value("60")

    page.get_by_role("button", name="Delete Not applicable").focus()
    page.keyboard.press("Enter")
    undo = page.get_by_role("status").filter(has_text="Deleted the level Not applicable.")
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()
