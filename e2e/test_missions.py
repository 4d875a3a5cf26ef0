"""Missions in the browser: a red and a blue user working one mission at once, the viewer's
read-only view, the conflict dialog, building a mission, the keyboard, the admin pages.

Every page visited is checked with axe-core (WCAG 2.1 AA).
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from a11y import check_a11y
from api_client import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    USER_PASSWORD,
    ApiCallError,
    ApiClient,
    _multipart,
)
from conftest import skip_to_next_refresh
from playwright.sync_api import Page, expect


@dataclass
class MissionSetup:
    mission_id: str
    test_id: str
    emails: dict[str, str]
    tools: dict[str, str]
    lead_api: ApiClient


@pytest.fixture
def setup(admin_api: ApiClient, live_server: str) -> MissionSetup:
    """A mission led by an operator, with red, blue and viewer members and one test."""
    users = {
        "lead": admin_api.create_user(display_name="Lena Lead", groups=("Operators",)),
        "red": admin_api.create_user(display_name="Rob Red", groups=("Operators",)),
        "blue": admin_api.create_user(display_name="Bea Blue", groups=("Analysts",)),
        "viewer": admin_api.create_user(display_name="Vic Viewer", groups=("Analysts",)),
    }
    tools = {
        name: admin_api.call("POST", "/defense-tools", {"name": name, "layer": layer})["id"]
        for name, layer in (("EDR", "edr"), ("NDR", "ndr"))
    }
    lead_api = ApiClient(live_server)
    lead_api.sign_in(users["lead"]["email"], USER_PASSWORD)
    mission = lead_api.call("POST", "/missions", {"name": "Purple week", "status": "active"})
    lead_api.call(
        "PUT",
        f"/missions/{mission['id']}/members",
        [{"user_id": user["id"], "role": role} for role, user in users.items()],
    )
    test = lead_api.call(
        "POST",
        f"/missions/{mission['id']}/tests",
        {
            "name": "Encoded PowerShell",
            "description": "Runs **encoded** PowerShell. <script>window.pwned = 1</script>",
            "procedure": "`powershell -enc SQBFAFgA`",
        },
    )
    return MissionSetup(
        mission["id"], test["id"], {r: u["email"] for r, u in users.items()}, tools, lead_api
    )


def open_mission(page: Page, setup: MissionSetup) -> None:
    page.goto(f"/missions/{setup.mission_id}")
    expect(page.get_by_role("heading", name="Purple week", level=1)).to_be_visible()
    expect(page.get_by_test_id("test-row").first).to_be_visible()


def open_test(page: Page, name: str = "Encoded PowerShell") -> None:
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_test_id("test-drawer")).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the Mantine Select labelled `label` (keyboard-free, like a user)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def row_of(page: Page, name: str = "Encoded PowerShell"):
    return page.get_by_test_id("test-row").filter(
        has=page.get_by_role("button", name=name, exact=True)
    )


def test_red_and_blue_work_the_same_mission_at_once(setup: MissionSetup, open_context):
    red = open_context(setup.emails["red"])
    blue = open_context(setup.emails["blue"])
    open_mission(red, setup)
    open_mission(blue, setup)
    expect(row_of(blue).get_by_test_id("state-chip")).to_have_text("Pending")
    check_a11y(blue)

    # Red executes the test: Start, then hand it to blue.
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    # Markdown is rendered, raw HTML is not.
    expect(drawer.locator("strong", has_text="encoded")).to_be_visible()
    assert red.evaluate("window.pwned") is None
    check_a11y(red)
    drawer.get_by_role("button", name="Start").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    drawer.get_by_label("Target host").fill("WS-042")
    drawer.get_by_role("button", name="Save red fields").click()
    drawer.get_by_role("button", name="Hand to blue").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")

    # Blue sees it waiting after a refresh, and records the EDR alert and the NDR miss.
    blue.reload()
    expect(row_of(blue).get_by_test_id("state-chip")).to_have_text("Waiting for blue")
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    expect(drawer.get_by_role("button", name="Start")).to_have_count(0)
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 1", "Alerted")
    blue.get_by_label("Rule reference of detection 1").fill("EDR-4104")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 2", "NDR")
    choose(blue, "Level of detection 2", "Not detected")
    check_a11y(blue)
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    blue.keyboard.press("Escape")
    expect(row_of(blue).get_by_test_id("level-label")).to_have_text("Alerted")

    # Red's table shows it too after a refresh; the lead completes the test.
    red.reload()
    expect(row_of(red).get_by_test_id("level-label")).to_have_text("Alerted")
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    open_test(lead)
    drawer = lead.get_by_test_id("test-drawer")
    # A run is retested once it has ended, not before.
    expect(drawer.get_by_role("button", name="Retest")).to_have_count(0)
    drawer.get_by_role("button", name="Complete").click()
    expect(lead.get_by_test_id("drawer-state")).to_have_text("Completed")
    expect(drawer.get_by_role("button", name="Retest")).to_be_visible()
    lead.keyboard.press("Escape")
    expect(row_of(lead).get_by_test_id("state-chip")).to_have_text("Completed")
    expect(lead.get_by_test_id("mission-score")).to_have_text("75")

    # A retest opens as a new pending run, marked as one; the completed run stays in the table.
    open_test(lead)
    drawer.get_by_role("button", name="Retest").click()
    expect(lead.get_by_test_id("drawer-state")).to_have_text("Pending")
    expect(drawer.get_by_text("Retest", exact=True)).to_be_visible()
    lead.keyboard.press("Escape")
    expect(lead.get_by_test_id("state-chip")).to_have_text(["Completed", "Pending"])
    expect(lead.get_by_test_id("test-name")).to_have_text(
        ["Encoded PowerShell (earlier run)", "Encoded PowerShell"]
    )


def test_red_moves_tests_along_from_the_table_by_mouse_and_keyboard(
    setup: MissionSetup, open_context
):
    setup.lead_api.call("POST", f"/missions/{setup.mission_id}/tests", {"name": "Alpha discovery"})
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    state_of = red.get_by_role("button", name="State of Encoded PowerShell: Pending. Change it")

    # The state's menu offers the moves the test allows; picking one saves it.
    state_of.click()
    menu = red.get_by_role("menu")
    expect(menu.get_by_role("menuitem")).to_have_text(["Start", "Cancel test"])
    check_a11y(red)
    menu.get_by_role("menuitem", name="Start").click()
    expect(row_of(red).get_by_test_id("state-chip")).to_have_text("In progress")
    test = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")
    assert test["state"] == "in_progress"

    # By keyboard: Tab from the test's name to its state, Enter opens the menu, the arrow keys
    # move within it (not between rows), Enter picks.
    row_of(red).get_by_role("button", name="Encoded PowerShell", exact=True).focus()
    red.keyboard.press("Tab")
    expect(
        red.get_by_role("button", name="State of Encoded PowerShell: In progress. Change it")
    ).to_be_focused()
    red.keyboard.press("Enter")
    expect(menu.get_by_role("menuitem", name="Hand to blue")).to_be_focused()
    red.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Cancel test")).to_be_focused()
    red.keyboard.press("ArrowUp")
    red.keyboard.press("Enter")
    expect(row_of(red).get_by_test_id("state-chip")).to_have_text("Waiting for blue")
    expect(row_of(red, "Alpha discovery").get_by_test_id("state-chip")).to_have_text("Pending")

    # Changed by someone else meanwhile: nothing is overwritten, the table shows theirs.
    setup.lead_api.call(
        "PATCH", f"/missions/{setup.mission_id}/tests/{setup.test_id}", {"state": "completed"}
    )
    state_now = red.get_by_role(
        "button", name="State of Encoded PowerShell: Waiting for blue. Change it"
    )
    # Cancelling cannot be taken back: the table asks first, and "Keep it" changes nothing.
    state_now.click()
    menu.get_by_role("menuitem", name="Cancel test").click()
    confirm = red.get_by_role("dialog", name="Cancel this test?")
    check_a11y(red)
    confirm.get_by_role("button", name="Keep it").click()
    expect(confirm).to_be_hidden()
    expect(state_now).to_be_visible()
    state_now.click()
    menu.get_by_role("menuitem", name="Cancel test").click()
    confirm.get_by_role("button", name="Cancel test").click()
    expect(red.get_by_role("alert", name="State not changed")).to_contain_text(
        "Encoded PowerShell was changed by someone else meanwhile; the table now shows its"
        " current state."
    )
    expect(row_of(red).get_by_test_id("state-chip")).to_have_text("Completed")
    test = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")
    assert test["state"] == "completed"

    # Blue reads the state; moving it is red's.
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    expect(row_of(blue).get_by_test_id("state-chip")).to_have_text("Completed")
    expect(blue.get_by_role("button", name=re.compile("^State of"))).to_have_count(0)


def test_the_lead_edits_the_mission_and_a_stale_edit_overwrites_nothing(
    setup: MissionSetup, open_context
):
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Edit", exact=True).click()
    dialog = lead.get_by_role("dialog", name="Edit mission")
    expect(dialog.get_by_label("Name")).to_have_value("Purple week")
    dialog.get_by_label("Name").fill("Purple week 2")
    dialog.get_by_label("Start date").fill("2026-11-02")
    dialog.get_by_label("End date").fill("2026-11-06")
    check_a11y(lead)
    dialog.get_by_role("button", name="Save mission").click()
    expect(dialog).to_be_hidden()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Purple week 2")
    expect(lead.get_by_test_id("mission-dates")).to_have_text("Dates: Nov 2, 2026 – Nov 6, 2026")

    # Someone changes the mission while the dialog is open: the save is refused (412) and
    # overwrites nothing; reopening shows their change under the edit that was saved.
    lead.get_by_role("button", name="Edit", exact=True).click()
    setup.lead_api.call("PATCH", f"/missions/{setup.mission_id}", {"environment": "Prod EU"})
    dialog.get_by_label("Name").fill("Mine")
    dialog.get_by_role("button", name="Save mission").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Changed by someone else")
    assert setup.lead_api.call("GET", f"/missions/{setup.mission_id}")["name"] == "Purple week 2"
    dialog.get_by_role("button", name="Close").click()
    lead.get_by_role("button", name="Edit", exact=True).click()
    expect(dialog.get_by_label("Environment")).to_have_value("Prod EU")
    expect(dialog.get_by_label("Name")).to_have_value("Purple week 2")


def test_the_lead_removes_a_test_and_deletes_the_mission_each_with_an_undo(
    setup: MissionSetup, open_context
):
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    # From the keyboard: the test's name that opened the drawer goes with its row, so the
    # focus goes to the alert's Undo (not to the page), and stays there once the drawer is gone.
    lead.get_by_role("button", name="Encoded PowerShell", exact=True).focus()
    lead.keyboard.press("Enter")
    drawer = lead.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Remove from mission").focus()
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.keyboard.press("Enter")
    expect(drawer).to_have_count(0)
    undo = lead.get_by_role("status").filter(has_text="Removed the test Encoded PowerShell")
    expect(undo).to_be_visible()
    expect(row_of(lead)).to_have_count(0)
    assert setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests")["total"] == 0
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()
    check_a11y(lead)
    lead.keyboard.press("Enter")
    expect(undo).to_be_hidden()
    expect(row_of(lead)).to_have_count(1)

    # Removed again, and the alert dismissed: the deleted tests still bring it back.
    open_test(lead)
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_test_id("test-drawer").get_by_role("button", name="Remove from mission").click()
    undo.get_by_role("button", name="Dismiss").click()
    expect(row_of(lead)).to_have_count(0)
    lead.get_by_label("Show deleted tests").check()
    deleted = lead.get_by_role("table", name="Deleted tests")
    # Its details tell it from another deleted test of the same name.
    expect(deleted).to_contain_text("No ATT&CK tag · pending")
    deleted.get_by_role("button", name="Restore Encoded PowerShell").click()
    expect(row_of(lead)).to_have_count(1)
    expect(lead.get_by_text("No deleted tests.")).to_be_visible()
    assert setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests")["total"] == 1

    # Deleting the mission asks first; leaving the dialog unconfirmed deletes nothing.
    lead.once("dialog", lambda dialog: dialog.dismiss())
    lead.get_by_role("button", name="Delete mission").click()
    expect(lead.get_by_role("heading", name="Purple week", level=1)).to_be_visible()
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_role("button", name="Delete mission").click()
    expect(lead.get_by_role("heading", name="Missions", level=1)).to_be_visible()
    undo = lead.get_by_role("status").filter(has_text="Deleted the mission Purple week")
    expect(undo).to_be_visible()
    expect(lead.get_by_role("link", name="Purple week", exact=True)).to_have_count(0)
    # Delete went with the page: the keyboard focus is on Undo, not left on the page.
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(lead.get_by_role("link", name="Purple week", exact=True)).to_be_visible()
    assert setup.lead_api.call("GET", f"/missions/{setup.mission_id}")["name"] == "Purple week"

    # Once the Undo is gone, the lead restores it from the list's deleted missions; a member
    # who does not lead it is not offered it.
    setup.lead_api.call("DELETE", f"/missions/{setup.mission_id}")
    red = open_context(setup.emails["red"])
    red.goto("/missions")
    red.get_by_label("Show deleted missions").check()
    expect(red.get_by_text("No deleted missions.")).to_be_visible()
    lead.goto("/missions")
    expect(lead.get_by_role("link", name="Purple week", exact=True)).to_have_count(0)
    lead.get_by_label("Show deleted missions").check()
    deleted = lead.get_by_role("table", name="Deleted missions")
    expect(deleted).to_contain_text("Purple week")
    check_a11y(lead)
    deleted.get_by_role("button", name="Restore Purple week").click()
    expect(lead.get_by_role("link", name="Purple week", exact=True)).to_be_visible()
    expect(lead.get_by_text("No deleted missions.")).to_be_visible()
    assert setup.lead_api.call("GET", f"/missions/{setup.mission_id}")["name"] == "Purple week"


def test_the_lead_groups_tests_into_categories_and_filters_by_them(
    setup: MissionSetup, open_context
):
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Categories").click()
    dialog = lead.get_by_role("dialog", name="Categories")
    for name in ("Day 1", "Day 2"):
        dialog.get_by_label("New category").fill(name)
        dialog.get_by_role("button", name="Add category").click()
        expect(dialog.get_by_test_id("categories")).to_contain_text(name)
    dialog.get_by_role("button", name="Rename Day 2").click()
    dialog.get_by_label("Rename Day 2").fill("Day two")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("categories")).to_contain_text("Day two")
    check_a11y(lead)
    dialog.get_by_role("button", name="Close").click()

    # Tests added go into the category chosen; the table shows it and filters by it.
    lead.get_by_role("button", name="Add tests").click()
    adding = lead.get_by_role("dialog", name="Add tests")
    choose(lead, "Add to category", "Day 1")
    adding.get_by_role("tab", name="Ad hoc").click()
    adding.get_by_label("Name").fill("Kerberoast")
    adding.get_by_role("button", name="Add test").click()
    expect(adding).to_be_hidden()
    expect(row_of(lead, "Kerberoast").get_by_test_id("category-badge")).to_have_text("Day 1")
    expect(row_of(lead).get_by_test_id("category-badge")).to_have_count(0)

    # The lead moves the first test into Day two from its drawer.
    open_test(lead)
    choose(lead, "Category of this test", "Day two")
    expect(row_of(lead).get_by_test_id("category-badge")).to_have_text("Day two")
    lead.get_by_role("button", name="Close test").click()
    # Its evidence form has a "Category" of its own until the drawer has gone.
    expect(lead.get_by_test_id("test-drawer")).to_be_hidden()

    choose(lead, "Category", "Day 1")
    expect(lead.get_by_test_id("test-row")).to_have_count(1)
    expect(row_of(lead, "Kerberoast")).to_be_visible()
    tests = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests")["items"]
    assert len({test["category_id"] for test in tests}) == 2

    # Deleting Day two leaves its test without a category; restoring it groups it again.
    open_mission(lead, setup)
    expect(row_of(lead).get_by_test_id("category-badge")).to_have_text("Day two")
    lead.get_by_role("button", name="Categories").click()
    lead.once("dialog", lambda dialog: dialog.accept())
    dialog.get_by_role("button", name="Delete Day two").click()
    expect(dialog.get_by_role("status")).to_contain_text("Deleted the category Day two.")
    expect(row_of(lead).get_by_test_id("category-badge")).to_have_count(0)
    dialog.get_by_role("status").get_by_role("button", name="Dismiss").click()
    dialog.get_by_label("Show deleted categories").check()
    check_a11y(lead)
    dialog.get_by_role("table", name="Deleted categories").get_by_role(
        "button", name="Restore Day two"
    ).click()
    expect(dialog.get_by_test_id("categories")).to_contain_text("Day two")
    dialog.get_by_role("button", name="Close").click()
    expect(row_of(lead).get_by_test_id("category-badge")).to_have_text("Day two")


def test_the_lead_manages_categories_by_keyboard(setup: MissionSetup, open_context):
    """Each step in the Categories dialog leaves the focus where the keyboard goes on: in the
    rename box once Rename is pressed, back on Rename after it, in the name box after Add, on
    Undo after Delete; never on the page behind the dialog."""
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Categories").click()
    dialog = lead.get_by_role("dialog", name="Categories")
    new_name = dialog.get_by_label("New category")
    new_name.fill("Day 1")
    lead.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Add category")).to_be_focused()
    lead.keyboard.press("Enter")
    expect(dialog.get_by_test_id("categories")).to_contain_text("Day 1")
    expect(new_name).to_be_focused()

    dialog.get_by_role("button", name="Rename Day 1").focus()
    lead.keyboard.press("Enter")
    rename = dialog.get_by_role("textbox", name="Rename Day 1")
    expect(rename).to_be_focused()
    rename.fill("Monday")
    lead.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Rename Monday")).to_be_focused()
    # Cancelled, the focus is back on Rename too.
    lead.keyboard.press("Enter")
    expect(dialog.get_by_role("textbox", name="Rename Monday")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").focus()
    lead.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Rename Monday")).to_be_focused()

    lead.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Delete Monday").focus()
    lead.keyboard.press("Enter")
    undo = dialog.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    lead.keyboard.press("Enter")
    expect(dialog.get_by_test_id("categories")).to_contain_text("Monday")
    check_a11y(lead)


def test_the_lead_moves_a_test_up_the_mission_s_order(setup: MissionSetup, open_context):
    for name in ("Alpha discovery", "Bravo staging"):
        setup.lead_api.call("POST", f"/missions/{setup.mission_id}/tests", {"name": name})
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    names = lead.get_by_test_id("test-row").get_by_test_id("test-name")
    expect(names).to_have_text(["Encoded PowerShell", "Alpha discovery", "Bravo staging"])

    open_test(lead, "Bravo staging")
    drawer = lead.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Move up").click()
    expect(drawer.get_by_test_id("order-notice")).to_have_text("Moved to position 2 of 3.")
    expect(names).to_have_text(["Encoded PowerShell", "Bravo staging", "Alpha discovery"])
    drawer.get_by_role("button", name="Move up").click()
    expect(drawer.get_by_test_id("order-notice")).to_have_text("Moved to position 1 of 3.")
    drawer.get_by_role("button", name="Move up").click()
    expect(drawer.get_by_test_id("order-notice")).to_have_text("Already first.")
    check_a11y(lead)
    expect(names).to_have_text(["Bravo staging", "Encoded PowerShell", "Alpha discovery"])
    tests = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests")["items"]
    assert [test["name"] for test in tests] == [
        "Bravo staging",
        "Encoded PowerShell",
        "Alpha discovery",
    ]


def test_a_viewer_sees_no_edit_controls(setup: MissionSetup, open_context):
    viewer = open_context(setup.emails["viewer"])
    open_mission(viewer, setup)
    expect(viewer.get_by_role("button", name="Add tests")).to_have_count(0)
    for name in ("Edit", "Delete mission", "Categories"):
        expect(viewer.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(viewer.get_by_label("Mission status")).to_have_count(0)
    expect(viewer.get_by_label("Show deleted tests")).to_have_count(0)
    open_test(viewer)
    drawer = viewer.get_by_test_id("test-drawer")
    for name in (
        "Start",
        "Retest",
        "Save red fields",
        "Save detections",
        "Add tool outcome",
        "Remove from mission",
        "Move up",
    ):
        expect(drawer.get_by_role("button", name=name)).to_have_count(0)
    # The only box is the note's: members of every role write notes.
    expect(drawer.get_by_role("textbox")).to_have_count(1)
    expect(drawer.get_by_role("textbox", name="New note on this test")).to_be_visible()
    expect(drawer.get_by_test_id("evidence-dropzone")).to_have_count(0)
    expect(drawer.get_by_role("region", name="Red team")).to_contain_text("Nothing recorded")
    check_a11y(viewer)


def test_the_lead_archives_the_mission_read_only_and_reopens_it(setup: MissionSetup, open_context):
    """Archived, the mission page says so and offers no edit control (the API refuses every
    write with 409); Reopen brings the controls back."""
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    choose(lead, "Mission status", "Archived")
    notice = lead.get_by_test_id("archived-notice")
    expect(notice).to_contain_text("Archived — read-only.")
    expect(notice).to_contain_text("Reopen to change it")
    expect(lead.get_by_role("button", name="Add tests")).to_have_count(0)
    for name in ("Edit", "Categories", "Plan from ATT&CK"):
        expect(lead.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(lead.get_by_label("Show deleted tests")).to_have_count(0)
    expect(lead.get_by_role("textbox", name="New note on the mission")).to_have_count(0)
    expect(lead.get_by_role("button", name=re.compile("^State of"))).to_have_count(0)
    # Deleting it and its status stay the lead's; its members are listed, not edited.
    expect(lead.get_by_role("button", name="Delete mission")).to_be_visible()
    lead.get_by_role("button", name="Members", exact=True).click()
    dialog = lead.get_by_role("dialog", name="Members")
    expect(dialog.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    check_a11y(lead)
    dialog.press("Escape")
    open_test(lead)
    drawer = lead.get_by_test_id("test-drawer")
    for name in (
        "Start",
        "Retest",
        "Save red fields",
        "Save detections",
        "Add tool outcome",
        "Remove from mission",
        "Move up",
    ):
        expect(drawer.get_by_role("button", name=name)).to_have_count(0)
    expect(drawer.get_by_role("textbox")).to_have_count(0)
    expect(drawer.get_by_role("combobox", name="Category of this test")).to_have_count(0)
    expect(drawer.get_by_test_id("evidence-dropzone")).to_have_count(0)
    check_a11y(lead)
    lead.get_by_role("button", name="Close test").click()

    with pytest.raises(ApiCallError) as refused:
        setup.lead_api.call("POST", f"/missions/{setup.mission_id}/notes", {"content": "late"})
    assert refused.value.status == 409
    assert "Purple week" in refused.value.body["detail"]

    lead.get_by_role("button", name="Reopen").click()
    expect(lead.get_by_role("status").filter(has_text="Reopened")).to_be_focused()
    expect(notice).to_have_count(0)
    expect(lead.get_by_test_id("mission-status")).to_have_text("completed")
    expect(lead.get_by_role("button", name="Add tests")).to_be_visible()
    lead.get_by_role("textbox", name="New note on the mission").fill("Reopened for the retest")
    lead.get_by_role("button", name="Add note").click()
    expect(lead.get_by_test_id("mission-notes")).to_contain_text("Reopened for the retest")


def test_a_save_after_the_lead_archived_the_mission_turns_the_page_read_only(
    setup: MissionSetup, open_context
):
    """Red has the test open when the lead archives the mission: red's save is refused (409,
    its detail shown) and the page says it is archived at once, not at the next refresh."""
    red = open_context(setup.emails["red"], clock=True)
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_label("Target host").fill("WS-042")
    setup.lead_api.call("PATCH", f"/missions/{setup.mission_id}", {"status": "archived"})

    drawer.get_by_role("button", name="Save red fields").click()
    expect(drawer.get_by_role("alert").filter(has_text="Not saved")).to_contain_text(
        '"Purple week" is archived'
    )
    expect(red.get_by_test_id("archived-notice")).to_contain_text("Its lead can reopen it")
    expect(red.get_by_role("button", name="Reopen")).to_have_count(0)
    for name in ("Start", "Save red fields"):
        expect(drawer.get_by_role("button", name=name)).to_have_count(0)


def test_an_outside_manager_sees_evidence_but_cannot_open_it(setup: MissionSetup, open_context):
    """An administrator who is not a member lists a test's evidence, but it leaves the server for
    members only (403): no download button, no preview, and a line that says why."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="siem.log"\r\n'
        "Content-Type: text/plain\r\n\r\n4625 failed logon\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    setup.lead_api.call(
        "POST",
        f"/missions/{setup.mission_id}/tests/{setup.test_id}/evidence",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    admin = open_context(ADMIN_EMAIL, ADMIN_PASSWORD)
    open_mission(admin, setup)
    open_test(admin)
    drawer = admin.get_by_test_id("test-drawer")
    expect(drawer.get_by_test_id("evidence-file")).to_contain_text("siem.log")
    expect(drawer.get_by_role("button", name="Download siem.log")).to_have_count(0)
    expect(drawer.get_by_test_id("evidence-members-only")).to_be_visible()
    check_a11y(admin)


