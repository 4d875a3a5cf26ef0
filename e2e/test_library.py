"""The test library in the browser: templates with MITRE tags, filters, Atomic import, scenarios."""

from __future__ import annotations

import json
import re
from pathlib import Path

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient
from live_server import REPO_ROOT
from playwright.sync_api import Page, expect

ATOMIC_FILE = REPO_ROOT / "backend" / "tests" / "library" / "fixtures" / "T1059.001.yaml"


def field(page: Page, label: str):
    """The input labelled `label` (a Mantine select's option list carries the label too)."""
    return page.locator("input").and_(page.get_by_label(label, exact=True))


def pick_option(page: Page, label: str, search: str, option: str) -> None:
    """Type into a labelled Mantine select and click the option that appears."""
    field(page, label).fill(search)
    page.get_by_role("option", name=option).click()


def make_templates(api: ApiClient, *names: str) -> list[dict]:
    return [api.call("POST", "/test-templates", {"name": name}) for name in names]


def test_build_a_template_with_two_mitre_tags_then_find_it_by_tactic(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="Test library").click()
    expect(page.get_by_test_id("no-templates")).to_contain_text("The library is empty")
    page.get_by_role("button", name="New template").click()

    dialog = page.get_by_role("dialog", name="New test template")
    dialog.get_by_label("Name").fill("Encoded PowerShell cradle")
    pick_option(page, "MITRE ATT&CK tags", "T1059.001", "T1059.001 PowerShell (sub-technique)")
    pick_option(page, "MITRE ATT&CK tags", "persist", "TA0003 Persistence (tactic)")
    # A search that finds nothing says so, as an option a screen reader reads out (as plain text
    # inside the listbox it was an axe critical: a listbox without options).
    field(page, "MITRE ATT&CK tags").fill("no such technique")
    expect(page.get_by_role("option", name="No tactic or technique matches.")).to_be_visible()
    check_a11y(page)
    field(page, "MITRE ATT&CK tags").fill("")
    dialog.get_by_label("Description", exact=True).fill("Runs **encoded** commands.")
    dialog.get_by_role("tab", name="Preview Description").click()
    expect(dialog.get_by_test_id("preview-Description").locator("strong")).to_have_text("encoded")
    dialog.get_by_role("button", name="Create template").click()

    expect(dialog).to_be_hidden()
    row = page.get_by_test_id("template-row").filter(has_text="Encoded PowerShell cradle")
    expect(row.get_by_label("T1059.001 PowerShell")).to_be_visible()
    expect(row.get_by_label("TA0003 Persistence")).to_be_visible()

    pick_option(page, "Tactic", "execution", "TA0002 Execution")
    expect(page).to_have_url(re.compile(r"tactic=TA0002"))
    expect(page.get_by_test_id("template-row")).to_have_count(1)
    expect(row).to_be_visible()

    page.reload()
    expect(field(page, "Tactic")).to_have_value("TA0002 Execution")
    expect(row).to_be_visible()
    field(page, "Tactic").fill("")
    pick_option(page, "Tactic", "defense", "TA0005 Defense Evasion")
    expect(page.get_by_test_id("no-templates")).to_have_text("No template matches.")


