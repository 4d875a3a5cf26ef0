"""The home page's cards show what the API says, and the SPA is served with history fallback."""

import urllib.error
import urllib.request

import pytest
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, ApiClient
from playwright.sync_api import Page, expect


def test_home_cards_show_the_database_and_mitre_status(page: Page, admin_api: ApiClient, sign_in):
    database = admin_api.call("GET", "/diag/db")

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    expect(page.get_by_test_id("db-reachable")).to_have_text("Reachable")
    expect(page.get_by_test_id("db-revision")).to_have_text(database["alembic_revision"])
    expect(page.get_by_test_id("db-table-count")).to_have_text(str(database["table_count"]))
    expect(page.get_by_test_id("mitre-badge")).to_have_text("No ATT&CK data")
    expect(page.get_by_role("region", name="My missions")).to_contain_text("No active missions")
    expect(page.get_by_role("region", name="Coverage")).to_contain_text("No technique tested yet")


def test_the_database_card_needs_diag_read(page: Page, admin_api: ApiClient, sign_in):
    analyst = admin_api.create_user(groups=("Analysts",))

    sign_in(page, analyst["email"], USER_PASSWORD)

    expect(page.get_by_role("region", name="MITRE ATT&CK")).to_be_visible()
    expect(page.get_by_role("region", name="Database")).to_have_count(0)


@pytest.mark.parametrize("path", ["/accept-invitation?token=x", "/matrix", "/admin/mitre"])
def test_client_routes_fall_back_to_the_spa(live_server: str, path: str):
    with urllib.request.urlopen(f"{live_server}{path}", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert '<div id="root">' in response.read().decode()


def test_unknown_api_paths_stay_json(live_server: str):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{live_server}/api/v1/no-such-thing", timeout=10)
    assert missing.value.code == 404
    assert missing.value.headers["Content-Type"] == "application/problem+json"