def test_a_member_whose_role_changed_loses_its_controls_at_the_first_refusal(
    setup: MissionSetup, open_context
):
    """The lead makes red a viewer while red has the test open: red's next save is refused
    (403, its detail shown) and the drawer turns read-only at once, not at the next refresh."""
    red = open_context(setup.emails["red"], clock=True)
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_label("Target host").fill("WS-042")
    members = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/members")
    setup.lead_api.call(
        "PUT",
        f"/missions/{setup.mission_id}/members",
        [
            {
                "user_id": member["user_id"],
                "role": "viewer" if member["email"] == setup.emails["red"] else member["role"],
            }
            for member in members
        ],
    )

    drawer.get_by_role("button", name="Save red fields").click()
    expect(drawer.get_by_role("alert").filter(has_text="Not saved")).to_contain_text(
        "Your role in this mission (viewer) may not change"
    )
    expect(red.get_by_text("Your role: viewer")).to_be_visible()
    for name in ("Start", "Save red fields"):
        expect(drawer.get_by_role("button", name=name)).to_have_count(0)
    expect(red.get_by_role("button", name=re.compile("^State of"))).to_have_count(0)


def test_red_saves_the_mission_as_a_scenario_by_keyboard(setup: MissionSetup, open_context):
    """An operator (red here) saves the mission's tests as a library scenario; once saved, the
    focus is on the link to it (the Save button it replaces took the focus with it)."""
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    red.get_by_role("button", name="Save as scenario").click()
    dialog = red.get_by_role("dialog", name="Save the tests as a scenario")
    dialog.get_by_label("Scenario name").fill("Purple week again")
    red.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Save scenario")).to_be_focused()
    red.keyboard.press("Enter")
    link = dialog.get_by_role("link", name="Open the scenario")
    expect(link).to_be_focused()
    check_a11y(red)
    red.keyboard.press("Enter")
    expect(red.get_by_role("heading", name="Purple week again", level=1)).to_be_visible()