def test_import_an_atomic_file_and_see_the_report(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")

    page.get_by_role("button", name="Import").click()
    dialog = page.get_by_role("dialog", name="Import templates")
    dialog.get_by_label("Files", exact=True).set_input_files(ATOMIC_FILE)
    dialog.get_by_role("button", name="Import", exact=True).click()

    report = dialog.get_by_test_id("import-report")
    expect(report).to_contain_text("Import finished")
    expect(report.get_by_test_id("import-created")).to_have_text("4")
    expect(report.get_by_test_id("import-errors")).to_have_text("0")

    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(report.get_by_test_id("import-skipped")).to_have_text("4")
    expect(report.get_by_test_id("import-created")).to_have_text("0")
    dialog.get_by_role("button", name="Close", exact=True).click()

    expect(page.get_by_test_id("template-count")).to_have_text("4 templates")
    page.get_by_role("button", name="Run BloodHound from local disk", exact=True).click()
    details = page.get_by_test_id("template-details")
    expect(details).to_contain_text("SharpHound.ps1 must be located at")
    # The procedure lists the input arguments, with their descriptions: they are not repeated.
    expect(details.get_by_role("table")).to_have_count(1)
    expect(details.get_by_role("table")).to_contain_text("How long to wait for collection")
    expect(details.get_by_text("timeout_seconds", exact=True)).to_have_count(1)


def test_input_arguments_the_procedure_does_not_list_show_in_a_table_of_their_own(
    page: Page, admin_api: ApiClient, sign_in
):
    admin_api.call(
        "POST",
        "/test-templates",
        {
            "name": "Ping sweep",
            "procedure": "Run `sweep #{subnet}`.",
            "input_arguments": [{"name": "subnet", "type": "string", "default": "10.0.0.0/24"}],
        },
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")

    page.get_by_role("button", name="Ping sweep", exact=True).click()
    table = page.get_by_test_id("template-details").get_by_role("table", name="Input arguments")
    expect(table).to_contain_text("10.0.0.0/24")


def test_import_the_atomics_folder_of_a_clone(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in, tmp_path: Path
):
    """Every Txxxx.yaml of the folder is imported, one request each; other files are passed
    over; a file the API refuses and the tests it cannot tag are listed, by file."""
    admin_api.sync_mitre_file(bundle_file)
    atomics = tmp_path / "atomics"
    files = {
        "T1059.001/T1059.001.yaml": ATOMIC_FILE.read_text(),
        "T1059.001/T1059.001.md": "# The page ART renders from the YAML",
        "T1082/T1082.yaml": (ATOMIC_FILE.parent / "T1082.yaml").read_text(),  # not in the catalogue
        "T9999/T9999.yaml": "attack_technique: [T9999\n",  # broken YAML
        "Indexes/index.yaml": "---\n{}\n",
    }
    for name, text in files.items():
        (atomics / name).parent.mkdir(parents=True, exist_ok=True)
        (atomics / name).write_text(text)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")

    page.get_by_role("button", name="Import").click()
    dialog = page.get_by_role("dialog", name="Import templates")
    dialog.get_by_label("Or a folder").set_input_files(atomics)
    expect(dialog).to_contain_text("3 files chosen.")
    dialog.get_by_role("button", name="Import", exact=True).click()

    report = dialog.get_by_test_id("import-report")
    expect(report.get_by_test_id("import-created")).to_have_text("4")
    expect(report.get_by_test_id("import-errors")).to_have_text("5")
    expect(report).to_contain_text("T1082.yaml: atomic_tests.0")
    expect(report).to_contain_text("T9999.yaml: Invalid YAML")
    check_a11y(page)
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_test_id("template-count")).to_have_text("4 templates")


def test_a_deleted_atomic_is_not_imported_again_until_restored(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    """A team deletes a test it does not want: importing the file again for its updates leaves
    it deleted, and the report says how to get it back; restored, it is the file's again."""
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")
    dialog = page.get_by_role("dialog", name="Import templates")
    report = dialog.get_by_test_id("import-report")

    def import_the_file() -> None:
        page.get_by_role("button", name="Import").click()
        dialog.get_by_label("Files", exact=True).set_input_files(ATOMIC_FILE)
        dialog.get_by_role("button", name="Import", exact=True).click()
        expect(report).to_contain_text("Import finished")

    import_the_file()
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Delete Mimikatz").click()
    page.get_by_role("dialog", name="Delete template").get_by_role(
        "button", name="Delete template"
    ).click()
    expect(page.get_by_test_id("template-count")).to_have_text("3 templates")

    import_the_file()
    expect(report.get_by_test_id("import-created")).to_have_text("0")
    expect(report.get_by_test_id("import-skipped")).to_have_text("4")
    expect(report.get_by_test_id("import-warnings")).to_have_text("Warnings (1):")
    expect(report).to_contain_text(
        "atomic_tests.0 (Mimikatz): Deleted in this library: not imported again. "
        "Restore it (Test library, Show deleted) to update it."
    )
    check_a11y(page)
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("template-count")).to_have_text("3 templates")

    # As the report says.
    # A click, then the switch: it follows the URL one render later (`check()` saw no change).
    page.get_by_label("Show deleted").click()
    expect(page.get_by_label("Show deleted")).to_be_checked()
    page.get_by_role("button", name="Restore Mimikatz").click()
    restore = page.get_by_role("dialog", name="Restore template")
    restore.get_by_role("button", name="Restore template").click()
    expect(restore).to_be_hidden()
    page.get_by_label("Show deleted").click()
    expect(page.get_by_label("Show deleted")).not_to_be_checked()
    expect(page.get_by_test_id("template-count")).to_have_text("4 templates")
    import_the_file()
    expect(report.get_by_test_id("import-skipped")).to_have_text("4")
    expect(report.get_by_test_id("import-warnings")).to_have_count(0)


def test_a_scenario_of_three_tests_reordered_by_keyboard_keeps_its_order(
    page: Page, admin_api: ApiClient, sign_in
):
    make_templates(admin_api, "Alpha discovery", "Bravo staging", "Charlie exfiltration")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Scenarios"
    ).click()
    page.get_by_label("New scenario name").fill("Ransomware precursors")
    page.get_by_role("button", name="Create scenario").click()
    expect(page.get_by_role("heading", name="Ransomware precursors")).to_be_visible()

    for name in ("Alpha", "Bravo", "Charlie"):
        field(page, "Add a test").fill(name)
        page.get_by_role("option", name=re.compile(name)).click()
    tests = page.get_by_test_id("scenario-test")
    expect(tests).to_have_count(3)

    # Keyboard only: focus Charlie's "move up" and press Enter twice; focus follows the test.
    page.get_by_role("button", name="Move Charlie exfiltration (position 3) up").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("button", name="Move Charlie exfiltration (position 2) up")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("moved to position 1 of 3")
    unsaved = page.get_by_text("Unsaved changes: save them before leaving the page.")
    expect(unsaved).to_be_visible()
    page.get_by_role("button", name="Save tests and order").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(unsaved).to_be_hidden()

    page.reload()
    expect(tests).to_have_count(3)
    expect(tests.nth(0)).to_contain_text("Charlie exfiltration")
    expect(tests.nth(1)).to_contain_text("Alpha discovery")
    expect(tests.nth(2)).to_contain_text("Bravo staging")


