"""Coverage in the browser: the heatmap after blue records a detection, comparing two missions,
planning from a threat group or a layer file with a preview, and the mission's downloads.

Every page visited is checked with axe-core (WCAG 2.1 AA) by the gate in e2e/a11y.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from a11y import check_a11y
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient
from layout import words_split_across_lines
from playwright.sync_api import Page, expect
from stix import (
    ENTERPRISE_TACTICS,
    Tactic,
    Technique,
    ThreatGroup,
    wide_techniques,
    write_bundle,
)

APT = ThreatGroup("G0016", "APT29", ("Cozy Bear",), ("T1059.001", "T1547"))
# A small ICS matrix, with ATT&CK for ICS's ids.
ICS_TACTICS = (
    Tactic("TA0104", "Execution", "execution-ics"),
    Tactic("TA0110", "Persistence", "persistence-ics"),
)
ICS_TECHNIQUES = (
    Technique("T0807", "Command-Line Interface", ("execution-ics",)),
    Technique("T0886", "Remote Services", ("persistence-ics",)),
)


@pytest.fixture
def catalogue(admin_api: ApiClient, tmp_path: Path) -> None:
    """The e2e bundle with one threat group (APT29: T1059.001 and T1547)."""
    path = tmp_path / "bundle-with-groups.json"
    write_bundle(path, groups=(APT,))
    admin_api.sync_mitre_file(path)


@pytest.fixture
def ics_catalogue(admin_api: ApiClient, catalogue, tmp_path: Path) -> None:
    """The e2e bundle (Enterprise), and an ICS bundle beside it."""
    path = tmp_path / "ics-bundle.json"
    write_bundle(path, domain="ics-attack", tactics=ICS_TACTICS, techniques=ICS_TECHNIQUES)
    admin_api.sync_mitre_file(path)


def level_id(api: ApiClient, name: str) -> str:
    levels = api.call("GET", "/detection-levels")["items"]
    return next(level["id"] for level in levels if level["name"] == name)


def mission_with(api: ApiClient, name: str, outcomes: dict[str, str], **fields: str) -> str:
    """A mission (with `fields`, e.g. its dates) with one completed test per technique, at the
    given detection level."""
    mission = api.call("POST", "/missions", {"name": name, "status": "active", **fields})
    for technique, level in outcomes.items():
        kind = "subtechnique" if "." in technique else "technique"
        test = api.call(
            "POST",
            f"/missions/{mission['id']}/tests",
            {"name": f"{technique} test", "mitre": [{"kind": kind, "external_id": technique}]},
        )
        url = f"/missions/{mission['id']}/tests/{test['id']}"
        api.call("PATCH", url, {"state": "in_progress"})
        api.call("PATCH", url, {"state": "waiting_blue"})
        api.call("PATCH", url, {"state": "completed", "detection_level_id": level_id(api, level)})
    return mission["id"]


def test_the_heatmap_shows_a_level_blue_recorded(page: Page, admin_api, catalogue, sign_in):
    mission_id = mission_with(admin_api, "Purple week", {"T1059": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={mission_id}")

    cell = page.get_by_test_id("technique-T1059")
    expect(cell).to_contain_text("Alerted")
    expect(page.get_by_test_id("technique-T1204")).not_to_contain_text("Alerted")
    expect(page.get_by_test_id("legend")).to_contain_text("Alerted")
    cell.get_by_role("button", name="T1059").click()
    drawer = page.get_by_test_id("covering-tests")
    expect(drawer).to_contain_text("T1059 test")
    expect(drawer).to_contain_text("Alerted")

    # The home page's card, then across missions (none chosen: every mission).
    page.goto("/")
    expect(page.get_by_test_id("home-coverage-score")).to_have_text("75")
    expect(page.get_by_role("region", name="Coverage")).to_contain_text("over 1 technique tested")
    page.get_by_role("link", name="Open the coverage heatmap").click()
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Alerted")


def test_each_sub_technique_shows_its_own_outcome(page: Page, admin_api, catalogue, sign_in):
    """T1059.001 was alerted on, T1059.003 never tested: unfolded under T1059, each shows its
    own outcome, not T1059's colour."""
    mission_id = mission_with(admin_api, "Sub-techniques", {"T1059.001": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={mission_id}")
    technique = page.get_by_test_id("technique-T1059")
    expect(technique).to_contain_text("Alerted · 75")
    technique.get_by_role("button", name="Show 2 subtechniques").click()

    tested = page.get_by_test_id("subtechnique-T1059.001")
    untested = page.get_by_test_id("subtechnique-T1059.003")
    expect(tested).to_contain_text("Alerted · 75")
    expect(tested).to_have_attribute("data-heat", "Alerted · 75")
    expect(untested).not_to_have_attribute("data-heat", re.compile(".*"))
    expect(untested).not_to_contain_text("Alerted")
    alerted = technique.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert tested.evaluate("cell => getComputedStyle(cell).backgroundColor") == alerted
    assert untested.evaluate("cell => getComputedStyle(cell).backgroundColor") != alerted


def test_the_heatmap_draws_the_matrix_of_the_domain_tested(
    page: Page, admin_api, ics_catalogue, sign_in
):
    """An ICS mission's heatmap is ICS's matrix; a mission of two domains offers both, and the
    Navigator layer follows the one chosen. (It was always Enterprise's matrix.)"""
    plant = mission_with(admin_api, "Plant", {"T0807": "Alerted"})
    mixed = mission_with(
        admin_api, "Mixed", {"T1059": "Prevented", "T1547": "Logged", "T0886": "Alerted"}
    )
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={plant}")
    expect(page.get_by_test_id("technique-T0807")).to_contain_text("Alerted")
    expect(page.get_by_test_id("technique-T0886")).to_be_visible()
    # One domain: no choice to offer.
    expect(page.get_by_role("combobox", name="ATT&CK domain")).to_have_count(0)

    page.goto(f"/coverage?missions={mixed}")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Prevented")
    domain = page.get_by_role("combobox", name="ATT&CK domain")
    expect(domain).to_have_value("Enterprise")  # two techniques tested there, one in ICS
    domain.click()
    check_a11y(page)
    page.get_by_role("option", name="ICS").click()
    expect(page.get_by_test_id("technique-T0886")).to_contain_text("Alerted")
    expect(page.get_by_test_id("technique-T1059")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"domain=ics-attack"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Navigator layer").click()
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["domain"] == "ics-attack"
    assert [item["techniqueID"] for item in layer["techniques"]] == ["T0886"]


def test_with_nothing_tested_the_heatmap_draws_a_synced_domain(
    page: Page, admin_api, tmp_path: Path, sign_in
):
    """An instance that synced only ICS draws ICS's matrix before any test (it drew the
    Enterprise one, which it does not hold: an empty matrix), and not even for a moment while
    the catalogue's status is on its way (here slowed down)."""
    path = tmp_path / "ics-bundle.json"
    write_bundle(path, domain="ics-attack", tactics=ICS_TACTICS, techniques=ICS_TECHNIQUES)
    admin_api.sync_mitre_file(path)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    matrices: list[str] = []
    page.on(
        "request",
        lambda request: matrices.append(request.url) if "/matrix" in request.url else None,
    )

    def slow_status(route):
        time.sleep(1)
        route.continue_()

    page.route("**/api/v1/mitre/status", slow_status)
    page.goto("/coverage")

    expect(page.get_by_test_id("coverage-tested")).to_have_text("0")
    expect(page.get_by_test_id("technique-T0807")).to_be_visible()
    expect(page.get_by_test_id("technique-T0886")).to_be_visible()
    assert [url for url in matrices if "enterprise-attack" in url] == []


LONG_TOKEN = "Very" + "LongIdentifierWithoutSpaces" * 3
# Nothing to break it at: not CamelCase, no slash.
UNBREAKABLE_TOKEN = "verylongidentifierwithoutspaces" * 3


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_the_heatmap_wraps_names_between_words(
    page: Page, admin_api: ApiClient, sign_in, tmp_path: Path, viewport
):
    """The 14 enterprise tactics at a laptop's and a phone's width: tactic and technique names
    wrap at word boundaries, a long CamelCase token between its parts; only a token too long
    for any column with nothing to break it at breaks inside, in its cell."""
    bundle = tmp_path / "enterprise-attack-wide.json"
    oddity = Technique("T1999", LONG_TOKEN, ("persistence",))
    unbreakable = Technique("T1998", UNBREAKABLE_TOKEN, ("persistence",))
    write_bundle(
        bundle,
        tactics=ENTERPRISE_TACTICS,
        techniques=(*wide_techniques(4), oddity, unbreakable),
    )
    admin_api.sync_mitre_file(bundle)
    mission_id = mission_with(admin_api, "Wide week", {"T1200": "Alerted"})
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={mission_id}")

    heatmap = page.get_by_test_id("heat-matrix")
    expect(page.get_by_test_id("technique-T1200")).to_contain_text("Alerted")
    expect(page.get_by_role("heading", name="Persistence", exact=True)).to_be_visible()
    assert words_split_across_lines(heatmap) == [UNBREAKABLE_TOKEN]
    # The long tokens break rather than widen their column: between the CamelCase parts, and
    # as a last resort inside the unbreakable one, each within its cell.
    for technique in ("T1999", "T1998"):
        cell = page.get_by_test_id(f"technique-{technique}")
        assert cell.evaluate("el => el.scrollWidth <= el.clientWidth"), technique
        assert cell.bounding_box()["width"] <= 16 * 16, technique
    assert page.get_by_test_id("technique-T1999").bounding_box()["height"] > 40


def test_compare_shows_an_improved_technique(page: Page, admin_api, catalogue, sign_in):
    before = mission_with(admin_api, "Q1", {"T1059": "Not detected", "T1547": "Alerted"})
    after = mission_with(admin_api, "Q2", {"T1059": "Prevented", "T1547": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage/compare?from={before}&to={after}")

    expect(page.get_by_test_id("compare-T1059")).to_contain_text("Improved")
    expect(page.get_by_test_id("compare-T1547")).to_contain_text("Unchanged")
    expect(page.get_by_test_id("compare-summary")).to_contain_text("Improved: 1")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Improved")


def test_scores_over_time_link_each_mission_to_the_one_before(
    page: Page, admin_api, catalogue, sign_in
):
    """Across missions the page lists their scores in date order (end, else start date), with
    the change from the mission before, which opens their comparison."""
    summer = mission_with(admin_api, "Summer", {"T1059": "Prevented"}, end_date="2026-07-31")
    spring = mission_with(
        admin_api, "Spring", {"T1059": "Not detected", "T1547": "Alerted"}, end_date="2026-04-30"
    )
    autumn = mission_with(admin_api, "Autumn", {"T1547": "Logged"}, start_date="2026-10-01")
    admin_api.call("POST", "/missions", {"name": "Not started", "status": "planned"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto("/coverage")

    trend = page.get_by_test_id("score-trend")
    rows = trend.locator("tbody tr")
    expect(rows).to_have_count(3)  # the mission without a score is left out
    expect(rows.nth(0)).to_contain_text("Spring")
    expect(rows.nth(0)).to_contain_text("37.5")
    expect(rows.nth(1)).to_contain_text("Summer")
    expect(rows.nth(1)).to_contain_text("+62.5")
    expect(rows.nth(2)).to_contain_text("Autumn")
    expect(rows.nth(2)).to_contain_text("−60")
    expect(page.get_by_test_id("score-trend-line")).to_be_visible()

    # Choosing missions narrows the line to them; one mission alone has no line.
    page.goto(f"/coverage?missions={spring},{autumn}")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("+2.5")
    page.goto(f"/coverage?missions={summer}")
    expect(page.get_by_test_id("coverage-score")).to_have_text("100")
    expect(trend).to_have_count(0)

    page.goto("/coverage")
    trend.get_by_role("link", name="+62.5: compare Summer with the mission before").click()
    expect(page).to_have_url(re.compile(rf"/coverage/compare\?from={spring}&to={summer}$"))
    expect(page.get_by_test_id("compare-T1059")).to_contain_text("Improved")


def test_a_threat_group_s_coverage_counts_its_untested_techniques(
    page: Page, admin_api, catalogue, sign_in
):
    """APT29 uses T1059.001 and T1547; only T1547 was tested (Alerted, 75)."""
    mission_with(admin_api, "Persistence week", {"T1547": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/coverage")
    page.get_by_role("link", name="Threat group coverage").click()

    page.get_by_role("combobox", name="Threat group").fill("Cozy")
    page.get_by_role("option", name="G0016 APT29 (Cozy Bear)").click()

    expect(page.get_by_test_id("group-score")).to_have_text("37.5")  # (75 + 0) / 2
    expect(page.get_by_test_id("group-tested")).to_have_text("1 of 2")
    expect(page.get_by_test_id("group-tested-score")).to_have_text("75")
    expect(page.get_by_test_id("group-T1547")).to_contain_text("Alerted")
    expect(page.get_by_test_id("group-T1059.001")).to_contain_text("Not tested")
    expect(page.get_by_test_id("technique-T1547")).to_contain_text("Alerted")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("1 sub-technique used")
    expect(page).to_have_url(re.compile(r"/coverage/groups\?group=G0016$"))

    # The group's layer, downloaded by keyboard: its techniques, tested or not.
    download = page.get_by_role("button", name="Download Navigator layer")
    download.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "violet-G0016-layer.json"
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "APT29 (G0016) — Violet coverage"
    assert "Cozy Bear" in layer["description"] and "Persistence week" in layer["description"]
    entries = {item["techniqueID"]: item for item in layer["techniques"]}
    assert (entries["T1547"]["score"], entries["T1547"]["comment"]) == (75, "1 test: 1 Alerted")
    assert entries["T1059.001"]["comment"] == "Not tested" and "score" not in entries["T1059.001"]
    assert entries["T1059"] == {
        "techniqueID": "T1059",
        "tactic": "execution",
        "enabled": True,
        "showSubtechniques": True,
    }

    page.get_by_test_id("group-T1547").get_by_role("link", name="Persistence week").click()
    expect(page.get_by_test_id("test-drawer")).to_contain_text("Alerted")


def test_plan_from_a_group_previews_then_adds(page: Page, admin_api, catalogue, sign_in):
    mission = admin_api.call("POST", "/missions", {"name": "Plan me", "status": "planned"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{mission['id']}")

    page.get_by_role("button", name="Plan from ATT&CK").click()
    dialog = page.get_by_role("dialog", name="Plan tests from ATT&CK")
    dialog.get_by_role("combobox", name="Threat group").fill("Cozy")
    page.get_by_role("option", name="G0016 APT29 (Cozy Bear)").click()
    dialog.get_by_role("button", name="Preview").click()

    preview = dialog.get_by_test_id("plan-preview")
    expect(preview).to_contain_text("Would add 2 tests")
    expect(preview).to_contain_text("T1059.001")
    assert admin_api.call("GET", f"/missions/{mission['id']}/tests")["total"] == 0
    dialog.get_by_role("button", name="Add 2 tests").click()
    expect(dialog.get_by_test_id("plan-added")).to_contain_text("Added 2 tests")
    page.keyboard.press("Escape")
    expect(page.get_by_role("row", name="T1547 Boot or Logon Autostart Execution")).to_be_visible()
    assert admin_api.call("GET", f"/missions/{mission['id']}/tests")["total"] == 2


def test_plan_from_a_group_by_keyboard(page: Page, admin_api, catalogue, sign_in):
    """Preview and Add are disabled while they run: the focus goes on to Add once the preview
    is in, then back to Preview, never to the page behind the dialog."""
    mission = admin_api.call("POST", "/missions", {"name": "Plan me", "status": "planned"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{mission['id']}")
    page.get_by_role("button", name="Plan from ATT&CK").click()
    dialog = page.get_by_role("dialog", name="Plan tests from ATT&CK")
    dialog.get_by_role("combobox", name="Threat group").fill("Cozy")
    page.get_by_role("option", name="G0016 APT29 (Cozy Bear)").click()
    dialog.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")
    add = dialog.get_by_role("button", name="Add 2 tests")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog.get_by_test_id("plan-added")).to_contain_text("Added 2 tests")
    expect(dialog.get_by_role("button", name="Preview")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert admin_api.call("GET", f"/missions/{mission['id']}/tests")["total"] == 2


def test_plan_from_a_group_of_two_domains_asks_which(
    page: Page, admin_api, catalogue, sign_in, tmp_path: Path
):
    """APT29 also uses ICS's T0807 here: the plan may keep to one domain."""
    ics = tmp_path / "ics-with-apt29.json"
    apt29_ics = ThreatGroup("G0016", "APT29", ("Cozy Bear",), ("T0807",))
    write_bundle(
        ics,
        domain="ics-attack",
        tactics=ICS_TACTICS,
        techniques=ICS_TECHNIQUES,
        groups=(apt29_ics,),
    )
    admin_api.sync_mitre_file(ics)
    mission = admin_api.call("POST", "/missions", {"name": "Plant", "status": "planned"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{mission['id']}")

    page.get_by_role("button", name="Plan from ATT&CK").click()
    dialog = page.get_by_role("dialog", name="Plan tests from ATT&CK")
    dialog.get_by_role("combobox", name="Threat group").fill("Cozy")
    page.get_by_role("option", name="G0016 APT29 (Cozy Bear)").click()
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.get_by_test_id("plan-preview")).to_contain_text("Would add 3 tests")

    dialog.get_by_role("combobox", name="ATT&CK domain").click()
    page.get_by_role("option", name="ICS").click()
    dialog.get_by_role("button", name="Preview").click()
    preview = dialog.get_by_test_id("plan-preview")
    expect(preview).to_contain_text("Would add 1 tests")
    expect(preview).to_contain_text("T1547: A technique of enterprise-attack, not of ics-attack.")
    check_a11y(page)
    dialog.get_by_role("button", name="Add 1 tests").click()
    expect(dialog.get_by_test_id("plan-added")).to_contain_text("Added 1 tests")
    tests = admin_api.call("GET", f"/missions/{mission['id']}/tests")["items"]
    assert [test["name"] for test in tests] == ["T0807 Command-Line Interface"]


def preview_layer_file(page: Page, mission_id: str, name: str, content: object):
    """Open the mission's Plan from ATT&CK dialog, choose a layer file `name` holding `content`
    (as JSON) and preview; returns the dialog."""
    page.goto(f"/missions/{mission_id}")
    page.get_by_role("button", name="Plan from ATT&CK").click()
    dialog = page.get_by_role("dialog", name="Plan tests from ATT&CK")
    dialog.get_by_text("Navigator layer file").click()
    upload = {"name": name, "mimeType": "application/json", "buffer": json.dumps(content).encode()}
    dialog.locator('input[type="file"]').set_input_files(files=[upload])
    dialog.get_by_role("button", name="Preview").click()
    return dialog


def test_plan_from_a_navigator_layer_file(page: Page, admin_api, catalogue, sign_in):
    """A layer's enabled techniques are planned, scored or not; a disabled one is not, and one
    the catalogue does not know is listed as skipped. A lowest score narrows the plan."""
    mission = admin_api.call("POST", "/missions", {"name": "Layer plan", "status": "planned"})
    layer = {
        "name": "Red team wish list",
        "versions": {"layer": "4.5", "navigator": "5.1.0", "attack": "18"},
        "domain": "enterprise-attack",
        "techniques": [
            {"techniqueID": "T1547", "tactic": "persistence", "score": 3, "enabled": True},
            {"techniqueID": "T1059.001", "color": "#ff6666"},
            {"techniqueID": "T1053"},
            {"techniqueID": "T1204", "score": 5, "enabled": False},
            {"techniqueID": "T9999", "score": 1},
        ],
    }
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    dialog = preview_layer_file(page, mission["id"], "wish-list.json", layer)

    preview = dialog.get_by_test_id("plan-preview")
    expect(preview.get_by_role("status")).to_contain_text("Would add 3 tests")
    planned = preview.get_by_role("table")
    for attack_id in ("T1547", "T1059.001", "T1053"):
        expect(planned).to_contain_text(attack_id)
    expect(planned).not_to_contain_text("T1204")
    expect(preview).to_contain_text("T9999")

    # A lowest score keeps the entries scored at least that: not the coloured one, not T9999.
    dialog.get_by_label("Lowest score").fill("3")
    dialog.get_by_role("button", name="Preview").click()
    expect(preview.get_by_role("status")).to_contain_text("Would add 1 tests")
    expect(planned).not_to_contain_text("T1059.001")
    expect(preview).not_to_contain_text("T9999")
    check_a11y(page)  # the dialog: file, score inputs, the preview's table
    dialog.get_by_label("Lowest score").fill("")
    dialog.get_by_role("button", name="Preview").click()
    expect(preview.get_by_role("status")).to_contain_text("Would add 3 tests")
    dialog.get_by_role("button", name="Add 3 tests").click()
    expect(dialog.get_by_test_id("plan-added")).to_contain_text("Added 3 tests")
    assert admin_api.call("GET", f"/missions/{mission['id']}/tests")["total"] == 3


def test_a_file_of_several_layers_is_planned_together(page: Page, admin_api, catalogue, sign_in):
    """The Navigator opens a JSON list of layers as several layers: planning takes them all."""
    mission = admin_api.call("POST", "/missions", {"name": "Two layers", "status": "planned"})
    versions = {"layer": "4.5", "navigator": "5.1.0", "attack": "18"}
    layers = [
        {"name": name, "versions": versions, "domain": "enterprise-attack", "techniques": [entry]}
        for name, entry in (
            ("Actor A", {"techniqueID": "T1547", "score": 1}),
            ("Actor B", {"techniqueID": "T1059.001", "score": 1}),
        )
    ]
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    dialog = preview_layer_file(page, mission["id"], "actors.json", layers)

    preview = dialog.get_by_test_id("plan-preview")
    expect(preview.get_by_role("status")).to_contain_text("Would add 2 tests")
    expect(preview.get_by_role("table")).to_contain_text("T1547")
    expect(preview.get_by_role("table")).to_contain_text("T1059.001")


def test_the_mission_downloads_are_files(page: Page, admin_api, catalogue, sign_in):
    mission_id = mission_with(admin_api, "Purple week", {"T1059": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/missions/{mission_id}")

    def download(item: str) -> tuple[str, bytes]:
        page.get_by_role("button", name="Download").click()
        with page.expect_download() as info:
            page.get_by_role("menuitem", name=item).click()
        return info.value.suggested_filename, Path(info.value.path()).read_bytes()

    name, layer = download("Navigator layer (JSON)")
    assert name == "Purple-week-layer.json"
    assert json.loads(layer)["versions"]["layer"] == "4.5"
    name, tests_csv = download("Tests as CSV")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(tests_csv.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["T1059 test"]
    name, tests_json = download("Tests as JSON")
    assert json.loads(tests_json)["tests"][0]["detection_level"] == "Alerted"
    name, report = download("Printable report (HTML)")
    assert b"Purple week" in report
    # Named after the mission like the other files (the API serves it inline, unnamed).
    assert name == "Purple-week-report.html"
    # Or opened in a tab of its own, ready to print (the token cannot ride on a plain link).
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open report").click()
    tab = opened.value
    expect(tab.get_by_role("heading", name="Purple week", level=1)).to_be_visible()
    assert tab.url.startswith("blob:")
    tab.close()
    name, archive = download("Mission archive (ZIP)")
    assert name == "Purple-week-mission.zip"
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert json.loads(zipped.read("mission.json"))["tests"][0]["name"] == "T1059 test"

    # The archive goes back in as a new mission.
    page.goto("/missions")
    page.get_by_role("button", name="Import archive").click()
    dialog = page.get_by_role("dialog", name="Import a mission archive")
    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Mission archive").click()
    chooser.value.set_files({"name": name, "mimeType": "application/zip", "buffer": archive})
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_role("status")).to_contain_text("Imported 1 tests")
    missions = admin_api.call("GET", "/missions")["items"]
    assert sorted(mission["name"] for mission in missions) == ["Purple week", "Purple week"]


def test_the_mission_s_coverage_per_defense_tool(
    page: Page, admin_api, catalogue, sign_in, open_context
):
    """Each tool's figures beside the mission's, and the heatmap of one tool. Worked by hand:
    Falcon (EDR): T1059 Prevented 100, T1547 Not detected 0 → 50, 2 tests.
    Sentinel (SIEM): T1059 Logged 40, T1547 Alerted 75, T1204 Not applicable → 57.5, 3 tests
    (2 scored). Old NDR (deleted since): T1547 Logged 40 → 40, 1 test.
    The mission (each test at its best tool's level): 100, 75, unscored → 87.5."""
    tools = {
        name: admin_api.call("POST", "/defense-tools", {"name": name, "layer": layer})["id"]
        for name, layer in (("Falcon", "edr"), ("Sentinel", "siem"), ("Old NDR", "ndr"))
    }
    mission = admin_api.call("POST", "/missions", {"name": "Tool week", "status": "active"})
    outcomes = {
        "T1059": {"Falcon": "Prevented", "Sentinel": "Logged"},
        "T1547": {"Falcon": "Not detected", "Sentinel": "Alerted", "Old NDR": "Logged"},
        "T1204": {"Sentinel": "Not applicable"},
    }
    for technique, by_tool in outcomes.items():
        tag = {"kind": "technique", "external_id": technique}
        body = {"name": f"{technique} test", "mitre": [tag]}
        test = admin_api.call("POST", f"/missions/{mission['id']}/tests", body)
        url = f"/missions/{mission['id']}/tests/{test['id']}"
        admin_api.call("PATCH", url, {"state": "in_progress"})
        admin_api.call("PATCH", url, {"state": "waiting_blue"})
        admin_api.call(
            "PUT",
            f"{url}/detections",
            [
                {"tool_id": tools[tool], "detection_level_id": level_id(admin_api, level)}
                for tool, level in by_tool.items()
            ],
        )
        admin_api.call("PATCH", url, {"state": "completed"})
    admin_api.call("DELETE", f"/defense-tools/{tools['Old NDR']}")
    empty = mission_with(admin_api, "No tools", {"T1059": "Alerted"})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={mission['id']}")
    expect(page.get_by_test_id("coverage-score")).to_have_text("87.5")
    table = page.get_by_role("table", name="Coverage per defense tool")
    expected = {
        "Falcon": ("EDR", "50", "2", "1 Prevented1 Not detected"),
        "Sentinel": ("SIEM", "57.5", "3 (2 scored)", "1 Alerted1 Logged1 Not applicable"),
        "Old NDR (deleted)": ("NDR", "40", "1", "1 Logged"),
    }
    for name, (layer, score, tests, by_level) in expected.items():
        row = table.get_by_test_id(f"tool-row-{name}")
        expect(row.get_by_role("cell").nth(1)).to_have_text(layer)
        expect(row.get_by_test_id("tool-score")).to_have_text(score)
        expect(row.get_by_test_id("tool-tests")).to_have_text(tests)
        expect(row.get_by_test_id("tool-outcomes")).to_have_text(by_level)
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Prevented · 100")
    expect(page.get_by_test_id("technique-T1547")).to_contain_text("Alerted · 75")

    # One tool's heatmap: its own outcomes recolour the matrix, by keyboard too.
    tool = page.get_by_role("combobox", name="Tool", exact=True)
    expect(tool).to_have_value("All tools")
    tool.click()
    check_a11y(page)
    page.get_by_role("option", name="Falcon (EDR)").click()
    expect(page.get_by_test_id("coverage-score")).to_have_text("50")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Prevented · 100")
    expect(page.get_by_test_id("technique-T1547")).to_contain_text("Not detected · 0")
    expect(page.get_by_test_id("technique-T1204")).not_to_contain_text("Not scored")
    # The tools come by name: All tools, Falcon, Old NDR, Sentinel.
    tool.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(tool).to_have_value("Sentinel (SIEM)")
    expect(page.get_by_test_id("coverage-score")).to_have_text("57.5")
    expect(page.get_by_test_id("technique-T1059")).to_contain_text("Logged · 40")
    expect(page.get_by_test_id("technique-T1547")).to_contain_text("Alerted · 75")
    expect(page.get_by_test_id("technique-T1204")).to_contain_text("Not scored")
    check_a11y(page)
    expect(page).to_have_url(re.compile(r"tool="))
    # The layer downloaded is the heatmap shown: Sentinel's own scores.
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Navigator layer").click()
    assert info.value.suggested_filename == "Tool-week-Sentinel-layer.json"
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "Tool week — Sentinel"
    assert {item["techniqueID"]: item.get("score") for item in layer["techniques"]} == {
        "T1059": 40,
        "T1547": 75,
        "T1204": None,
    }
    page.get_by_test_id("technique-T1547").get_by_role("button", name="T1547").click()
    drawer = page.get_by_role("dialog", name="Coverage of T1547 by Sentinel")
    expect(drawer.get_by_test_id("covering-tests")).to_contain_text("Alerted (75)")
    expect(drawer).to_contain_text("Tests (level over all tools)")
    page.keyboard.press("Escape")

    # A viewer of the mission reads the same figures and may choose a tool.
    viewer = admin_api.create_user(display_name="Vic Viewer", groups=("Analysts",))
    members_url = f"/missions/{mission['id']}/members"
    members = [
        {"user_id": member["user_id"], "role": member["role"]}
        for member in admin_api.call("GET", members_url)
    ]
    admin_api.call("PUT", members_url, [*members, {"user_id": viewer["id"], "role": "viewer"}])
    reader = open_context(viewer["email"])
    reader.goto(f"/coverage?missions={mission['id']}&tool={tools['Old NDR']}")
    expect(reader.get_by_role("combobox", name="Tool", exact=True)).to_have_value(
        "Old NDR (NDR, deleted)"
    )
    expect(reader.get_by_test_id("coverage-score")).to_have_text("40")
    expect(reader.get_by_test_id("technique-T1547")).to_contain_text("Logged · 40")
    with reader.expect_download() as info:
        reader.get_by_role("button", name="Download Navigator layer").click()
    layer = json.loads(Path(info.value.path()).read_bytes())
    assert layer["name"] == "Tool week — Old NDR (deleted)"
    assert [(item["techniqueID"], item["score"]) for item in layer["techniques"]] == [("T1547", 40)]
    expect(reader.get_by_test_id("tool-row-Falcon").get_by_test_id("tool-score")).to_have_text("50")

    # A mission with no per-tool outcome says so, and what to do.
    page.goto(f"/coverage?missions={empty}")
    expect(page.get_by_test_id("tool-coverage-empty")).to_contain_text(
        "No defense tool has an outcome in this mission yet"
    )
    expect(page.get_by_role("combobox", name="Tool", exact=True)).to_have_count(0)


def test_the_real_enterprise_heatmap_fits_a_1440_px_window(
    page: Page, admin_api: ApiClient, sign_in, real_bundle_file: Path
):
    """The coverage heatmap shares the matrix's compact layout: at 1440 × 900 the 14 tactics
    of ATT&CK v18.1 fit without scrolling sideways, a level's label in its cell included, in
    the narrowest columns (Exfiltration, Impact) too."""
    admin_api.sync_mitre_file(real_bundle_file)
    mission_id = mission_with(
        admin_api,
        "Purple week",
        {"T1048": "Not detected", "T1531": "Prevented", "T1548.002": "Alerted"},
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.goto(f"/coverage?missions={mission_id}")

    heatmap = page.get_by_test_id("heat-matrix")
    expect(page.get_by_test_id("technique-T1048")).to_contain_text("Not detected")
    expect(page.get_by_test_id("technique-T1531")).to_contain_text("Prevented")
    page.get_by_test_id("technique-T1548").first.get_by_role(
        "button", name=re.compile("^Show 6 subtechniques")
    ).click()
    expect(page.get_by_test_id("subtechnique-T1548.002")).to_contain_text("Alerted")
    assert heatmap.evaluate("el => el.scrollWidth <= el.clientWidth"), heatmap.evaluate(
        "el => [el.scrollWidth, el.clientWidth]"
    )
    assert words_split_across_lines(heatmap) == []
    page.mouse.move(0, 0)
    check_a11y(page)