def test_saving_ad_hoc_tests_as_a_scenario_says_beforehand_it_needs_template_write(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    """A member whose groups write scenarios but not test templates is told, on opening the
    dialog, that the mission's ad hoc test needs test_template.write, and offered no Save that
    the API would refuse with 403."""
    analysts = next(
        group
        for group in admin_api.call("GET", "/groups?limit=500")["items"]
        if group["name"] == "Analysts"
    )
    permissions = sorted(
        (set(analysts["permissions"]) | {"scenario_template.write"}) - {"test_template.write"}
    )
    # Named apart: the e2e database lives as long as the session.
    group = f"Scenario writers {uuid.uuid4().hex[:8]}"
    admin_api.call("POST", "/groups", {"name": group, "permissions": permissions})
    writer = admin_api.create_user(display_name="Sam Scenarios", groups=(group,))
    members = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/members")
    setup.lead_api.call(
        "PUT",
        f"/missions/{setup.mission_id}/members",
        [{"user_id": m["user_id"], "role": m["role"]} for m in members]
        + [{"user_id": writer["id"], "role": "viewer"}],
    )
    page = open_context(writer["email"])
    open_mission(page, setup)
    page.get_by_role("button", name="Save as scenario").click()
    dialog = page.get_by_role("dialog", name="Save the tests as a scenario")
    expect(dialog.get_by_test_id("scenario-preview")).to_contain_text(
        "1 test. 1 of them is not from the library."
    )
    expect(dialog.get_by_test_id("scenario-preview")).to_contain_text("test_template.write")
    expect(dialog.get_by_role("button", name="Save scenario")).to_have_count(0)
    check_a11y(page)


def test_a_stale_edit_shows_the_conflict_dialog(setup: MissionSetup, open_context):
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_label("Red notes (Markdown)").fill("My note")
    # Meanwhile the lead changes the same field (the drawer cannot follow that on its own).
    setup.lead_api.call(
        "PATCH",
        f"/missions/{setup.mission_id}/tests/{setup.test_id}",
        {"red_notes": "Lead's note"},
    )
    drawer.get_by_role("button", name="Save red fields").click()
    dialog = red.get_by_role("dialog", name="Changed by someone else")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("conflict-values")).to_contain_text("Lead's note")
    check_a11y(red)
    dialog.get_by_role("button", name="Reload").click()
    expect(dialog).to_have_count(0)
    expect(drawer.get_by_label("Red notes (Markdown)")).to_have_value("Lead's note")