def test_removing_saving_and_discarding_by_keyboard_keep_the_focus_on_the_scenario(
    page: Page, admin_api: ApiClient, sign_in
):
    """Remove, Save and Discard take their button away (gone with its row, or disabled): the
    focus goes to the next step instead of dropping to the page."""
    templates = make_templates(admin_api, "Alpha discovery", "Bravo staging", "Charlie exfil")
    scenario = admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Three steps", "test_template_ids": [item["id"] for item in templates]},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/scenarios/{scenario['id']}")

    # Removing Bravo: Charlie's Remove, now in its place, has the focus.
    page.get_by_role("button", name="Remove Bravo staging (position 2)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove Charlie exfil (position 2)")).to_be_focused()
    # The last one removed: the one before.
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove Alpha discovery (position 1)")).to_be_focused()
    # Discard: the list, as saved.
    page.get_by_role("button", name="Discard changes").focus()
    page.keyboard.press("Enter")
    tests = page.get_by_role("list", name="Tests in order")
    expect(tests).to_be_focused()
    expect(page.get_by_test_id("scenario-test")).to_have_count(3)
    # Every test removed: Save, the next step.
    for name in ("Alpha discovery", "Bravo staging", "Charlie exfil"):
        page.get_by_role("button", name=re.compile(f"Remove {name}")).focus()
        page.keyboard.press("Enter")
    save = page.get_by_role("button", name="Save tests and order")
    expect(save).to_be_focused()
    # Saved: the status saying so.
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_focused()
    expect(page.get_by_text("No test yet.")).to_be_visible()


