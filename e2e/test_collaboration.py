"""Working together on a mission in the browser: notes, evidence, notifications, and the whole
team flow (invitations accepted in separate browsers, a mission built from a scenario, red
pasting a screenshot, blue notified, red notified back).

Every browser context is watched by the accessibility gate (axe-core, WCAG 2.1 AA).
"""

from __future__ import annotations

import json
import re
import struct
import urllib.request
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from conftest import skip_to_next_refresh
from playwright.sync_api import Page, expect
from test_invitations import invite, open_invitations
from test_missions import choose


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, violet) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x80\x40\xc0" * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


ELF = b"\x7fELF\x02\x01\x01" + bytes(300)


def paste_image(page: Page, target_test_id: str, content: bytes, name: str = "image.png"):
    """What the browser does on Ctrl+V with a screenshot in the clipboard: a paste event whose
    clipboardData holds an image file."""
    page.get_by_test_id(target_test_id).evaluate(
        """(zone, [bytes, name]) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
            const init = { clipboardData: data, bubbles: true, cancelable: true };
            zone.dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        [list(content), name],
    )


def drawer_of(page: Page):
    return page.get_by_test_id("test-drawer")


def open_test(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    expect(drawer_of(page)).to_be_visible()


@pytest.fixture
def mission(admin_api: ApiClient, live_server: str) -> dict:
    """A mission (lead: an operator) with a red and a blue member and one test."""
    users = {
        "lead": admin_api.create_user(display_name="Lena Lead", groups=("Operators",)),
        "red": admin_api.create_user(display_name="Rob Red", groups=("Operators",)),
        "blue": admin_api.create_user(display_name="Bea Blue", groups=("Analysts",)),
    }
    lead_api = ApiClient(live_server)
    lead_api.sign_in(users["lead"]["email"], USER_PASSWORD)
    created = lead_api.call("POST", "/missions", {"name": "Purple week", "status": "active"})
    lead_api.call(
        "PUT",
        f"/missions/{created['id']}/members",
        [{"user_id": user["id"], "role": role} for role, user in users.items()],
    )
    test = lead_api.call("POST", f"/missions/{created['id']}/tests", {"name": "Kerberoasting"})
    return {
        "id": created["id"],
        "test_id": test["id"],
        "emails": {role: user["email"] for role, user in users.items()},
        "lead_api": lead_api,
    }


def test_notes_on_the_mission_and_on_a_test(mission: dict, open_context):
    red = open_context(mission["emails"]["red"])
    red.goto(f"/missions/{mission['id']}")
    notes = red.get_by_test_id("mission-notes")
    notes.get_by_label("New note on the mission").fill(
        "Kick-off **at 9**. <img src=x onerror=window.pwned=1>"
    )
    notes.get_by_role("button", name="Add note").click()
    note = notes.get_by_test_id("note").first
    expect(note.locator("strong", has_text="at 9")).to_be_visible()
    expect(note).to_contain_text(mission["emails"]["red"])
    assert red.evaluate("window.pwned") is None  # raw HTML is not rendered

    open_test(red, "Kerberoasting")
    drawer = drawer_of(red)
    drawer.get_by_label("New note on this test").fill("Ran it from `WS-042`")
    drawer.get_by_role("button", name="Add note").click()
    expect(drawer.get_by_test_id("note")).to_have_count(1)
    expect(drawer.get_by_test_id("note").locator("code")).to_have_text("WS-042")
    check_a11y(red)

    # Red deletes their own. Deleting is for good, so it asks first; declining keeps the note.
    red.once("dialog", lambda dialog: dialog.dismiss())
    drawer.get_by_role("button", name=re.compile("^Delete note")).click()
    expect(drawer.get_by_test_id("note")).to_have_count(1)
    red.once("dialog", lambda dialog: dialog.accept())
    drawer.get_by_role("button", name=re.compile("^Delete note")).click()
    expect(drawer.get_by_test_id("note")).to_have_count(0)


def test_the_keyboard_stays_in_the_drawer_through_notes_and_evidence(
    mission: dict, open_context, tmp_path
):
    """Adding a note, deleting it and deleting an evidence file each take away the focused
    button; the focus stays in the drawer, where the keyboard can go on, not on the page."""
    red = open_context(mission["emails"]["red"])
    red.goto(f"/missions/{mission['id']}")
    open_test(red, "Kerberoasting")
    drawer = drawer_of(red)
    note_box = drawer.get_by_label("New note on this test")

    # Typed and sent by keyboard: the box is ready for the next note.
    note_box.fill("Ran it from WS-042")
    red.keyboard.press("Tab")
    expect(drawer.get_by_role("button", name="Add note")).to_be_focused()
    red.keyboard.press("Enter")
    expect(drawer.get_by_test_id("note")).to_have_count(1)
    expect(note_box).to_be_focused()

    # The note deleted, the focus is back on the box too.
    red.once("dialog", lambda dialog: dialog.accept())
    drawer.get_by_role("button", name=re.compile("^Delete note")).focus()
    red.keyboard.press("Enter")
    expect(drawer.get_by_test_id("note")).to_have_count(0)
    expect(note_box).to_be_focused()

    # An evidence file deleted: the focus is on its Undo, which brings it back.
    log = tmp_path / "siem.log"
    log.write_text("4625 failed logon\n")
    drawer.get_by_test_id("evidence-input").set_input_files(log)
    expect(drawer.get_by_test_id("evidence-file")).to_have_count(1)
    drawer.get_by_role("button", name="Delete siem.log").focus()
    red.keyboard.press("Enter")
    expect(drawer.get_by_test_id("evidence-file")).to_have_count(0)
    undo = drawer.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    red.keyboard.press("Enter")
    expect(drawer.get_by_test_id("evidence-file")).to_have_count(1)
    check_a11y(red)


def test_files_of_one_name_have_buttons_of_different_names(mission: dict, open_context, tmp_path):
    """Red and blue each upload a siem.log: each file's Download and Delete say whose it is."""
    log = tmp_path / "siem.log"
    log.write_text("4625 failed logon\n")
    for role in ("red", "blue"):
        page = open_context(mission["emails"][role])
        page.goto(f"/missions/{mission['id']}")
        open_test(page, "Kerberoasting")
        drawer_of(page).get_by_test_id("evidence-input").set_input_files(log)
        expect(drawer_of(page).get_by_test_id("evidence-file")).to_have_count(
            1 if role == "red" else 2
        )
    lead = open_context(mission["emails"]["lead"])
    lead.goto(f"/missions/{mission['id']}")
    open_test(lead, "Kerberoasting")
    drawer = drawer_of(lead)
    for role in ("red", "blue"):
        name = f"siem.log ({role}, {mission['emails'][role]})"
        expect(drawer.get_by_role("button", name=f"Download {name}", exact=True)).to_have_count(1)
        expect(drawer.get_by_role("button", name=f"Delete {name}", exact=True)).to_have_count(1)
    lead.get_by_role("button", name=f"Delete siem.log (blue, {mission['emails']['blue']})").click()
    expect(drawer.get_by_test_id("evidence-file")).to_have_count(1)
    expect(drawer.get_by_test_id("evidence-file")).to_contain_text(mission["emails"]["red"])


def test_the_lead_deletes_a_blue_members_notes_and_blue_not_the_leads(mission: dict, open_context):
    """A note with a pasted secret must go even if its author cannot act: the lead deletes any
    note, on the mission and on a test; other members only their own."""
    base = f"/missions/{mission['id']}"
    mission["lead_api"].call("POST", f"{base}/notes", {"content": "Kick-off at 9"})
    blue = open_context(mission["emails"]["blue"])
    blue.goto(base)
    notes = blue.get_by_test_id("mission-notes")
    notes.get_by_label("New note on the mission").fill("VPN password: hunter2")
    notes.get_by_role("button", name="Add note").click()
    own = notes.get_by_test_id("note").filter(has_text="hunter2")
    leads = notes.get_by_test_id("note").filter(has_text="Kick-off at 9")
    expect(own.get_by_role("button", name=re.compile("^Delete note"))).to_be_visible()
    expect(leads).to_be_visible()
    expect(leads.get_by_role("button", name=re.compile("^Delete note"))).to_have_count(0)
    open_test(blue, "Kerberoasting")
    drawer_of(blue).get_by_label("New note on this test").fill("Domain admin: s3cret")
    drawer_of(blue).get_by_role("button", name="Add note").click()
    expect(drawer_of(blue).get_by_test_id("note")).to_have_count(1)

    lead = open_context(mission["emails"]["lead"])
    lead.goto(base)
    lead_notes = lead.get_by_test_id("mission-notes")
    blues = lead_notes.get_by_test_id("note").filter(has_text="hunter2")
    # The same confirmation as for one's own note; declining keeps it.
    lead.once("dialog", lambda dialog: dialog.dismiss())
    blues.get_by_role("button", name=re.compile("^Delete note")).click()
    expect(blues).to_be_visible()
    lead.once("dialog", lambda dialog: dialog.accept())
    blues.get_by_role("button", name=re.compile("^Delete note")).click()
    expect(blues).to_have_count(0)
    expect(lead_notes.get_by_test_id("note")).to_have_text([re.compile("Kick-off at 9")])

    open_test(lead, "Kerberoasting")
    test_note = drawer_of(lead).get_by_test_id("note")
    expect(test_note).to_contain_text("s3cret")
    lead.once("dialog", lambda dialog: dialog.accept())
    test_note.get_by_role("button", name=re.compile("^Delete note")).click()
    expect(test_note).to_have_count(0)
    check_a11y(lead)


def test_an_open_mission_shows_the_notes_and_evidence_others_add(
    mission: dict, open_context, tmp_path
):
    """Red keeps the mission and the test open while blue writes notes and uploads a file:
    red's page shows them within the mission page's refresh, without a reload."""
    red = open_context(mission["emails"]["red"], clock=True)
    red.goto(f"/missions/{mission['id']}?test={mission['test_id']}")
    red_drawer = drawer_of(red)
    expect(red_drawer.get_by_text("No notes yet.")).to_be_visible()
    expect(red.get_by_test_id("mission-notes").get_by_text("No notes yet.")).to_be_attached()

    blue = open_context(mission["emails"]["blue"])
    blue.goto(f"/missions/{mission['id']}?test={mission['test_id']}")
    blue_drawer = drawer_of(blue)
    blue_drawer.get_by_label("New note on this test").fill("4769 events seen")
    blue_drawer.get_by_role("button", name="Add note").click()
    expect(blue_drawer.get_by_test_id("note")).to_have_count(1)
    log = tmp_path / "siem-export.log"
    log.write_text("4769 RC4 ticket request\n")
    blue_drawer.get_by_test_id("evidence-input").set_input_files(log)
    expect(blue_drawer.get_by_text("siem-export.log")).to_be_visible()
    blue.get_by_role("button", name="Close test").click()
    blue_notes = blue.get_by_test_id("mission-notes")
    blue_notes.get_by_label("New note on the mission").fill("Blue shift change at 14:00")
    blue_notes.get_by_role("button", name="Add note").click()
    expect(blue_notes.get_by_test_id("note")).to_have_count(1)

    skip_to_next_refresh(red)
    expect(red_drawer.get_by_test_id("note")).to_contain_text("4769 events seen")
    expect(red_drawer.get_by_text("siem-export.log")).to_be_visible()
    red.get_by_role("button", name="Close test").click()
    expect(red.get_by_test_id("mission-notes").get_by_test_id("note")).to_contain_text(
        "Blue shift change"
    )


def test_evidence_upload_refusal_preview_and_download(mission: dict, open_context, tmp_path):
    blue = open_context(mission["emails"]["blue"])
    blue.goto(f"/missions/{mission['id']}?test={mission['test_id']}")
    drawer = drawer_of(blue)
    expect(drawer.get_by_text("No evidence yet.")).to_be_visible()

    # A log file chosen with the file picker: uploaded as blue evidence.
    drawer.get_by_label("Caption (optional)").fill("SIEM export")
    drawer.get_by_test_id("evidence-input").set_input_files(
        files=[{"name": "siem.log", "mimeType": "text/plain", "buffer": b"4625 failed logon\n"}]
    )
    listed = drawer.get_by_test_id("evidence-file")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("siem.log")
    expect(listed).to_contain_text("blue")
    expect(listed).to_contain_text("SIEM export")
    expect(listed).to_contain_text("text/plain")
    # The caption went with that file: the field is ready for the next one.
    expect(drawer.get_by_label("Caption (optional)")).to_have_value("")

    # An executable renamed .png: refused, shown, nothing listed.
    drawer.get_by_test_id("evidence-input").set_input_files(
        files=[{"name": "shot.png", "mimeType": "image/png", "buffer": ELF}]
    )
    expect(drawer.get_by_role("alert", name="shot.png was not uploaded")).to_contain_text(
        "not accepted"
    )
    expect(listed).to_have_count(1)

    # A screenshot dropped on the zone: previewed.
    drop_zone = drawer.get_by_test_id("evidence-dropzone")
    drop_zone.evaluate(
        """(zone, bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "edr.png", { type: "image/png" }));
            const init = { dataTransfer: data, bubbles: true, cancelable: true };
            zone.dispatchEvent(new DragEvent("drop", init));
        }""",
        list(png()),
    )
    expect(listed).to_have_count(2)
    expect(drawer.get_by_test_id("evidence-preview")).to_be_visible()
    check_a11y(blue)

    with blue.expect_download() as download:
        drawer.get_by_role("button", name="Download siem.log").click()
    assert download.value.suggested_filename == "siem.log"
    saved = tmp_path / "siem.log"
    download.value.save_as(saved)
    assert saved.read_bytes() == b"4625 failed logon\n"

    # Deleted in one click, and back with Undo.
    drawer.get_by_role("button", name="Delete siem.log").click()
    expect(listed).to_have_count(1)
    undo = drawer.get_by_role("status").filter(has_text="Deleted siem.log.")
    check_a11y(blue)
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(listed).to_have_count(2)
    expect(listed.filter(has_text="siem.log")).to_contain_text("SIEM export")

    # Once the Undo is gone, the uploader finds it among their deleted files and restores it.
    drawer.get_by_role("button", name="Delete siem.log").click()
    undo.get_by_role("button", name="Dismiss").click()
    expect(listed).to_have_count(1)
    drawer.get_by_label("Show deleted evidence files").check()
    deleted = drawer.get_by_role("table", name="Deleted evidence files")
    expect(deleted.get_by_role("row")).to_have_count(2)  # the header and siem.log
    expect(deleted).to_contain_text(f"blue · 18 B · {mission['emails']['blue']}")
    check_a11y(blue)
    deleted.get_by_role("button", name="Restore siem.log").click()
    expect(listed).to_have_count(2)
    expect(drawer.get_by_text("No deleted evidence files.")).to_be_visible()


def test_concurrent_uploads_over_http(mission: dict, live_server: str):
    """Eight uploads at once to the live server: eight rows, each with its own bytes."""
    api = ApiClient(live_server)
    api.sign_in(mission["emails"]["red"], USER_PASSWORD)
    url = f"{live_server}/api/v1/missions/{mission['id']}/tests/{mission['test_id']}/evidence"
    payloads = [f"line {index}\n".encode() * (index + 1) * 5000 for index in range(8)]

    def upload(payload: bytes) -> dict:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.log"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + payload
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {api.token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
            return json.loads(response.read())

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(upload, payloads))

    listed = api.call(
        "GET", f"/missions/{mission['id']}/tests/{mission['test_id']}/evidence?limit=50"
    )
    assert listed["total"] == 8
    assert {item["id"] for item in listed["items"]} == {item["id"] for item in created}
    for item, payload in zip(created, payloads, strict=True):
        assert item["size"] == len(payload)
        download = urllib.request.Request(
            f"{live_server}/api/v1/missions/{mission['id']}/evidence/{item['id']}/download",
            headers={"Authorization": f"Bearer {api.token}"},
        )
        with urllib.request.urlopen(download) as response:
            assert response.read() == payload
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def accept(page: Page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Display name").fill(name)
    page.get_by_role("textbox", name="Password", exact=True).fill(USER_PASSWORD)
    page.get_by_label("Confirm password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_test_id("user-menu")).to_have_text(name)


def bell_count(page: Page):
    return page.get_by_role("button", name=re.compile(r"^Notifications: \d+ unread$"))


def test_the_whole_team_flow(admin_api: ApiClient, open_context):
    # The library holds a scenario of two tests; the workspace has an EDR.
    admin_api.call("POST", "/defense-tools", {"name": "EDR", "layer": "edr"})
    templates = [
        admin_api.call("POST", "/test-templates", {"name": name})["id"]
        for name in ("Encoded PowerShell", "Kerberoasting")
    ]
    admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Ransomware precursors", "test_template_ids": templates},
    )

    # The admin invites a red and a blue user; each accepts in their own browser.
    admin = open_context(ADMIN_EMAIL, ADMIN_PASSWORD)
    open_invitations(admin)
    red_link = invite(admin, "rob.red@e2e.violet.test", ["Operators"])
    blue_link = invite(admin, "bea.blue@e2e.violet.test", ["Analysts"])
    red = open_context(clock=True)
    accept(red, red_link, "Rob Red")
    blue = open_context(clock=True)
    accept(blue, blue_link, "Bea Blue")

    # The lead (the admin) builds the mission from the scenario and adds red and blue.
    admin.get_by_role("link", name="Missions", exact=True).click()
    admin.get_by_role("button", name="New mission").click()
    admin.get_by_label("Name").fill("Purple week")
    admin.get_by_role("button", name="Create mission").click()
    expect(admin.get_by_role("heading", name="Purple week", level=1)).to_be_visible()
    admin.get_by_role("button", name="Add tests").click()
    adding = admin.get_by_role("dialog", name="Add tests")
    adding.get_by_role("tab", name="Scenario").click()
    adding.get_by_role("combobox", name="Scenario").click()
    admin.get_by_role("option", name="Ransomware precursors").click()
    adding.get_by_role("button", name="Add scenario").click()
    expect(admin.get_by_test_id("test-row")).to_have_count(2)
    admin.get_by_role("button", name="Members").click()
    members = admin.get_by_role("dialog", name="Members")
    for name, email, role in (
        ("Rob", "rob.red@e2e.violet.test", "Red"),
        ("Bea", "bea.blue@e2e.violet.test", "Blue"),
    ):
        members.get_by_label("Add a person").fill(name)
        admin.get_by_role("option", name=re.compile(re.escape(email))).click()
        choose(admin, "Role", role)
        members.get_by_role("button", name="Add", exact=True).click()
        expect(members.get_by_test_id("members-table")).to_contain_text(email)
    members.get_by_role("button", name="Save members").click()
    expect(members).to_have_count(0)

    # Red was told about the mission; the bell opens it.
    skip_to_next_refresh(red)
    expect(bell_count(red)).to_have_accessible_name("Notifications: 1 unread")
    red.get_by_test_id("notification-bell").click()
    check_a11y(red)
    red.get_by_test_id("notification").filter(has_text="You joined Purple week as red").click()
    expect(red.get_by_role("heading", name="Purple week", level=1)).to_be_visible()
    expect(bell_count(red)).to_have_accessible_name("Notifications: 0 unread")

    # Red runs Kerberoasting, pastes a screenshot as evidence and hands over.
    open_test(red, "Kerberoasting")
    drawer = drawer_of(red)
    drawer.get_by_role("button", name="Start").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    drawer.get_by_test_id("evidence-dropzone").focus()
    paste_image(red, "evidence-dropzone", png())
    evidence = drawer.get_by_test_id("evidence-file")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text(re.compile(r"screenshot-.*\.png"))
    expect(evidence).to_contain_text("red")
    expect(drawer.get_by_test_id("evidence-preview")).to_be_visible()
    check_a11y(red)
    drawer.get_by_role("button", name="Hand to blue").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")

    # Blue's bell shows it without a reload; the notification opens the test.
    skip_to_next_refresh(blue)
    expect(bell_count(blue)).to_have_accessible_name("Notifications: 2 unread")
    blue.get_by_test_id("notification-bell").click()
    blue.get_by_test_id("notification").filter(has_text="Kerberoasting is waiting for blue").click()
    drawer = drawer_of(blue)
    expect(drawer).to_be_visible()
    expect(blue.get_by_role("heading", name="Kerberoasting")).to_be_visible()
    expect(drawer.get_by_test_id("evidence-file")).to_contain_text("red")
    drawer.get_by_label("New note on this test").fill("Seen by the EDR at 10:03")
    drawer.get_by_role("button", name="Add note").click()
    expect(drawer.get_by_test_id("note")).to_contain_text("Seen by the EDR at 10:03")
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "EDR")
    choose(blue, "Level of detection 1", "Alerted")
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    check_a11y(blue)

    # Red is told, and the note is there for them too.
    skip_to_next_refresh(red)
    expect(bell_count(red)).to_have_accessible_name("Notifications: 1 unread")
    red.keyboard.press("Escape")  # the drawer covers the header
    expect(drawer_of(red)).to_have_count(0)
    red.get_by_test_id("notification-bell").click()
    red.get_by_test_id("notification").filter(
        has_text="Blue recorded the detection of Kerberoasting"
    ).click()
    expect(drawer_of(red).get_by_test_id("note")).to_contain_text("Seen by the EDR at 10:03")
    expect(drawer_of(red).get_by_test_id("level-label").first).to_have_text("Alerted")