def test_the_conflict_dialog_names_the_outcomes_another_analyst_recorded(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    """Their level, tools and per-tool outcomes are named in full, not as ids or "1 item(s)"."""
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "NDR")
    choose(blue, "Level of detection 1", "Not detected")
    alerted = level_id(admin_api, "Alerted")
    setup.lead_api.call(
        "PUT",
        f"/missions/{setup.mission_id}/tests/{setup.test_id}/detections",
        [
            {
                "tool_id": setup.tools["EDR"],
                "detection_level_id": alerted,
                "rule_ref": "EDR-4104",
                "notes": "Fired late",
            }
        ],
    )
    drawer.get_by_role("button", name="Save detections").click()
    values = blue.get_by_role("dialog", name="Changed by someone else").get_by_test_id(
        "conflict-values"
    )
    expect(values).to_contain_text("Detection levelAlerted")
    expect(values).to_contain_text("Per-tool detectionsEDR: Alerted, rule EDR-4104, Fired late")
    check_a11y(blue)


def test_escape_closes_the_conflict_dialog_and_leaves_the_drawer_open(
    setup: MissionSetup, open_context
):
    """The drawer and the dialog both answer Escape: only the dialog goes (as Keep my edits),
    the drawer stays with what was typed in it."""
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_label("Red notes (Markdown)").fill("My note")
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"red_notes": "Lead's note"})
    drawer.get_by_role("button", name="Save red fields").click()
    dialog = red.get_by_role("dialog", name="Changed by someone else")
    expect(dialog).to_be_visible()
    red.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(drawer).to_be_visible()
    expect(drawer.get_by_label("Red notes (Markdown)")).to_have_value("My note")
    # Escape again, with no dialog over it, closes the drawer.
    red.keyboard.press("Escape")
    expect(drawer).to_have_count(0)


def test_keep_my_edits_saves_them_over_a_conflict_and_keeps_the_rest_of_theirs(
    setup: MissionSetup, open_context
):
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_label("Target host").fill("DC-01")
    drawer.get_by_label("Red notes (Markdown)").fill("My note")
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"red_notes": "Lead's note", "source_host": "lead-box"})
    drawer.get_by_role("button", name="Save red fields").click()
    dialog = red.get_by_role("dialog", name="Changed by someone else")
    dialog.get_by_role("button", name="Keep my edits").click()
    expect(dialog).to_have_count(0)
    # What red typed stays; the field only the lead changed shows the lead's value.
    expect(drawer.get_by_label("Red notes (Markdown)")).to_have_value("My note")
    expect(drawer.get_by_label("Source host")).to_have_value("lead-box")

    drawer.get_by_role("button", name="Save red fields").click()
    red_section = drawer.get_by_role("region", name="Red team")
    expect(red_section.get_by_role("status")).to_have_text("Saved.")
    expect(dialog).to_have_count(0)
    stored = setup.lead_api.call("GET", url)
    assert (stored["red_notes"], stored["target_host"], stored["source_host"]) == (
        "My note",
        "DC-01",
        "lead-box",
    )


def test_an_open_drawer_follows_what_others_change_and_keeps_what_blue_typed(
    setup: MissionSetup, open_context
):
    """Blue opens the test while red is still at it and starts on the outcomes; red records
    the command and hands it over. Blue's drawer shows that without a reload, keeps the
    outcome blue entered, and saves it without a conflict."""
    blue = open_context(setup.emails["blue"], clock=True)
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Pending")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 1", "Alerted")

    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"state": "in_progress", "command_executed": "whoami /all"})
    setup.lead_api.call("PATCH", url, {"state": "waiting_blue"})

    skip_to_next_refresh(blue)
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")
    expect(drawer.get_by_role("region", name="Red team")).to_contain_text("whoami /all")
    expect(blue.get_by_role("combobox", name="Tool of detection 1", exact=True)).to_have_value(
        "EDR"
    )
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_role("region", name="Blue team").get_by_text("Saved.")).to_be_visible()
    expect(blue.get_by_role("dialog", name="Changed by someone else")).to_have_count(0)
    stored = setup.lead_api.call("GET", url)
    assert [detection["tool_id"] for detection in stored["detections"]] == [setup.tools["EDR"]]


def test_the_keyboard_keeps_its_place_in_the_drawer_through_saves(
    setup: MissionSetup, open_context
):
    """A button is disabled while its save runs, which would drop the focus to the page: it
    comes back to the button, or to the next state button when the pressed one is gone."""
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Start").focus()
    red.keyboard.press("Enter")
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    expect(drawer.get_by_role("button", name="Hand to blue")).to_be_focused()

    drawer.get_by_label("Target host").fill("DC-01")
    save = drawer.get_by_role("button", name="Save red fields")
    save.focus()
    red.keyboard.press("Enter")
    expect(drawer.get_by_role("region", name="Red team").get_by_role("status")).to_have_text(
        "Saved."
    )
    expect(save).to_be_focused()


def test_the_keyboard_is_back_on_the_save_button_after_the_conflict_dialog(
    setup: MissionSetup, open_context
):
    """The save button was disabled (saving) when the dialog opened, so the dialog had nothing
    to give the focus back to; however it is closed, the focus goes back to that button."""
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    save = drawer.get_by_role("button", name="Save red fields")
    dialog = red.get_by_role("dialog", name="Changed by someone else")
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    for close in ("Keep my edits", "Reload", "Escape"):
        drawer.get_by_label("Red notes (Markdown)").fill(f"Mine before {close}")
        setup.lead_api.call("PATCH", url, {"red_notes": f"Lead's before {close}"})
        save.focus()
        red.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        if close == "Escape":
            red.keyboard.press("Escape")
        else:
            dialog.get_by_role("button", name=close).focus()
            red.keyboard.press("Enter")
        # Once the dialog is gone (its focused button went with it), not just meanwhile.
        expect(dialog).to_have_count(0)
        expect(save).to_be_focused()
        expect(drawer).to_be_visible()