def test_leaving_a_scenario_with_unsaved_changes_asks_first(
    page: Page, admin_api: ApiClient, sign_in
):
    alpha, bravo = make_templates(admin_api, "Alpha discovery", "Bravo staging")
    scenario = admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Two steps", "test_template_ids": [alpha["id"], bravo["id"]]},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/scenarios")
    page.get_by_role("link", name="Two steps").click()
    page.get_by_role("button", name="Remove Bravo staging (position 2)").click()
    unsaved = page.get_by_text("Unsaved changes: save them before leaving the page.")
    expect(unsaved).to_be_visible()

    # A link inside the app: a dialog asks; staying keeps the changes.
    page.get_by_role("link", name="All scenarios").click()
    dialog = page.get_by_role("dialog", name="Leave without saving?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Stay on this page")).to_be_focused()
    check_a11y(page)
    dialog.get_by_role("button", name="Stay on this page").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"/scenarios/{scenario['id']}$"))
    expect(unsaved).to_be_visible()
    # The browser's Back (to the list the page was opened from) too.
    page.go_back()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"/scenarios/{scenario['id']}$"))

    # Reloading or closing the tab: the browser's own question.
    dialogs: list[str] = []
    page.once("dialog", lambda question: (dialogs.append(question.type), question.dismiss()))
    page.close(run_before_unload=True)
    expect(unsaved).to_be_visible()
    assert dialogs == ["beforeunload"]

    # Leaving on purpose drops the changes.
    page.get_by_role("link", name="All scenarios").click()
    dialog.get_by_role("button", name="Leave without saving").click()
    expect(page).to_have_url(re.compile(r"/scenarios$"))
    page.goto(f"/scenarios/{scenario['id']}")
    expect(page.get_by_test_id("scenario-test")).to_have_count(2)

    # Once saved, nothing to ask.
    page.get_by_role("button", name="Remove Bravo staging (position 2)").click()
    page.get_by_role("button", name="Save tests and order").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("link", name="All scenarios").click()
    expect(page).to_have_url(re.compile(r"/scenarios$"))
    expect(dialog).to_have_count(0)

    # Deleting the scenario leaves it on purpose, unsaved changes and all: no second question.
    page.get_by_role("link", name="Two steps").click()
    page.get_by_role("button", name="Remove Alpha discovery (position 1)").click()
    expect(unsaved).to_be_visible()
    page.once("dialog", lambda question: question.accept())  # "Delete the scenario …?"
    page.get_by_role("button", name="Delete scenario").click()
    expect(page).to_have_url(re.compile(r"/scenarios$"))
    expect(dialog).to_have_count(0)


def test_a_deleted_template_has_an_undo_and_is_marked_in_its_scenario(
    page: Page, admin_api: ApiClient, sign_in
):
    alpha, bravo = make_templates(admin_api, "Alpha discovery", "Bravo staging")
    scenario = admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Two steps", "test_template_ids": [alpha["id"], bravo["id"]]},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")
    dialog = page.get_by_role("dialog", name="Delete template")
    undo = page.get_by_role("status").filter(has_text="Deleted the template Bravo staging.")

    # Deleted after a question, and back in one click with Undo.
    page.get_by_role("button", name="Delete Bravo staging").click()
    dialog.get_by_role("button", name="Delete template").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("template-row")).to_have_count(1)
    check_a11y(page)
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(page.get_by_test_id("template-row")).to_have_count(2)
    assert admin_api.call("GET", f"/test-templates/{bravo['id']}")["deleted_at"] is None

    page.get_by_role("button", name="Delete Bravo staging").click()
    dialog.get_by_role("button", name="Delete template").click()
    expect(page.get_by_test_id("template-row")).to_have_count(1)
    undo.get_by_role("button", name="Dismiss").click()
    expect(undo).to_be_hidden()

    page.goto(f"/scenarios/{scenario['id']}")
    bravo_row = page.get_by_test_id("scenario-test").filter(has_text="Bravo staging")
    expect(bravo_row.get_by_test_id("deleted-badge")).to_be_visible()
    alpha_row = page.get_by_test_id("scenario-test").filter(has_text="Alpha discovery")
    expect(alpha_row.get_by_test_id("deleted-badge")).to_have_count(0)


def test_template_dialogs_give_the_keyboard_focus_back(page: Page, admin_api: ApiClient, sign_in):
    """The template form unmounts as it closes, and a delete takes its row's button away: the
    focus goes back to what opened the form, or to Undo, not to the page."""
    make_templates(admin_api, "Alpha discovery", "Bravo staging")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")

    # Edit by keyboard, saved with Enter: back on that row's Edit, under its new name.
    page.get_by_role("button", name="Edit Alpha discovery").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Edit Alpha discovery")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.type(" v2")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Edit Alpha discovery v2")).to_be_focused()
    # Escape from New template: back on New template.
    page.get_by_role("button", name="New template").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="New test template")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="New test template")).to_be_hidden()
    expect(page.get_by_role("button", name="New template")).to_be_focused()

    # Delete: its row is gone, Undo has the focus.
    page.get_by_role("button", name="Delete Bravo staging").focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name="Delete template")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(confirm).to_be_hidden()
    undo = page.get_by_role("status").filter(has_text="Deleted the template Bravo staging.")
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()


