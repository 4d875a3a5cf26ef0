"""A purple-team exercise played with the keyboard only (Tab, Shift+Tab, Enter, Space, Escape,
arrow keys): the admin invites red and blue, builds a mission from a scenario and a threat
group, red runs a test (command, evidence with its preview), blue records per-tool outcomes
(an API refusal shown beside the field), a retest, the lead completes the mission, then the
coverage heatmap, its Navigator layer, the comparison with last quarter and the report. Every
stop of the focus on the way shows where it is and has a name a screen reader user understands
(e2e/keyboard.py). Runs on the real ATT&CK enterprise bundle (skips without it)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from keyboard import Keyboard
from playwright.sync_api import Locator, Page, expect
from test_collaboration import png

RED = "rita.red@e2e.violet.test"
BLUE = "ben.blue@e2e.violet.test"
T1059_001 = {"kind": "subtechnique", "external_id": "T1059.001"}


def sign_in(kb: Keyboard, email: str, password: str) -> None:
    page = kb.page
    page.goto("/sign-in")
    kb.tab_to(page.get_by_label("Email"))
    page.keyboard.type(email)
    kb.tab_to(page.get_by_label("Password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def nav(kb: Keyboard, name: str, *, back: bool = False) -> None:
    link = kb.page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=name, exact=True
    )
    kb.tab_to(link, back=back, limit=400)
    kb.page.keyboard.press("Enter")


def press(kb: Keyboard, target: Locator, key: str = "Enter", *, back: bool = False) -> None:
    kb.tab_to(target, back=back)
    kb.page.keyboard.press(key)


def invite(kb: Keyboard, email: str, group: str) -> str:
    page = kb.page
    form = page.get_by_role("form", name="Invite someone")
    kb.tab_to(form.get_by_label("Email"))
    page.keyboard.type(email)
    press(kb, form.get_by_role("checkbox", name=group, exact=True), "Space")
    press(kb, form.get_by_role("button", name="Create invitation"))
    link = form.get_by_role("textbox", name="Invitation link")
    expect(link).to_have_value(re.compile(r"/accept-invitation\?token="))
    return link.input_value()


def accept(kb: Keyboard, link: str, name: str) -> None:
    page = kb.page
    page.goto(link)
    kb.tab_to(page.get_by_label("Display name"))
    page.keyboard.type(name)
    kb.tab_to(page.get_by_role("textbox", name="Password", exact=True))
    page.keyboard.type(USER_PASSWORD)
    kb.tab_to(page.get_by_label("Confirm password"))
    page.keyboard.type(USER_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-menu")).to_have_text(name)


def type_moment(page: Page, moment: datetime) -> None:
    """Type a date and time into the focused datetime-local field, segment by segment (the
    browser's en-US order: month, day, year, then hour, minute, AM/PM)."""
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(moment.strftime("%I%M%p")[:-1])


def pick(kb: Keyboard, combobox: Locator, option: str, *, search: str | None = None) -> None:
    """Choose `option` in a Mantine Select: type to search (searchable ones) and wait for the
    answer, as a user reads it; then ArrowDown to the option and Enter."""
    page = kb.page
    kb.tab_to(combobox)
    if search is not None:
        page.keyboard.type(search)
        expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("ArrowDown")
    hovered = page.locator("[data-combobox-selected]")
    for _ in range(40):
        if hovered.count() == 1 and hovered.inner_text().strip() == option:
            page.keyboard.press("Enter")
            expect(combobox).to_have_value(option)
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {option!r} reached with ArrowDown")


def test_a_purple_team_exercise_by_keyboard_only(
    admin_api: ApiClient, real_bundle_file: Path, open_context, tmp_path: Path
):
    admin_api.sync_mitre_file(real_bundle_file)
    # What the team had before the exercise: two tools, two templates in a scenario, and last
    # quarter's mission where encoded PowerShell went unseen.
    for name, layer in (("Defender for Endpoint", "edr"), ("Zeek", "ndr")):
        admin_api.call("POST", "/defense-tools", {"name": name, "layer": layer})
    templates = [
        admin_api.call(
            "POST", "/test-templates", {"name": name, "procedure": procedure, "mitre": [tag]}
        )["id"]
        for name, procedure, tag in (
            ("Encoded PowerShell", "`powershell -enc SQBFAFgA`", T1059_001),
            (
                "Scheduled task persistence",
                "`schtasks /create /tn upd /tr calc.exe /sc onlogon`",
                {"kind": "subtechnique", "external_id": "T1053.005"},
            ),
        )
    ]
    admin_api.call(
        "POST", "/scenario-templates", {"name": "Initial foothold", "test_template_ids": templates}
    )
    earlier = admin_api.call("POST", "/missions", {"name": "Q3 purple week", "status": "active"})
    old = admin_api.call(
        "POST", f"/missions/{earlier['id']}/tests", {"name": "PowerShell", "mitre": [T1059_001]}
    )
    levels = {
        level["name"]: level["id"] for level in admin_api.call("GET", "/detection-levels")["items"]
    }
    for change in (
        {"state": "in_progress"},
        {"state": "waiting_blue"},
        {"detection_level_id": levels["Not detected"]},
        {"state": "completed"},
    ):
        admin_api.call("PATCH", f"/missions/{earlier['id']}/tests/{old['id']}", change)

    # 1. The admin invites a red operator and a blue analyst; each accepts by keyboard.
    admin = Keyboard(open_context())
    page = admin.page
    sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    nav(admin, "Invitations")
    red_link = invite(admin, RED, "Operators")
    page.reload()
    blue_link = invite(admin, BLUE, "Analysts")
    red = Keyboard(open_context(clock=True))
    rp = red.page
    # The file picker answers as soon as it opens (a listener registered this early: one
    # registered just before the Enter sometimes misses the picker).
    screenshot = tmp_path / "console.png"
    screenshot.write_bytes(png(40, 30))
    rp.on("filechooser", lambda chooser: chooser.set_files(str(screenshot)))
    accept(red, red_link, "Rita Red")
    blue = Keyboard(open_context(clock=True))
    bp = blue.page
    accept(blue, blue_link, "Ben Blue")

    # Rita, invited again by mistake: the refusal is under the field, which has the focus.
    page.reload()
    form = page.get_by_role("form", name="Invite someone")
    admin.tab_to(form.get_by_label("Email"))
    page.keyboard.type(RED)
    press(admin, form.get_by_role("button", name="Create invitation"))
    expect(form.get_by_label("Email")).to_have_accessible_description(
        "A user with this email already exists."
    )
    expect(form.get_by_label("Email")).to_be_focused()

    # 2. The lead creates the mission, adds red and blue, the scenario and a threat group.
    nav(admin, "Missions")
    press(admin, page.get_by_role("button", name="New mission"))
    dialog = page.get_by_role("dialog", name="New mission")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Q4 purple week")
    press(admin, dialog.get_by_role("button", name="Create mission"))
    expect(page.get_by_role("heading", name="Q4 purple week", level=1)).to_be_visible()
    # The dates, typed the wrong way round: the API's refusal is under the field it names,
    # which has the focus, and the dialog stays open to correct it.
    press(admin, page.get_by_role("button", name="Edit", exact=True))
    editing = page.get_by_role("dialog", name="Edit mission")
    admin.tab_to(editing.get_by_label("Start date"))
    page.keyboard.type("12102026")
    admin.tab_to(editing.get_by_label("End date"))
    page.keyboard.type("12012026")
    press(admin, editing.get_by_role("button", name="Save mission"))
    end = editing.get_by_label("End date")
    expect(end).to_have_accessible_description("The end date must be on or after the start date.")
    expect(end).to_be_focused()
    page.keyboard.type("12142026")
    press(admin, editing.get_by_role("button", name="Save mission"))
    expect(editing).to_have_count(0)
    expect(page.get_by_role("button", name="Edit", exact=True)).to_be_focused()
    press(admin, page.get_by_role("button", name="Members"))
    members = page.get_by_role("dialog", name="Members")
    for first, email, role in (("Rita", RED, "Red"), ("Ben", BLUE, "Blue")):
        admin.tab_to(members.get_by_label("Add a person"))
        page.keyboard.type(first)
        expect(page.get_by_role("option")).to_have_count(1)
        expect(page.get_by_role("option")).to_contain_text(email)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        pick(admin, members.get_by_role("combobox", name="Role", exact=True), role)
        press(admin, members.get_by_role("button", name="Add", exact=True))
        expect(members.get_by_test_id("members-table")).to_contain_text(email)
    press(admin, members.get_by_role("button", name="Save members"))
    expect(members).to_have_count(0)
    expect(page.get_by_role("button", name="Members")).to_be_focused()

    press(admin, page.get_by_role("button", name="Add tests"))
    adding = page.get_by_role("dialog", name="Add tests")
    admin.tab_to(adding.get_by_role("tab", name="Scenario"))
    page.keyboard.press("ArrowRight")
    expect(adding.get_by_role("tab", name="From the library")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(adding.get_by_role("tab", name="Scenario")).to_have_attribute("aria-selected", "true")
    pick(admin, adding.get_by_role("combobox", name="Scenario"), "Initial foothold")
    press(admin, adding.get_by_role("button", name="Add scenario"))
    expect(adding).to_have_count(0)
    expect(page.get_by_test_id("test-row")).to_have_count(2)
    expect(page.get_by_role("button", name="Add tests")).to_be_focused()
    # Thrip (G0076) uses T1059.001, already in the mission from the library, and three
    # techniques nobody wrote a test for: three bare tests, one skipped.
    press(admin, page.get_by_role("button", name="Plan from ATT&CK"))
    planning = page.get_by_role("dialog", name="Plan tests from ATT&CK")
    pick(
        admin,
        planning.get_by_role("combobox", name="Threat group"),
        "G0076 Thrip (Thrip)",
        search="Thrip",
    )
    press(admin, planning.get_by_role("button", name="Preview"))
    preview = planning.get_by_test_id("plan-preview")
    expect(preview).to_contain_text("Would add 3 tests: 0 from the library, 3 bare; 1 skipped.")
    expect(preview).to_contain_text("T1059.001: Its library tests are already in the mission.")
    expect(planning.get_by_role("button", name="Add 3 tests")).to_be_focused()
    page.keyboard.press("Enter")
    expect(planning.get_by_test_id("plan-added")).to_have_text(
        "Added 3 tests (0 from the library, 3 bare)."
    )
    page.keyboard.press("Escape")
    expect(planning).to_have_count(0)
    expect(page.get_by_role("button", name="Plan from ATT&CK")).to_be_focused()
    expect(page.get_by_test_id("test-row")).to_have_count(5)

    # 3. Red finds the mission in the list, starts the PowerShell test, records what was run.
    nav(red, "Missions")
    press(red, rp.get_by_role("link", name="Q4 purple week"))
    press(red, rp.get_by_role("button", name="Encoded PowerShell", exact=True))
    drawer = rp.get_by_test_id("test-drawer")
    press(red, drawer.get_by_role("button", name="Start"))
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    red.tab_to(drawer.get_by_label("Target host"))
    rp.keyboard.type("WS-042")
    red.tab_to(drawer.get_by_label("Command executed"))
    rp.keyboard.type("powershell -enc SQBFAFgA")
    pick(red, drawer.get_by_role("combobox", name="Execution result"), "Success")
    press(red, drawer.get_by_role("button", name="Save red fields"))
    expect(drawer.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    # The evidence zone shows it has the focus (Ctrl+V pastes a screenshot there).
    red.tab_to(drawer.get_by_role("region", name=re.compile("^Evidence upload")))
    assert red.focused().ring, "the evidence drop zone shows no focus"
    red.tab_to(drawer.get_by_role("textbox", name="Caption (optional)"))
    rp.keyboard.type("Console after the run")
    press(red, drawer.get_by_role("button", name="Choose files"))
    evidence = drawer.get_by_test_id("evidence-file")
    expect(evidence).to_contain_text("console.png")
    expect(evidence).to_contain_text("Console after the run")
    expect(evidence.get_by_role("img", name="Console after the run")).to_be_visible()
    press(red, drawer.get_by_role("button", name="Hand to blue"))
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")
    expect(drawer.get_by_label("Target host")).to_have_value("WS-042")

    # 4. Blue opens it from the bell and records an outcome per tool.
    bp.clock.fast_forward("00:16")
    press(blue, bp.get_by_role("button", name="Notifications: 2 unread"))
    press(blue, bp.get_by_test_id("notification").filter(has_text="is waiting for blue"))
    drawer = bp.get_by_test_id("test-drawer")
    press(blue, drawer.get_by_role("button", name="Add tool outcome"))
    # The focus is in the new row, where the next keystroke belongs.
    expect(drawer.get_by_role("combobox", name="Tool of detection 1")).to_be_focused()
    pick(
        blue,
        drawer.get_by_role("combobox", name="Tool of detection 1"),
        "Defender for Endpoint",
        search="Def",
    )
    pick(blue, drawer.get_by_role("combobox", name="Level of detection 1"), "Alerted")
    # The SOC ticket's time, typed a day early: before red ran the test.
    time_1 = drawer.get_by_label("Time of detection 1")
    blue.tab_to(time_1)
    type_moment(bp, datetime.now() - timedelta(days=1))
    blue.tab_to(drawer.get_by_label("Rule reference of detection 1"))
    bp.keyboard.type("MDE-PS-ENC")
    press(blue, drawer.get_by_role("button", name="Add tool outcome"))
    expect(drawer.get_by_role("combobox", name="Tool of detection 2")).to_be_focused()
    pick(blue, drawer.get_by_role("combobox", name="Tool of detection 2"), "Zeek", search="Ze")
    pick(blue, drawer.get_by_role("combobox", name="Level of detection 2"), "Not detected")
    press(blue, drawer.get_by_role("button", name="Save detections"))
    # The API's detail is beside the field, and the field says it is invalid.
    expect(time_1).to_have_attribute("aria-invalid", "true")
    expect(time_1).to_have_accessible_description(re.compile("is before the execution"))
    blue.tab_to(time_1, back=True)
    type_moment(bp, datetime.now() + timedelta(minutes=1))
    press(blue, drawer.get_by_role("button", name="Save detections"))
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    expect(time_1).not_to_have_attribute("aria-invalid", "true")

    # 5. Red completes the test and asks for a retest.
    rp.clock.fast_forward("00:16")
    drawer = rp.get_by_test_id("test-drawer")
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    press(red, drawer.get_by_role("button", name="Complete"), back=True)
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Completed")
    press(red, drawer.get_by_role("button", name="Retest"))
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Pending")
    rp.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(rp.get_by_test_id("test-row")).to_have_count(6)

    # 6. The lead completes the mission, then reads its coverage.
    page.reload()
    pick(admin, page.get_by_role("combobox", name="Mission status"), "Completed")
    press(admin, page.get_by_role("main").get_by_role("link", name="Coverage", exact=True))
    expect(page.get_by_test_id("coverage-score")).to_have_text("75")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Alerted · 75")
    tools = page.get_by_role("table", name="Coverage per defense tool")
    expect(
        tools.get_by_test_id("tool-row-Defender for Endpoint").get_by_test_id("tool-score")
    ).to_have_text("75")
    expect(tools.get_by_test_id("tool-row-Zeek").get_by_test_id("tool-score")).to_have_text("0")
    with page.expect_download() as info:
        press(admin, page.get_by_role("button", name="Download Navigator layer"))
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "Q4 purple week"
    assert [(item["techniqueID"], item["score"]) for item in layer["techniques"]] == [
        ("T1059", 75),
        ("T1059.001", 75),
    ]
    # Compared with last quarter: PowerShell went from unseen to alerted. Enter on its cell of
    # the diff matrix takes the focus to its row of the table.
    press(admin, page.get_by_role("link", name="Compare two missions"), back=True)
    pick(admin, page.get_by_role("combobox", name="Before"), "Q3 purple week", search="Q3")
    pick(admin, page.get_by_role("combobox", name="After"), "Q4 purple week", search="Q4")
    row = page.get_by_test_id("compare-T1059.001")
    expect(row).to_have_text(re.compile(r"T1059\.001 PowerShell\s*0\s*75\s*Improved"))
    press(admin, page.get_by_role("button", name=re.compile("^Show 13 subtechniques of Command")))
    press(admin, page.get_by_test_id("subtechnique-T1059.001").get_by_role("button"))
    expect(row).to_be_focused()
    assert admin.focused().ring, "the compared row shows no focus"

    # 7. The report and the mission's layer, from the mission page (its Download menu by arrows).
    nav(admin, "Missions", back=True)
    press(admin, page.get_by_role("link", name="Q4 purple week"))
    admin.tab_to(page.get_by_role("button", name="Open report"))
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    report = opened.value
    expect(report.locator("body")).to_contain_text("Status: Completed")
    expect(report.locator("body")).to_contain_text(
        "Defender for Endpoint: Alerted, rule MDE-PS-ENC"
    )
    expect(report.locator("body")).to_contain_text("Encoded PowerShell (retest)")
    report.close()
    press(admin, page.get_by_role("button", name="Download", exact=True))
    expect(page.get_by_role("menuitem", name="Navigator layer (JSON)")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Tests as CSV")).to_be_focused()
    page.keyboard.press("ArrowUp")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "Q4-purple-week-layer.json"
    expect(page.get_by_role("button", name="Download", exact=True)).to_be_focused()

    # Every stop of the focus on the way showed itself and had a name a screen reader user
    # understands.
    for kb in (admin, red, blue):
        assert kb.problems() == []
        assert kb.unringed() == []