def test_red_reads_blue_s_outcomes_without_being_told_nothing_was_recorded(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    blue_section = red.get_by_role("region", name="Blue team")
    expect(blue_section.get_by_text("Nothing recorded yet.")).to_be_visible()
    # No news, so no alert a screen reader announces each time a test is opened.
    expect(blue_section.get_by_role("alert")).to_have_count(0)
    red.get_by_role("button", name="Close test").click()

    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}/detections"
    alerted = level_id(admin_api, "Alerted")
    setup.lead_api.call(
        "PUT", url, [{"tool_id": setup.tools["EDR"], "detection_level_id": alerted}]
    )
    red.reload()
    open_test(red)
    expect(blue_section.get_by_test_id("detections-read-only")).to_have_text("EDR: Alerted")
    expect(blue_section.get_by_text("Nothing recorded yet.")).to_have_count(0)


def test_blue_records_a_whole_outcome_and_the_viewer_reads_every_field(
    setup: MissionSetup, open_context
):
    """Each outcome row edits all the API takes (level, time, rule reference and notes, the
    notes on the row's second line), and the read-only view shows each of them."""
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 1", "Alerted")
    drawer.get_by_label("Time of detection 1").fill("2026-12-01T10:03")
    drawer.get_by_label("Rule reference of detection 1").fill("EDR-4104")
    # By keyboard: Tab from the rule reference passes its Remove to reach the row's notes.
    blue.keyboard.press("Tab")
    blue.keyboard.press("Tab")
    notes = drawer.get_by_role("textbox", name="Notes of detection 1")
    expect(notes).to_be_focused()
    blue.keyboard.type("Alert **EDR-4104** fired; triaged by the SOC")
    check_a11y(blue)
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    stored = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")[
        "detections"
    ]
    assert len(stored) == 1
    assert stored[0]["rule_ref"] == "EDR-4104"
    assert stored[0]["notes"] == "Alert **EDR-4104** fired; triaged by the SOC"
    assert stored[0]["detected_at"] is not None
    # Reloaded (the drawer is in the URL), the row shows what was saved, the notes included.
    blue.reload()
    expect(drawer.get_by_role("textbox", name="Notes of detection 1")).to_have_value(
        "Alert **EDR-4104** fired; triaged by the SOC"
    )

    viewer = open_context(setup.emails["viewer"])
    open_mission(viewer, setup)
    open_test(viewer)
    outcomes = viewer.get_by_role("region", name="Blue team").get_by_test_id("detections-read-only")
    expect(outcomes.get_by_test_id("detection-outcome")).to_have_text(
        "EDR: Alerted (rule EDR-4104)"
    )
    expect(outcomes.get_by_test_id("detection-time")).to_have_text(
        re.compile(r"^Detected at 12/1/2026, 10:03:00")
    )
    expect(outcomes.get_by_test_id("detection-notes")).to_have_text(
        "Alert EDR-4104 fired; triaged by the SOC"
    )
    expect(outcomes.locator("strong", has_text="EDR-4104")).to_be_visible()
    check_a11y(viewer)


def test_blue_adds_an_outcome_beside_one_of_a_tool_deleted_since(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    """The NDR is retired after recording: its row names it "NDR (deleted)" (not an empty
    select, nor a nameless "Deleted tool"), and saving the EDR's outcome beside it keeps it,
    where the API refused the whole list. It stays expected, named so, and blue's notes save
    (the expected tools sent back with them were refused)."""
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call(
        "PUT",
        f"{url}/detections",
        [{"tool_id": setup.tools["NDR"], "detection_level_id": level_id(admin_api, "Logged")}],
    )
    setup.lead_api.call("PATCH", url, {"expected_tool_ids": [setup.tools["NDR"]]})
    admin_api.call("DELETE", f"/defense-tools/{setup.tools['NDR']}")
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    expect(drawer.get_by_role("combobox", name="Tool of detection 1", exact=True)).to_have_value(
        "NDR (deleted)"
    )
    expect(drawer.get_by_text("NDR (deleted)", exact=True)).to_be_visible()  # expected tool
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 2", "EDR")
    choose(blue, "Level of detection 2", "Alerted")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    stored = setup.lead_api.call("GET", url)["detections"]
    assert {d["tool_id"] for d in stored} == {setup.tools["NDR"], setup.tools["EDR"]}
    drawer.get_by_label("Detection notes (Markdown)").fill("The NDR was retired mid-week")
    save_blue = drawer.get_by_role("button", name="Save blue fields")
    save_blue.click()
    blue_form = drawer.locator("form").filter(
        has=blue.get_by_role("button", name="Save blue fields")
    )
    expect(blue_form.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    saved = setup.lead_api.call("GET", url)
    assert saved["detection_notes"] == "The NDR was retired mid-week"
    assert saved["expected_tool_ids"] == [setup.tools["NDR"]]

    viewer = open_context(setup.emails["viewer"])
    open_mission(viewer, setup)
    open_test(viewer)
    # In the order blue's rows were saved.
    expect(viewer.get_by_test_id("detection-outcome")).to_have_text(
        ["NDR (deleted): Logged", "EDR: Alerted"]
    )


def test_blue_adds_notes_to_an_outcome_without_moving_its_time(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    """Ran at 10:03:30, the EDR's alert recorded (by a script) at 10:03:42: the time input
    shows minutes, and saving a note sent 10:03:00, refused as before the execution."""
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"executed_at": "2026-11-30T10:03:30+00:00"})
    detected = "2026-11-30T10:03:42.500000+00:00"
    setup.lead_api.call(
        "PUT",
        f"{url}/detections",
        [
            {
                "tool_id": setup.tools["EDR"],
                "detection_level_id": level_id(admin_api, "Alerted"),
                "detected_at": detected,
            }
        ],
    )
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    drawer.get_by_role("textbox", name="Notes of detection 1").fill("Seen in the EDR console")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    (stored,) = setup.lead_api.call("GET", url)["detections"]
    assert (stored["detected_at"], stored["notes"]) == (detected, "Seen in the EDR console")


def test_the_members_dialog_drops_what_was_not_saved(admin_api: ApiClient, open_context):
    people = [
        admin_api.create_user(display_name=f"Pat Person{number}", groups=("Operators",))
        for number in (1, 2, 3)
    ]
    mission = admin_api.create_mission("Draft members")
    page = open_context(ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{mission['id']}")
    expect(page.get_by_role("heading", name="Draft members", level=1)).to_be_visible()

    page.get_by_role("button", name="Members").click()
    members = page.get_by_role("dialog", name="Members")
    table = members.get_by_test_id("members-table")
    for person in people:
        members.get_by_label("Add a person").fill(person["display_name"])
        page.get_by_role("option", name=f"{person['display_name']} <{person['email']}>").click()
        members.get_by_role("button", name="Add", exact=True).click()
        expect(table).to_contain_text(person["email"])
    page.keyboard.press("Escape")
    expect(members).to_have_count(0)

    # Reopened: the saved members only (the lead), as a reload would show.
    page.get_by_role("button", name="Members").click()
    expect(table).to_contain_text(ADMIN_EMAIL)
    for person in people:
        expect(table).not_to_contain_text(person["email"])

    members.get_by_label("Add a person").fill(people[0]["display_name"])
    page.get_by_role("option", name=f"{people[0]['display_name']} <{people[0]['email']}>").click()
    members.get_by_role("button", name="Add", exact=True).click()
    members.get_by_role("button", name="Save members").click()
    expect(members).to_have_count(0)
    expect(page.get_by_test_id("members-saved")).to_have_text("Members saved: 2.")
    check_a11y(page)
    page.get_by_role("button", name="Members").click()
    expect(table).to_contain_text(people[0]["email"])
    expect(page.get_by_test_id("members-saved")).to_have_count(0)


def test_the_members_dialog_shows_a_deactivated_lead_and_keeps_an_active_one(
    setup: MissionSetup, open_context
):
    """Red co-leads, then leaves the company (deactivated): the dialog says so and keeps their
    role; the lead stepping down would leave nobody who can sign in to lead, and is refused."""
    url = f"/missions/{setup.mission_id}/members"
    members_now = setup.lead_api.call("GET", url)
    setup.lead_api.call(
        "PUT",
        url,
        [
            {
                "user_id": m["user_id"],
                "role": "lead" if m["email"] == setup.emails["red"] else m["role"],
            }
            for m in members_now
        ],
    )
    red_id = next(m["user_id"] for m in members_now if m["email"] == setup.emails["red"])
    admin = ApiClient(setup.lead_api.base_url)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.call("PATCH", f"/users/{red_id}", {"is_active": False})

    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Members").click()
    members = lead.get_by_role("dialog", name="Members")
    red_row = members.get_by_role("row").filter(has_text=setup.emails["red"])
    expect(red_row.get_by_text("deactivated")).to_be_visible()
    expect(members.get_by_role("combobox", name=f"Role of {setup.emails['red']}")).to_be_disabled()
    check_a11y(lead)

    members.get_by_role("combobox", name=f"Role of {setup.emails['lead']}").click()
    lead.get_by_role("option", name="Red", exact=True).click()
    members.get_by_role("button", name="Save members").click()
    refusal = members.get_by_role("alert")
    expect(refusal).to_contain_text("Members not saved")
    expect(refusal).to_contain_text("A mission needs an active lead")
    expect(refusal).to_contain_text(setup.emails["red"])


def test_the_members_dialog_marks_a_deleted_member_and_takes_them_off(
    setup: MissionSetup, open_context
):
    """Blue's account is deleted (they left the company): the lead's Members dialog lists them
    marked "deleted", their role fixed; Remove and Save members take them off the mission."""
    url = f"/missions/{setup.mission_id}/members"
    blue_id = next(
        m["user_id"] for m in setup.lead_api.call("GET", url) if m["email"] == setup.emails["blue"]
    )
    admin = ApiClient(setup.lead_api.base_url)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.call("DELETE", f"/users/{blue_id}")

    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Members").click()
    members = lead.get_by_role("dialog", name="Members")
    blue_row = members.get_by_role("row").filter(has_text=setup.emails["blue"])
    expect(blue_row.get_by_text("deleted", exact=True)).to_be_visible()
    expect(members.get_by_role("combobox", name=f"Role of {setup.emails['blue']}")).to_be_disabled()
    red_role = members.get_by_role("combobox", name=f"Role of {setup.emails['red']}")
    expect(red_role).to_have_value("Red")
    check_a11y(lead)

    members.get_by_role("button", name=f"Remove {setup.emails['blue']}").click()
    members.get_by_role("button", name="Save members").click()
    expect(members).to_have_count(0)
    emails = [m["email"] for m in setup.lead_api.call("GET", url)]
    assert setup.emails["blue"] not in emails and setup.emails["red"] in emails


def test_the_lead_adds_and_removes_members_by_keyboard(setup: MissionSetup, open_context):
    """Add and a row's Remove take the focused button away; the focus stays in the dialog, on
    Save members or the Remove of the row now in that place, not on the page behind it."""
    admin = ApiClient(setup.lead_api.base_url)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    sam = admin.create_user(display_name="Sam Second", groups=("Operators",))
    lead = open_context(setup.emails["lead"])
    open_mission(lead, setup)
    lead.get_by_role("button", name="Members").click()
    members = lead.get_by_role("dialog", name="Members")
    members.get_by_role("combobox", name="Add a person").fill("Sam")
    lead.get_by_role("option", name=f"Sam Second <{sam['email']}>").click()
    members.get_by_role("button", name="Add", exact=True).focus()
    lead.keyboard.press("Enter")
    expect(members.get_by_test_id("members-table")).to_contain_text(sam["email"])
    save = members.get_by_role("button", name="Save members")
    expect(save).to_be_focused()

    # Who is on the list already is not offered again (Add would do nothing).
    members.get_by_role("combobox", name="Add a person").fill("Sam")
    expect(lead.get_by_role("option", name=f"Sam Second <{sam['email']}>")).to_have_count(0)
    members.get_by_role("combobox", name="Add a person").fill("")

    # Removing a row focuses the Remove of the row now in its place.
    removes = members.get_by_role("button", name=re.compile("^Remove "))
    expect(removes).to_have_count(5)
    labels = [button.get_attribute("aria-label") for button in removes.all()]
    removes.nth(1).focus()
    lead.keyboard.press("Enter")
    expect(removes).to_have_count(4)
    expect(members.get_by_role("button", name=labels[2])).to_be_focused()
    # The last row's Remove focuses the one before.
    removes.last.focus()
    lead.keyboard.press("Enter")
    expect(removes).to_have_count(3)
    expect(members.get_by_role("button", name=labels[3])).to_be_focused()
    check_a11y(lead)


def test_typed_red_fields_survive_a_state_change(setup: MissionSetup, open_context):
    red = open_context(setup.emails["red"])
    open_mission(red, setup)
    open_test(red)
    drawer = red.get_by_test_id("test-drawer")
    typed = {
        "Source host": "WS-042",
        "Target host": "DC-01",
        "Command executed": "powershell -enc SQBFAFgA",
    }
    for label, value in typed.items():
        drawer.get_by_label(label).fill(value)

    # Start (and Hand to blue) change the state, not what red has typed and not yet saved.
    drawer.get_by_role("button", name="Start").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    for label, value in typed.items():
        expect(drawer.get_by_label(label)).to_have_value(value)
    drawer.get_by_role("button", name="Hand to blue").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")
    for label, value in typed.items():
        expect(drawer.get_by_label(label)).to_have_value(value)

    red_section = drawer.get_by_role("region", name="Red team")
    expect(red_section.get_by_role("status")).to_have_text("")
    drawer.get_by_role("button", name="Save red fields").click()
    expect(red_section.get_by_role("status")).to_have_text("Saved.")
    check_a11y(red)
    # Editing again takes the confirmation away until the next save.
    drawer.get_by_label("Source host").fill("WS-043")
    expect(red_section.get_by_role("status")).to_have_text("")

    stored = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")
    assert (stored["source_host"], stored["target_host"], stored["command_executed"]) == (
        "WS-042",
        "DC-01",
        "powershell -enc SQBFAFgA",
    )
    assert stored["state"] == "waiting_blue"


def test_blue_saves_only_whole_outcome_rows(setup: MissionSetup, open_context):
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Level of detection 1", "Alerted")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 2", "NDR")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_text("Choose a tool", exact=True)).to_be_visible()
    expect(drawer.get_by_text("Choose a level", exact=True)).to_be_visible()
    check_a11y(blue)
    stored = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")
    assert stored["detections"] == []

    # Completed, the rows are saved and the errors go.
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 2", "Not detected")
    expect(drawer.get_by_text("Choose a tool", exact=True)).to_have_count(0)
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    stored = setup.lead_api.call("GET", f"/missions/{setup.mission_id}/tests/{setup.test_id}")
    assert len(stored["detections"]) == 2

    # The blue fields confirm their save too.
    blue_section = drawer.get_by_role("region", name="Blue team")
    drawer.get_by_label("Detection notes (Markdown)").fill("Seen by the EDR")
    drawer.get_by_role("button", name="Save blue fields").click()
    expect(blue_section.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)