def test_a_stale_save_says_changed_by_someone_else_and_reloads(
    page: Page, admin_api: ApiClient, sign_in
):
    alpha, bravo = make_templates(admin_api, "Alpha discovery", "Bravo staging")
    scenario = admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Contested", "test_template_ids": [alpha["id"], bravo["id"]]},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/scenarios/{scenario['id']}")
    expect(page.get_by_test_id("scenario-test")).to_have_count(2)

    admin_api.call(
        "PUT", f"/scenario-templates/{scenario['id']}/tests", {"test_template_ids": [bravo["id"]]}
    )
    page.get_by_role("button", name="Move Bravo staging (position 2) up").click()
    page.get_by_role("button", name="Save tests and order").click()

    alert = page.get_by_role("alert").filter(has_text="Changed by someone else")
    expect(alert).to_be_visible()
    alert.get_by_role("button", name="Reload").click()
    expect(page.get_by_test_id("scenario-test")).to_have_count(1)
    expect(page.get_by_test_id("scenario-test").first).to_contain_text("Bravo staging")


def test_a_scenario_is_renamed_and_described_and_a_stale_edit_overwrites_nothing(
    page: Page, admin_api: ApiClient, sign_in
):
    (alpha,) = make_templates(admin_api, "Alpha discovery")
    scenario = admin_api.call(
        "POST", "/scenario-templates", {"name": "Draft", "test_template_ids": [alpha["id"]]}
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/scenarios/{scenario['id']}")

    page.get_by_role("button", name="Edit scenario").click()
    dialog = page.get_by_role("dialog", name="Edit scenario")
    dialog.get_by_label("Name").fill("Discovery sweep")
    dialog.get_by_label("Description (Markdown)").fill("Runs **after** initial access.")
    check_a11y(page)
    dialog.get_by_role("button", name="Save scenario").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Discovery sweep", level=1)).to_be_visible()
    expect(page.locator("strong", has_text="after")).to_be_visible()
    expect(page.get_by_test_id("scenario-test")).to_have_count(1)

    # Renamed over the API while the dialog is open: the save is refused, nothing overwritten.
    page.get_by_role("button", name="Edit scenario").click()
    admin_api.call("PATCH", f"/scenario-templates/{scenario['id']}", {"name": "Theirs"})
    dialog.get_by_label("Name").fill("Mine")
    dialog.get_by_role("button", name="Save scenario").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Changed by someone else")
    assert admin_api.call("GET", f"/scenario-templates/{scenario['id']}")["name"] == "Theirs"
    dialog.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Edit scenario").click()
    expect(dialog.get_by_label("Name")).to_have_value("Theirs")


def test_a_deleted_scenario_comes_back_with_undo_or_later(
    page: Page, admin_api: ApiClient, sign_in
):
    alpha, beta = make_templates(admin_api, "Alpha discovery", "Beta discovery")
    scenario = admin_api.call(
        "POST",
        "/scenario-templates",
        {"name": "Weekly sweep", "test_template_ids": [beta["id"], alpha["id"]]},
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/scenarios/{scenario['id']}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete scenario").click()

    expect(page.get_by_role("heading", name="Scenarios", level=1)).to_be_visible()
    undo = page.get_by_role("status").filter(has_text="Deleted the scenario Weekly sweep.")
    expect(page.get_by_role("link", name="Weekly sweep")).to_have_count(0)
    # Delete went with the page: the keyboard focus is on Undo, not left on the page.
    expect(undo.get_by_role("button", name="Undo")).to_be_focused()
    undo.get_by_role("button", name="Undo").click()
    expect(undo).to_be_hidden()
    expect(page.get_by_role("link", name="Weekly sweep")).to_be_visible()

    admin_api.call("DELETE", f"/scenario-templates/{scenario['id']}")
    page.reload()
    expect(page.get_by_role("link", name="Weekly sweep")).to_have_count(0)
    page.get_by_label("Show deleted scenarios").check()
    check_a11y(page)
    page.get_by_role("table", name="Deleted scenarios").get_by_role(
        "button", name="Restore Weekly sweep"
    ).click()
    page.get_by_role("link", name="Weekly sweep").click()
    # Back with its tests in their order.
    expect(page.get_by_test_id("scenario-test")).to_have_count(2)
    expect(page.get_by_test_id("scenario-test").first).to_contain_text("Beta discovery")


def test_a_refused_reference_is_named_beside_itself_and_has_the_focus(
    page: Page, admin_api: ApiClient, sign_in
):
    """The API names a refused reference by its index among those sent (`references.1`): the
    message shows beside that reference, an empty row between not counted, and the keyboard
    goes to it; fixed in place, the template saves with its references in their order."""
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")
    page.get_by_role("button", name="New template").click()
    dialog = page.get_by_role("dialog", name="New test template")
    dialog.get_by_label("Name").fill("Kerberoasting")
    dialog.get_by_label("Reference 1", exact=True).fill(
        "https://attack.mitre.org/techniques/T1558/003/"
    )
    # Enter adds the next reference (it does not save); one left empty, one without a scheme.
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Reference 2", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("adsecurity.org/?p=2293")
    dialog.get_by_role("button", name="Create template").click()

    third = dialog.get_by_label("Reference 3", exact=True)
    expect(third).to_be_focused()
    expect(third).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_text("Not a valid URL.")).to_have_count(1)
    expect(dialog.get_by_label("Reference 1", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(dialog.get_by_role("alert")).to_contain_text("Fix the fields marked in red")
    expect(dialog.get_by_role("alert")).not_to_contain_text("references.1")
    page.mouse.move(0, 0)
    check_a11y(page)

    dialog.get_by_role("button", name="Remove reference 2").click()
    expect(dialog.get_by_label("Reference 2", exact=True)).to_be_focused()
    expect(dialog.get_by_label("Reference 2", exact=True)).to_have_value("adsecurity.org/?p=2293")
    dialog.get_by_label("Reference 2", exact=True).fill("https://adsecurity.org/?p=2293")
    dialog.get_by_role("button", name="Create template").click()
    expect(dialog).to_be_hidden()
    [saved] = admin_api.call("GET", "/test-templates?q=Kerberoasting")["items"]
    assert saved["references"] == [
        "https://attack.mitre.org/techniques/T1558/003/",
        "https://adsecurity.org/?p=2293",
    ]


def test_a_refused_mitre_tag_is_named_beside_the_picker_and_the_picker_has_the_focus(
    page: Page, admin_api: ApiClient, bundle_file: Path, sign_in
):
    """The picker offers only the catalogue's ids, so the browser cannot make the API refuse
    one: its answer is played here, in the API's shape (`mitre.1.external_id`, and `mitre`
    for an id the catalogue lost). Each message names its tag, beside the picker."""
    admin_api.sync_mitre_file(bundle_file)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/library")
    refused = {
        "type": "about:blank",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Invalid input: mitre.1.external_id.",
        "errors": {
            "mitre.1.external_id": ["Length must be between 1 and 32."],
            "mitre": ["Unknown sub-technique: T1059.001."],
        },
    }
    page.route(
        "**/api/v1/test-templates",
        lambda route: (
            route.fulfill(
                status=422, content_type="application/problem+json", body=json.dumps(refused)
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.get_by_role("button", name="New template").click()
    dialog = page.get_by_role("dialog", name="New test template")
    dialog.get_by_label("Name").fill("Encoded PowerShell cradle")
    pick_option(page, "MITRE ATT&CK tags", "T1059.001", "T1059.001 PowerShell (sub-technique)")
    pick_option(page, "MITRE ATT&CK tags", "persist", "TA0003 Persistence (tactic)")
    dialog.get_by_label("Reference 1", exact=True).fill("https://example.com/cradle")
    dialog.get_by_role("button", name="Create template").click()

    picker = field(page, "MITRE ATT&CK tags")
    expect(picker).to_be_focused()
    expect(dialog).to_contain_text("TA0003 Persistence: Length must be between 1 and 32.")
    expect(dialog).to_contain_text("Unknown sub-technique: T1059.001.")
    expect(dialog.get_by_label("Reference 1", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    page.mouse.move(0, 0)
    check_a11y(page)
