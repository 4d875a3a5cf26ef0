"""CSV that opens cleanly in a spreadsheet: formulas neutralised, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest

from violet.coverage.exports import csv_document, neutralised


def read(document: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(document.decode("utf-8-sig"))))


def test_a_formula_in_a_test_name_is_written_as_text():
    document = csv_document(["name", "result"], [["=cmd|' /C calc'!A0", "ok"]])

    assert read(document) == [["name", "result"], ["'=cmd|' /C calc'!A0", "ok"]]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert neutralised(f"{start}SUM(A1:A2)") == f"'{start}SUM(A1:A2)"


@pytest.mark.parametrize("value", ["plain", "a=b", "", 42, -3, 1.5, True])
def test_other_values_are_left_alone(value):
    assert neutralised(value) == value


def test_the_file_starts_with_a_bom_and_keeps_accents_and_newlines():
    document = csv_document(["note"], [["Détecté\npar l'EDR"], [None]])

    assert document.startswith(b"\xef\xbb\xbf")
    assert read(document) == [["note"], ["Détecté\npar l'EDR"], [""]]


@pytest.mark.parametrize(
    ("name", "plain", "utf8"),
    [
        ("Übung Q3", "Ubung-Q3-tests.csv", "%C3%9Cbung-Q3-tests.csv"),
        ("演習", "mission-tests.csv", "%E6%BC%94%E7%BF%92-tests.csv"),
        ('"Red"; /etc/x\r\n', "Red-etc-x-tests.csv", "Red-etc-x-tests.csv"),
    ],
)
def test_a_download_keeps_the_letters_of_the_missions_name(
    client, team, make_mission, name, plain, utf8
):
    mission = make_mission(name)

    response = client.get(
        f"/api/v1/missions/{mission['id']}/export?format=csv", headers=team.viewer
    )

    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{utf8}"
    )


def saved_as(response) -> tuple[str, str]:
    """The plain `filename` and the decoded RFC 6266 `filename*` of a download."""
    disposition = response.headers["Content-Disposition"]
    plain = re.search(r'filename="([^"]+)"', disposition).group(1)
    utf8 = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    return plain, utf8


@pytest.mark.parametrize(
    ("name", "plain_stem", "utf8_stem"),
    [
        # 130 characters: the mission's part is cut, whatever follows it is kept.
        ("Exercice " + "é" * 121, "Exercice-" + "e" * 71, "Exercice-" + "é" * 71),
        ("演習" * 60, "mission", "演習" * 40),
    ],
)
def test_a_long_missions_downloads_keep_the_tools_name_and_the_suffix(
    client, team, make_mission, tools, admin_header, name, plain_stem, utf8_stem
):
    mission = make_mission(name)
    accented = client.post(
        "/api/v1/defense-tools",
        json={"name": "Sécurité Σ", "vendor": "Acme", "layer": "edr"},
        headers=admin_header,
    )
    assert accented.status_code == 201, accented.json
    url = f"/api/v1/missions/{mission['id']}"
    expected = {
        tools["EDR"]: ("EDR", "EDR"),
        tools["NDR"]: ("NDR", "NDR"),
        accented.json["id"]: ("Securite", "Sécurité-Σ"),
    }

    for tool_id, (plain_tool, utf8_tool) in expected.items():
        response = client.get(f"{url}/navigator-layer?tool={tool_id}", headers=team.viewer)
        assert response.status_code == 200, response.json
        assert saved_as(response) == (
            f"{plain_stem}-{plain_tool}-layer.json",
            f"{utf8_stem}-{utf8_tool}-layer.json",
        )
    downloads = {
        "navigator-layer": "-layer.json",
        "export?format=csv": "-tests.csv",
        "export?format=json": "-tests.json",
        "export?format=zip": "-mission.zip",
    }
    for path, suffix in downloads.items():
        response = client.get(f"{url}/{path}", headers=team.lead)
        assert response.status_code == 200, path
        assert saved_as(response) == (plain_stem + suffix, utf8_stem + suffix)