def test_blue_is_told_which_outcome_the_api_refused_and_why(setup: MissionSetup, open_context):
    """A refused save of per-tool outcomes says what is wrong with which row, not only
    "Invalid detections.": a detection time before the execution is named on its row."""
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"state": "in_progress"})
    setup.lead_api.call("PATCH", url, {"state": "waiting_blue"})  # executed_at: now
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")

    # The same tool twice is caught before anything is sent, on the second row.
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 1", "Alerted")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 2", "EDR")
    choose(blue, "Level of detection 2", "Logged")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_text("EDR is already in row 1", exact=True)).to_be_visible()
    drawer.get_by_role("button", name="Remove detection 2").click()

    # A time the API refuses: the alert and the row's time field say why.
    drawer.get_by_label("Time of detection 1").fill("2020-01-01T10:00")
    drawer.get_by_role("button", name="Save detections").click()
    alert = drawer.get_by_role("alert").filter(has_text="Not saved")
    expect(alert).to_contain_text("Row 1 (EDR), time of detection: The detection")
    expect(alert).to_contain_text("is before the execution")
    # Both times as the page shows times (the browser's zone, to the second), not ISO 8601.
    expect(alert).not_to_contain_text(re.compile(r"UTC|\+00:00|\d{4}-\d{2}-\d{2}"))
    time_field = drawer.get_by_label("Time of detection 1")
    expect(time_field).to_have_attribute("aria-invalid", "true")
    expect(time_field).to_have_accessible_description(re.compile("is before the execution"))
    check_a11y(blue)
    stored = setup.lead_api.call("GET", url)
    assert stored["detections"] == []

    # Corrected, it saves and the errors go.
    time_field.fill("")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    expect(alert).to_have_count(0)
    expect(time_field).not_to_have_attribute("aria-invalid", "true")


def test_blue_removes_outcome_rows_by_keyboard(setup: MissionSetup, open_context):
    """A row's Remove goes with its row; the focus goes to the Remove now in its place, then to
    the one before, then to Add tool outcome: it stays in the drawer."""
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    add = drawer.get_by_role("button", name="Add tool outcome")
    for _ in range(3):
        add.click()
    drawer.get_by_label("Rule reference of detection 3").fill("third")
    drawer.get_by_role("button", name="Remove detection 2").focus()
    blue.keyboard.press("Enter")
    expect(drawer.get_by_label("Rule reference of detection 2")).to_have_value("third")
    expect(drawer.get_by_role("button", name="Remove detection 2")).to_be_focused()
    blue.keyboard.press("Enter")
    expect(drawer.get_by_role("button", name="Remove detection 1")).to_be_focused()
    blue.keyboard.press("Enter")
    expect(drawer.get_by_role("button", name=re.compile("^Remove detection"))).to_have_count(0)
    expect(add).to_be_focused()


