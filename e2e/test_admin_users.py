"""Admin → Users and Admin → Groups: create, deactivate, delete, change groups, tick
permissions; the screens offer only what the signed-in person holds."""

from __future__ import annotations

import re

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def open_admin_page(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    page.mouse.move(0, 0)  # axe checks the page at rest, not the hovered navigation link


def user_row(page: Page, email: str):
    return page.get_by_test_id("user-row").filter(has_text=email)


def test_users_create_deactivate_and_groups(page: Page, admin_api: ApiClient, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Users")
    check_a11y(page)

    form = page.get_by_role("form", name="Create a user")
    form.get_by_label("Email").fill("svc.scanner@e2e.violet.test")
    form.get_by_label("Display name").fill("Scanner")
    form.get_by_label("Password").fill(USER_PASSWORD)
    form.get_by_role("checkbox", name="Analysts", exact=True).check()
    form.get_by_role("button", name="Create user").click()
    row = user_row(page, "svc.scanner@e2e.violet.test")
    expect(row).to_contain_text("Analysts")
    expect(row).to_contain_text("active")

    row.get_by_role("button", name="Deactivate Scanner").click()
    expect(row).to_contain_text("deactivated")
    row.get_by_role("button", name="Groups of Scanner").click()
    dialog = page.get_by_role("dialog", name="Groups of Scanner")
    dialog.get_by_role("checkbox", name="Operators", exact=True).check()
    check_a11y(page)
    dialog.get_by_role("button", name="Save groups").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Analysts, Operators")

    users = {user["email"]: user for user in admin_api.call("GET", "/users?limit=500")["items"]}
    scanner = users["svc.scanner@e2e.violet.test"]
    assert scanner["is_active"] is False
    assert {group["name"] for group in scanner["groups"]} == {"Analysts", "Operators"}

    # Deleted after a question, back with Undo; deleted again, back later from the deleted users.
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete Scanner").click()
    expect(row).to_have_count(0)
    undo = page.get_by_role("status").filter(has_text="Deleted the user Scanner.")
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(row).to_contain_text("Analysts, Operators")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete Scanner").click()
    page.get_by_role("status").get_by_role("button", name="Dismiss").click()
    assert scanner["id"] not in {user["id"] for user in admin_api.call("GET", "/users")["items"]}
    page.get_by_label("Show deleted users").check()
    check_a11y(page)
    page.get_by_role("table", name="Deleted users").get_by_role(
        "button", name="Restore Scanner <svc.scanner@e2e.violet.test>"
    ).click()
    expect(row).to_contain_text("Analysts, Operators")
    assert scanner["id"] in {user["id"] for user in admin_api.call("GET", "/users")["items"]}
    # No one deletes themselves from here.
    expect(
        user_row(page, ADMIN_EMAIL).get_by_role("button", name=re.compile("^Delete"))
    ).to_have_count(0)


def test_a_stale_groups_dialog_undoes_no_other_change_of_the_user(
    page: Page, admin_api: ApiClient, sign_in
):
    """The dialog's list replaces the user's groups: saved after another administrator changed
    them, it is refused (412) instead of silently taking their change back."""
    scanner = admin_api.create_user(
        email="scanner@e2e.violet.test", display_name="Scanner", groups=("Analysts",)
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Users")
    row = user_row(page, "scanner@e2e.violet.test")
    row.get_by_role("button", name="Groups of Scanner").click()
    dialog = page.get_by_role("dialog", name="Groups of Scanner")
    dialog.get_by_role("checkbox", name="Operators", exact=True).check()

    # Meanwhile, another administrator makes them an administrator too.
    admin_api.call(
        "PATCH",
        f"/users/{scanner['id']}",
        {"group_ids": admin_api.group_ids("Analysts", "Administrators")},
    )
    dialog.get_by_role("button", name="Save groups").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Changed by someone else")
    check_a11y(page)
    groups = admin_api.call("GET", f"/users/{scanner['id']}")["groups"]
    assert {group["name"] for group in groups} == {"Analysts", "Administrators"}

    # Opened again: their version, and a save on it goes through.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Administrators")
    row.get_by_role("button", name="Groups of Scanner").click()
    expect(dialog.get_by_role("checkbox", name="Administrators", exact=True)).to_be_checked()
    dialog.get_by_role("checkbox", name="Operators", exact=True).check()
    dialog.get_by_role("button", name="Save groups").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Operators")


def test_groups_permission_checklist(page: Page, admin_api: ApiClient, sign_in):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Groups")
    check_a11y(page)
    analysts = page.get_by_role("region", name="Group Analysts")
    analysts.get_by_role("checkbox", name="mission.read_all").check()
    analysts.get_by_role("button", name="Save Analysts").click()

    page.reload()
    expect(
        page.get_by_role("region", name="Group Analysts").get_by_role(
            "checkbox", name="mission.read_all"
        )
    ).to_be_checked()
    groups = {group["name"]: group for group in admin_api.call("GET", "/groups")["items"]}
    assert "mission.read_all" in groups["Analysts"]["permissions"]


def test_a_stale_group_page_takes_back_no_permission_and_save_keeps_the_focus(
    page: Page, admin_api: ApiClient, sign_in
):
    """The checklist replaces the group's permissions: saved from a page loaded before another
    administrator granted one, it is refused (412) instead of silently taking that one back."""
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Groups")
    analysts = page.get_by_role("region", name="Group Analysts")
    expect(analysts.get_by_role("checkbox", name="audit.read")).not_to_be_checked()

    # Meanwhile, another administrator lets the analysts read the audit trail.
    group = next(
        item for item in admin_api.call("GET", "/groups")["items"] if item["name"] == "Analysts"
    )
    admin_api.call(
        "PATCH", f"/groups/{group['id']}", {"permissions": [*group["permissions"], "audit.read"]}
    )

    analysts.get_by_role("checkbox", name="mission.read_all").check()
    analysts.get_by_role("button", name="Save Analysts").click()
    expect(analysts.get_by_role("alert")).to_contain_text("Changed by someone else")
    # Theirs is shown, and kept.
    expect(analysts.get_by_role("checkbox", name="audit.read")).to_be_checked()
    expect(analysts.get_by_role("checkbox", name="mission.read_all")).not_to_be_checked()
    saved = admin_api.call("GET", f"/groups/{group['id']}")["permissions"]
    assert "audit.read" in saved and "mission.read_all" not in saved
    check_a11y(page)

    # Ticked again on their version and saved by keyboard: saved, the focus still on Save.
    analysts.get_by_role("checkbox", name="mission.read_all").check()
    save = analysts.get_by_role("button", name="Save Analysts")
    save.focus()
    page.keyboard.press("Enter")
    expect(analysts.get_by_role("alert")).to_have_count(0)
    for _ in range(50):
        saved = admin_api.call("GET", f"/groups/{group['id']}")["permissions"]
        if "mission.read_all" in saved:
            break
        page.wait_for_timeout(100)
    assert {"audit.read", "mission.read_all"} <= set(saved)
    page.wait_for_timeout(300)  # the refetched groups rendered
    expect(save).to_be_focused()


def test_a_group_is_renamed_and_deleted_but_not_the_last_that_manages_groups(
    page: Page, admin_api: ApiClient, sign_in
):
    admin_api.call("POST", "/groups", {"name": "Contractors", "permissions": []})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Groups")

    page.get_by_role("button", name="Rename Contractors").click()
    page.get_by_label("New name of Contractors").fill("Vendors")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("region", name="Group Vendors")).to_be_visible()
    assert "Vendors" in {g["name"] for g in admin_api.call("GET", "/groups")["items"]}

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Vendors").click()
    expect(page.get_by_role("region", name="Group Vendors")).to_have_count(0)
    assert "Vendors" not in {g["name"] for g in admin_api.call("GET", "/groups")["items"]}
    undo = page.get_by_role("status").filter(has_text="Deleted the group Vendors.")
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(page.get_by_role("region", name="Group Vendors")).to_be_visible()

    # Deleted again, it is restored later from the deleted groups.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Vendors").click()
    page.get_by_role("status").get_by_role("button", name="Dismiss").click()
    page.get_by_label("Show deleted groups").check()
    page.get_by_role("table", name="Deleted groups").get_by_role(
        "button", name="Restore Vendors"
    ).click()
    expect(page.get_by_role("region", name="Group Vendors")).to_be_visible()
    assert "Vendors" in {g["name"] for g in admin_api.call("GET", "/groups")["items"]}

    # The administrator's only group with group.manage: deleting it would lock everyone out.
    administrators = page.get_by_role("region", name="Group Administrators")
    page.once("dialog", lambda dialog: dialog.accept())
    administrators.get_by_role("button", name="Delete Administrators").click()
    expect(administrators.get_by_role("alert")).to_contain_text("Group not deleted")
    check_a11y(page)
    assert "Administrators" in {g["name"] for g in admin_api.call("GET", "/groups")["items"]}


def test_the_screens_offer_only_what_the_caller_holds(page: Page, admin_api: ApiClient, sign_in):
    helpdesk = admin_api.call(
        "POST",
        "/groups",
        {"name": "Helpdesk", "permissions": ["user.read", "user.manage", "group.manage"]},
    )
    person = admin_api.create_user(display_name="Hal Helpdesk")
    admin_api.call("PATCH", f"/users/{person['id']}", {"group_ids": [helpdesk["id"]]})
    sign_in(page, person["email"], USER_PASSWORD)

    open_admin_page(page, "Users")
    form = page.get_by_role("form", name="Create a user")
    expect(form.get_by_role("checkbox", name="Helpdesk", exact=True)).to_be_enabled()
    # Administrators and Operators hold permissions Hal does not: not offered.
    expect(form.get_by_role("checkbox", name="Administrators", exact=True)).to_have_count(0)
    expect(form.get_by_role("checkbox", name="Operators", exact=True)).to_have_count(0)
    check_a11y(page)

    open_admin_page(page, "Groups")
    own = page.get_by_role("region", name="Group Helpdesk")
    expect(own.get_by_role("checkbox", name="user.manage")).to_be_enabled()
    expect(own.get_by_role("checkbox", name="settings.manage")).to_be_disabled()
    expect(page.get_by_role("link", name=re.compile("^Settings$"))).to_have_count(0)
    check_a11y(page)


def test_a_user_created_into_another_workspace_joins_only_it(
    page: Page, admin_api: ApiClient, sign_in
):
    elsewhere = admin_api.create_workspace("Elsewhere")
    email = "svc.elsewhere@e2e.violet.test"
    try:
        sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
        open_admin_page(page, "Users")
        form = page.get_by_role("form", name="Create a user")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Password").fill(USER_PASSWORD)
        form.get_by_role("combobox", name="Workspaces").fill("Elsewhere")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        check_a11y(page)
        form.get_by_role("button", name="Create user").click()
        expect(user_row(page, email)).to_be_visible()

        def members(workspace: str) -> list[str]:
            listed = admin_api.call("GET", f"/workspaces/{workspace}/members?limit=500")
            return [member["email"] for member in listed["items"]]

        assert email in members(elsewhere["id"])
        listed = admin_api.call("GET", "/workspaces?limit=500")["items"]
        [default] = [workspace["id"] for workspace in listed if workspace["is_default"]]
        assert email not in members(default)
    finally:
        # Other tests count the administrator's workspaces.
        admin_api.call("DELETE", f"/workspaces/{elsewhere['id']}")


def test_the_users_page_pages_and_searches_in_the_url(page: Page, admin_api: ApiClient, sign_in):
    for number in range(1, 52):
        admin_api.create_user(email=f"pager.{number:02d}@e2e.violet.test")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_admin_page(page, "Users")
    rows = page.get_by_test_id("user-row")
    total = admin_api.call("GET", "/users")["total"]
    expect(rows).to_have_count(50)
    expect(page.get_by_text(f"1–50 of {total} users")).to_be_visible()
    page.get_by_role("button", name="next page").click()
    expect(rows).to_have_count(total - 50)
    expect(page.get_by_text(f"51–{total} of {total} users")).to_be_visible()
    page.get_by_label("Search users").fill("pager.4")
    expect(rows).to_have_count(10)
    expect(page.get_by_role("button", name="next page")).to_have_count(0)
    page.reload()  # the search is in the URL
    expect(rows).to_have_count(10)
    check_a11y(page)


def test_deleting_a_user_group_or_workspace_by_keyboard_puts_the_focus_on_undo(
    page: Page, admin_api: ApiClient, sign_in
):
    """The deleted row's Delete goes with it: the focus goes to the alert's Undo."""
    admin_api.create_user(email="gone@e2e.violet.test", display_name="Gone", groups=("Analysts",))
    admin_api.call("POST", "/groups", {"name": "Temporary", "permissions": []})
    admin_api.create_workspace("Spare")
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete …?"
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    for screen, delete, message in (
        ("Users", "Delete Gone", "Deleted the user Gone."),
        ("Groups", "Delete Temporary", "Deleted the group Temporary."),
        ("Workspaces", "Delete Spare", "Deleted the workspace Spare."),
    ):
        open_admin_page(page, screen)
        page.get_by_role("button", name=delete).focus()
        page.keyboard.press("Enter")
        if screen == "Workspaces":  # a dialog of its own, Cancel first
            dialog = page.get_by_role("dialog", name="Delete workspace")
            expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
        undo = page.get_by_role("status").filter(has_text=message)
        expect(undo.get_by_role("button", name="Undo")).to_be_focused()
