"""CSV that opens cleanly in a spreadsheet: formulas neutralised, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io

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