def test_blue_is_told_where_defense_tools_come_from(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    for tool_id in setup.tools.values():
        admin_api.call("DELETE", f"/defense-tools/{tool_id}")
    blue = open_context(setup.emails["blue"])
    open_mission(blue, setup)
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    hint = "No defense tools yet: an administrator adds them under Admin → Defense tools."
    expect(drawer.get_by_test_id("no-tools-yet")).to_have_text(hint)
    expect(drawer.get_by_role("combobox", name="Expected tools")).to_have_accessible_description(
        hint
    )
    drawer.get_by_role("button", name="Add tool outcome").click()
    expect(
        drawer.get_by_role("combobox", name="Tool of detection 1", exact=True)
    ).to_have_attribute("placeholder", "No tools yet")
    check_a11y(blue)


def test_an_open_mission_shows_what_others_record_without_a_reload(
    setup: MissionSetup, admin_api: ApiClient, open_context
):
    """The open mission refreshes its tests, its score and the tools on its own (every 15 s
    while the tab is visible); what blue is typing in the drawer stays, even once the test
    leaves blue's filter, and so does red's keyboard focus in the table."""
    blue = open_context(setup.emails["blue"], clock=True)
    blue.goto(f"/missions/{setup.mission_id}?state=pending")
    open_test(blue)
    drawer = blue.get_by_test_id("test-drawer")
    drawer.get_by_label("Detection notes (Markdown)").fill("Typed, not saved")
    drawer.get_by_role("button", name="Add tool outcome").click()
    red = open_context(setup.emails["red"], clock=True)
    open_mission(red, setup)
    state_of = red.get_by_role("button", name=re.compile("^State of Encoded PowerShell"))
    state_of.focus()

    # Meanwhile an administrator adds a tool and the lead records a level.
    admin_api.call("POST", "/defense-tools", {"name": "SIEM", "layer": "siem"})
    url = f"/missions/{setup.mission_id}/tests/{setup.test_id}"
    setup.lead_api.call("PATCH", url, {"detection_level_id": level_id(admin_api, "Logged")})

    # No reload, no focus change: the pages show it within the refresh interval.
    skip_to_next_refresh(blue, red)
    row = blue.get_by_test_id("test-row")  # the only one (the drawer hides its name button)
    expect(row.get_by_test_id("level-label")).to_have_text("Logged")
    choose(blue, "Tool of detection 1", "SIEM")
    expect(drawer.get_by_label("Detection notes (Markdown)")).to_have_value("Typed, not saved")
    expect(row_of(red).get_by_test_id("level-label")).to_have_text("Logged")
    expect(state_of).to_be_focused()

    # The mission's score too, once the lead completes the test.
    for state in ("in_progress", "waiting_blue", "completed"):
        setup.lead_api.call("PATCH", url, {"state": state})
    skip_to_next_refresh(blue, red)
    expect(red.get_by_test_id("mission-score")).to_have_text("40")
    expect(row_of(red).get_by_test_id("state-chip")).to_have_text("Completed")
    # Blue's table, filtered on Pending, no longer lists the test; its open drawer stays.
    expect(blue.get_by_text("No tests match.")).to_be_visible()
    expect(drawer.get_by_label("Detection notes (Markdown)")).to_have_value("Typed, not saved")


def test_an_open_mission_shows_the_categories_the_lead_makes_without_a_reload(
    setup: MissionSetup, open_context
):
    """The tests refresh with their category; the category's name, and the filter by it, come
    with them: red sees the test the lead put into a new category, and its renaming."""
    red = open_context(setup.emails["red"], clock=True)
    open_mission(red, setup)
    expect(red.get_by_role("combobox", name="Category", exact=True)).to_have_count(0)

    missions = f"/missions/{setup.mission_id}"
    day = setup.lead_api.call("POST", f"{missions}/categories", {"name": "Day 1"})
    setup.lead_api.call("PATCH", f"{missions}/tests/{setup.test_id}", {"category_id": day["id"]})
    skip_to_next_refresh(red)
    expect(row_of(red).get_by_test_id("category-badge")).to_have_text("Day 1")
    expect(red.get_by_role("combobox", name="Category", exact=True)).to_be_visible()

    setup.lead_api.call("PATCH", f"{missions}/categories/{day['id']}", {"name": "Monday"})
    skip_to_next_refresh(red)
    expect(row_of(red).get_by_test_id("category-badge")).to_have_text("Monday")


def test_a_lead_builds_a_mission_in_the_spa(admin_api: ApiClient, open_context):
    lead = admin_api.create_user(display_name="Lena Lead", groups=("Operators",))
    red = admin_api.create_user(display_name="Rob Red", groups=("Operators",))
    page = open_context(lead["email"])
    page.get_by_role("link", name="Missions", exact=True).click()
    expect(page.get_by_role("heading", name="Missions")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="New mission").click()
    page.get_by_label("Name").fill("Red October")
    page.get_by_label("Environment").fill("Prod EU")
    check_a11y(page)
    page.get_by_role("button", name="Create mission").click()
    expect(page.get_by_role("heading", name="Red October", level=1)).to_be_visible()

    page.get_by_role("button", name="Members").click()
    members = page.get_by_role("dialog", name="Members")
    members.get_by_label("Add a person").fill("Rob")
    page.get_by_role("option", name=f"Rob Red <{red['email']}>").click()
    members.get_by_role("button", name="Add", exact=True).click()
    expect(members.get_by_test_id("members-table")).to_contain_text(red["email"])
    check_a11y(page)
    members.get_by_role("button", name="Save members").click()
    expect(members).to_have_count(0)

    page.get_by_role("button", name="Add tests").click()
    adding = page.get_by_role("dialog", name="Add tests")
    adding.get_by_role("tab", name="Ad hoc").click()
    adding.get_by_label("Test name").fill("Kerberoasting")
    check_a11y(page)
    adding.get_by_role("button", name="Add test").click()
    expect(row_of(page, "Kerberoasting")).to_be_visible()

    page.get_by_role("link", name="Missions", exact=True).click()
    table = page.get_by_test_id("missions-table")
    expect(table).to_contain_text("Red October")
    expect(table.get_by_test_id("progress-text")).to_have_text("1 test: 1 pending")
    page.get_by_role("link", name="Home", exact=True).click()
    card = page.get_by_role("region", name="My missions")
    expect(card.get_by_role("link", name="Red October")).to_be_visible()
    expect(card).to_contain_text("1 test: 1 pending")


def test_the_keyboard_moves_through_more_than_500_tests(setup: MissionSetup, open_context):
    # 501 tests: more than the API's largest page, so the table needs two requests.
    for index in range(500):
        setup.lead_api.call(
            "POST", f"/missions/{setup.mission_id}/tests", {"name": f"Test {index + 2:03d}"}
        )
    page = open_context(setup.emails["blue"])
    open_mission(page, setup)
    # Virtualised: far fewer rows in the DOM than tests.
    assert page.get_by_test_id("test-row").count() < 80
    page.get_by_role("button", name="Encoded PowerShell").focus()
    page.keyboard.press("j")
    expect(page.get_by_role("button", name="Test 002")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    expect(page.get_by_role("button", name="Test 002")).to_be_focused()
    for _ in range(60):
        page.keyboard.press("j")
    expect(page.get_by_role("button", name="Test 062")).to_be_focused()
    page.keyboard.press("Enter")
    drawer = page.get_by_test_id("test-drawer")
    expect(drawer).to_be_visible()
    expect(page.get_by_role("heading", name="Test 062")).to_be_visible()
    # The drawer works by keyboard: Tab reaches the blue section's first control.
    page.keyboard.press("Tab")
    check_a11y(page)
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    # The last test is there too, at the bottom of the table.
    page.get_by_test_id("tests-table").evaluate("(table) => { table.scrollTop = 1e9; }")
    expect(page.get_by_role("button", name="Test 501")).to_be_visible()


def test_on_a_phone_the_tests_table_says_it_scrolls_sideways(
    page: Page, setup: MissionSetup, sign_in
):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, setup.emails["red"], USER_PASSWORD)
    open_mission(page, setup)

    table = page.get_by_role("region", name="Mission tests")
    hint = page.get_by_text("Scroll sideways for more columns.")
    expect(hint).to_be_visible()
    expect(table).to_have_accessible_description("Scroll sideways for more columns.")
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")
    # By keyboard: from the test's name the arrow keys scroll the table sideways.
    row_of(page).get_by_role("button", name="Encoded PowerShell", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=table.element_handle(), timeout=5000)

    # Where every column fits, no hint.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(hint).to_be_hidden()
    expect(table).to_have_accessible_description("")


def test_on_a_phone_blue_s_outcome_rows_scroll_in_their_own_box(
    page: Page, setup: MissionSetup, sign_in
):
    """At 390 px a per-tool outcome row is wider than the drawer: it scrolls in its own box,
    each select wide enough to show its choice, and the drawer itself does not scroll sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, setup.emails["blue"], USER_PASSWORD)
    open_mission(page, setup)
    open_test(page)
    drawer = page.get_by_role("dialog", name="Encoded PowerShell")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(page, "Tool of detection 1", "EDR")
    choose(page, "Level of detection 1", "Not detected")
    for label in ("Tool of detection 1", "Level of detection 1"):
        box = page.get_by_role("combobox", name=label, exact=True).bounding_box()
        assert box is not None and box["width"] >= 120, (label, box)
    assert drawer.evaluate("el => el.scrollWidth <= el.clientWidth")
    rows = page.get_by_test_id("detection-rows-scroller")
    assert rows.evaluate("el => el.scrollWidth > el.clientWidth")
    # Tab reaches the fields beyond the edge and brings them into view.
    page.get_by_role("textbox", name="Rule reference of detection 1").focus()
    page.keyboard.type("EDR-4104")
    page.wait_for_function("el => el.scrollLeft > 0", arg=rows.element_handle(), timeout=5000)
    check_a11y(page)


def test_admin_pages_for_levels_and_tools(page: Page, admin_api: ApiClient, sign_in, setup):
    setup.lead_api.call(
        "PATCH",
        f"/missions/{setup.mission_id}/tests/{setup.test_id}",
        {"detection_level_id": level_id(admin_api, "Logged")},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="Detection levels").click()
    expect(page.get_by_role("heading", name="Detection levels")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Colour of Logged").fill("#f08c00")
    page.get_by_label("Name of Logged").fill("Logged only")
    page.get_by_role("button", name="Save Logged").click()
    expect(page.get_by_label("Name of Logged only")).to_be_visible()
    page.get_by_role("button", name="Move Logged only up").click()
    rows = page.get_by_test_id("level-row")
    expect(rows.nth(1).get_by_role("textbox").first).to_have_value("Logged only")
    page.get_by_role("button", name="Delete Logged only").click()
    expect(page.get_by_role("alert")).to_contain_text("in use")

    # A level deleted by mistake comes back with Undo, or later from the deleted levels.
    page.get_by_role("textbox", name="Name", exact=True).fill("Scratch")
    page.get_by_role("button", name="Add level").click()
    page.get_by_role("button", name="Delete Scratch").click()
    undo = page.get_by_role("status").filter(has_text="Deleted the level Scratch.")
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(page.get_by_label("Name of Scratch")).to_be_visible()
    page.get_by_role("button", name="Delete Scratch").click()
    page.get_by_role("status").get_by_role("button", name="Dismiss").click()
    expect(page.get_by_label("Name of Scratch")).to_have_count(0)
    page.get_by_role("textbox", name="Name", exact=True).fill("Partial")
    page.get_by_role("button", name="Add level").click()
    expect(page.get_by_label("Name of Partial")).to_be_visible()
    page.get_by_label("Show deleted levels").check()
    check_a11y(page)
    page.get_by_role("button", name="Restore Scratch").click()
    expect(page.get_by_label("Name of Scratch")).to_be_visible()
    # The restored level may share its old position with the new one: moving still moves.
    last = rows.last.get_by_role("textbox").first.input_value()
    page.get_by_role("button", name=f"Move {last} up").click()
    expect(rows.nth(rows.count() - 2).get_by_role("textbox").first).to_have_value(last)

    page.get_by_role("link", name="Defense tools").click()
    expect(page.get_by_role("heading", name="Defense tools")).to_be_visible()
    page.get_by_label("Tool name").fill("Sentinel")
    choose(page, "Layer", "SIEM")
    page.get_by_role("button", name="Add tool").click()
    expect(page.get_by_label("Name of Sentinel")).to_be_visible()
    expect(page.get_by_role("combobox", name="Layer of Sentinel")).to_have_value("SIEM")
    tools = admin_api.call("GET", "/defense-tools")["items"]
    assert {tool["name"]: tool["layer"] for tool in tools}["Sentinel"] == "siem"
    check_a11y(page)
    for name in ("EDR", "NDR", "Sentinel"):
        page.get_by_role("button", name=f"Delete {name}").click()
        expect(page.get_by_label(f"Name of {name}")).to_have_count(0)
    expect(page.get_by_test_id("tools-table")).to_contain_text("No tool yet")
    undo = page.get_by_role("status").filter(has_text="Deleted the tool Sentinel.")
    undo.get_by_role("button", name="Undo").click()
    expect(page.get_by_label("Name of Sentinel")).to_be_visible()
    page.get_by_label("Show deleted tools").check()
    deleted = page.get_by_role("table", name="Deleted tools")
    expect(deleted).to_contain_text("EDR")
    expect(deleted).not_to_contain_text("Sentinel")
    deleted.get_by_role("button", name="Restore EDR").click()
    expect(page.get_by_label("Name of EDR")).to_be_visible()
    expect(deleted).not_to_contain_text("EDR")
    tools = admin_api.call("GET", "/defense-tools")["items"]
    assert sorted(tool["name"] for tool in tools) == ["EDR", "Sentinel"]


def level_id(api: ApiClient, name: str) -> str:
    levels = api.call("GET", "/detection-levels")["items"]
    return next(level["id"] for level in levels if level["name"] == name)


def test_the_mission_list_pages_searches_and_filters_in_the_url(
    page: Page, admin_api: ApiClient, sign_in
):
    ids = {
        number: admin_api.call("POST", "/missions", {"name": f"Mission {number:02d}"})["id"]
        for number in range(1, 53)
    }
    admin_api.call("PATCH", f"/missions/{ids[7]}", {"status": "active"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/missions")
    links = page.get_by_test_id("missions-table").get_by_role("link")
    # Newest first, 50 a page.
    expect(links).to_have_count(50)
    expect(links.first).to_have_text("Mission 52")
    expect(page.get_by_text("1–50 of 52 missions")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="next page").click()
    expect(links).to_have_text(["Mission 02", "Mission 01"])
    page.reload()  # the page is in the URL
    expect(links).to_have_text(["Mission 02", "Mission 01"])

    # A search starts again from the first page.
    page.get_by_label("Search missions").fill("Mission 1")
    expect(links).to_have_count(10)
    expect(page.get_by_text("of 52 missions")).to_have_count(0)
    page.get_by_label("Search missions").fill("")
    choose(page, "Status", "Active")
    expect(links).to_have_text(["Mission 07"])
    page.get_by_label("Search missions").fill("nothing like it")
    expect(page.get_by_text("No mission matches.")).to_be_visible()


def test_picking_the_category_already_chosen_keeps_it_for_the_next_tests(
    setup: MissionSetup, open_context
):
    """The Add tests dialog keeps its category between openings; a lead who picks it again
    (to be sure) adds the next test into it, not into no category."""
    lead = open_context(setup.emails["lead"])
    setup.lead_api.call("POST", f"/missions/{setup.mission_id}/categories", {"name": "Day 1"})
    open_mission(lead, setup)
    for name in ("Kerberoast", "DCSync"):
        lead.get_by_role("button", name="Add tests").click()
        adding = lead.get_by_role("dialog", name="Add tests")
        choose(lead, "Add to category", "Day 1")
        expect(adding.get_by_role("combobox", name="Add to category")).to_have_value("Day 1")
        adding.get_by_role("tab", name="Ad hoc").click()
        adding.get_by_label("Test name").fill(name)
        adding.get_by_role("button", name="Add test").click()
        expect(adding).to_be_hidden()
        expect(row_of(lead, name).get_by_test_id("category-badge")).to_have_text("Day 1")


def test_saving_as_a_scenario_names_the_tags_this_catalogue_does_not_know(
    admin_api: ApiClient, bundle_file: Path, live_server: str, open_context, tmp_path: Path
):
    """A mission imported from another instance's archive, whose newer ATT&CK release has
    T1999: the dialog names the test and the ids before anything is tried, and offers no Save
    (the API would refuse it with 422)."""
    admin_api.sync_mitre_file(bundle_file)
    mission = admin_api.call("POST", "/missions", {"name": "Q3 elsewhere", "status": "active"})
    tag = {"kind": "technique", "external_id": "T1059"}
    for name in ("Encoded PowerShell", "Future technique"):
        admin_api.call("POST", f"/missions/{mission['id']}/tests", {"name": name, "mitre": [tag]})
    request = urllib.request.Request(
        f"{live_server}/api/v1/missions/{mission['id']}/export?format=zip",
        headers={"Authorization": f"Bearer {admin_api.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        archive = response.read()
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    document = json.loads(files["mission.json"])
    future = next(test for test in document["tests"] if test["name"] == "Future technique")
    future["mitre"] = [
        {"kind": "technique", "external_id": "T1999", "name": "Newer", "url": None},
        {"kind": "technique", "external_id": "T1059", "name": "Command", "url": None},
    ]
    files["mission.json"] = json.dumps(document).encode()
    path = tmp_path / "mission.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    data, content_type = _multipart({}, "file", path)
    imported = admin_api.call("POST", "/missions/import", data=data, content_type=content_type)

    page = open_context(ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{imported['id']}")
    expect(page.get_by_test_id("test-row")).to_have_count(2)
    page.get_by_role("button", name="Save as scenario").click()
    dialog = page.get_by_role("dialog", name="Save the tests as a scenario")
    note = dialog.get_by_test_id("scenario-unknown-tags")
    expect(note).to_contain_text("Future technique (T1999)")
    expect(note).not_to_contain_text("Encoded PowerShell")
    expect(dialog.get_by_text("Tags this ATT&CK catalogue does not know")).to_be_visible()
    expect(dialog.get_by_test_id("scenario-preview")).to_contain_text("2 tests.")
    expect(dialog.get_by_role("button", name="Save scenario")).to_have_count(0)
    check_a11y(page)
