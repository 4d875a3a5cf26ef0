"""ATT&CK Navigator layers: what we write is a valid 4.5 layer, and the checker finds what is
wrong with a layer (the format: attack-navigator `layers/spec/v4.5/layerformat.md`)."""

from __future__ import annotations

import copy
import json

import pytest

from violet.coverage.navigator import (
    UNSCORED_COLOR,
    LayerTechnique,
    Level,
    build_layer,
    layer_problems,
    level_color,
    planned_techniques,
)

LEVELS = [
    Level("Prevented", 100, "#1a7f37"),
    Level("Alerted", 75, "#4c9a2a"),
    Level("Logged", 40, "#d4a017"),
    Level("Not detected", 0, "#cf222e"),
    Level("Not applicable", None, "#8c959f"),
]
SHORTNAMES = {"execution", "initial-access", "persistence"}


@pytest.fixture
def layer():
    return build_layer(
        name="Mission Alpha",
        description="Coverage of Mission Alpha",
        domain="enterprise-attack",
        attack_version="18.1",
        techniques=[
            LayerTechnique(
                "T1059", "execution", 83.3, 4, {"Alerted": 2, "Prevented": 1}, True, True
            ),
            LayerTechnique("T1059.001", "execution", 83.3, 3, {"Alerted": 2, "Prevented": 1}),
            LayerTechnique("T1078", "initial-access", 40.0, 1, {"Logged": 1}, True),
            LayerTechnique("T1078", "persistence", 40.0, 1, {"Logged": 1}, True),
            # As if it had no sub-techniques (as T1047 has none).
            LayerTechnique("T1566", "initial-access", None, 1, {"Not applicable": 1}),
        ],
        levels=LEVELS,
    )


def test_the_built_layer_is_a_valid_4_5_layer(layer):
    # Through JSON, as the Navigator reads it.
    assert layer_problems(json.loads(json.dumps(layer)), tactic_shortnames=SHORTNAMES) == []
    assert layer["versions"] == {"layer": "4.5", "navigator": "5.2.0", "attack": "18.1"}
    assert layer["domain"] == "enterprise-attack"


def test_technique_entries_carry_score_colour_comment_and_metadata(layer):
    first, _, _, persistence, unscored = layer["techniques"]
    assert first == {
        "techniqueID": "T1059",
        "tactic": "execution",
        "score": 83.3,
        "color": "#4c9a2a",  # Alerted (75) is the level closest to 83.3
        "comment": "4 tests: 2 Alerted, 1 Prevented",
        "enabled": True,
        "showSubtechniques": True,
        "metadata": [
            {"name": "Tests", "value": "4"},
            {"name": "Alerted", "value": "2"},
            {"name": "Prevented", "value": "1"},
        ],
    }
    assert persistence["tactic"] == "persistence" and persistence["color"] == "#d4a017"
    assert "score" not in unscored and unscored["color"] == UNSCORED_COLOR


def test_only_techniques_with_sub_techniques_say_whether_they_show(layer):
    # The format allows showSubtechniques only on a technique that has sub-techniques: shown
    # when some are in the layer. It was written (false) on techniques without any too.
    entries = {entry["techniqueID"]: entry for entry in layer["techniques"]}
    assert entries["T1059"]["showSubtechniques"] is True
    assert entries["T1078"]["showSubtechniques"] is False
    assert "showSubtechniques" not in entries["T1059.001"]
    assert "showSubtechniques" not in entries["T1566"]
    with_subtechniques = {"T1059", "T1078"}
    assert layer_problems(layer, with_subtechniques=with_subtechniques) == []


def test_the_checker_allows_show_subtechniques_only_on_a_technique_with_some(layer):
    wrong = copy.deepcopy(layer)
    wrong["techniques"][1]["showSubtechniques"] = False  # T1059.001: a sub-technique
    wrong["techniques"][4]["showSubtechniques"] = False  # T1566: none in this catalogue

    assert layer_problems(wrong, with_subtechniques={"T1059", "T1078"}) == [
        "techniques[1].showSubtechniques is only valid on a technique with sub-techniques "
        "(T1059.001 has none).",
        "techniques[4].showSubtechniques is only valid on a technique with sub-techniques "
        "(T1566 has none).",
    ]
    # Without the catalogue, only the sub-technique's is known to be wrong.
    assert layer_problems(wrong) == [
        "techniques[1].showSubtechniques is only valid on a technique with sub-techniques "
        "(T1059.001 has none)."
    ]


def test_gradient_and_legend_come_from_the_detection_levels(layer):
    assert layer["gradient"] == {
        "colors": ["#cf222e", "#d4a017", "#4c9a2a", "#1a7f37"],
        "minValue": 0,
        "maxValue": 100,
    }
    # The colours the entries carry: the scored levels', then the grey of "tested, no score"
    # (T1566); the unscored level's own colour is on no entry, so not in the legend.
    assert layer["legendItems"] == [
        {"label": "Prevented", "color": "#1a7f37"},
        {"label": "Alerted", "color": "#4c9a2a"},
        {"label": "Logged", "color": "#d4a017"},
        {"label": "Not detected", "color": "#cf222e"},
        {"label": "Tested, no score", "color": UNSCORED_COLOR},
    ]
    entry_colours = {entry["color"] for entry in layer["techniques"]}
    assert entry_colours <= {item["color"] for item in layer["legendItems"]}


def test_the_legend_has_no_grey_when_every_technique_has_a_score():
    layer = build_layer(
        name="All scored",
        description="",
        domain="enterprise-attack",
        attack_version=None,
        techniques=[LayerTechnique("T1059", "execution", 100, 1, {"Prevented": 1})],
        levels=LEVELS,
    )
    assert [item["label"] for item in layer["legendItems"]] == [
        "Prevented",
        "Alerted",
        "Logged",
        "Not detected",
    ]


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "#1a7f37"), (90, "#1a7f37"), (57.5, "#d4a017"), (10, "#cf222e"), (None, UNSCORED_COLOR)],
)
def test_level_color_picks_the_closest_scored_level(score, expected):
    assert level_color(score, LEVELS) == expected


def broken(layer, change):
    copied = copy.deepcopy(layer)
    change(copied)
    return layer_problems(copied, tactic_shortnames=SHORTNAMES)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda layer: layer.pop("name"), "layer.name is required."),
        (lambda layer: layer["versions"].update(layer="4.4"), 'versions.layer must be "4.5".'),
        (
            lambda layer: layer["versions"].update(navigator="4.8.2"),
            'versions.navigator must be at least "4.9.0".',
        ),
        (lambda layer: layer.update(domain="enterprise"), "domain must be one of"),
        (lambda layer: layer.update(colour="red"), "layer.colour is not a field"),
        (
            lambda layer: layer["techniques"][0].update(tactic="lateral_movement"),
            "techniques[0].tactic 'lateral_movement' is not a tactic of the synced matrix.",
        ),
        (
            lambda layer: layer["techniques"][0].update(score=True),
            "techniques[0].score must be a number.",
        ),
        (
            lambda layer: layer["techniques"][1].update(techniqueID="T59"),
            "techniques[1].techniqueID must look like T1234 or T1234.001.",
        ),
        (
            lambda layer: layer["techniques"][2].update(color="green"),
            "techniques[2].color must be a #rrggbb colour.",
        ),
        (
            lambda layer: layer["techniques"][0].update(enabled="yes"),
            "techniques[0].enabled must be true or false.",
        ),
        (
            lambda layer: layer["techniques"][0]["metadata"].append({"name": "x"}),
            "techniques[0].metadata[3].value is required.",
        ),
        (
            lambda layer: layer["gradient"].update(minValue=100),
            "gradient.maxValue must be greater than gradient.minValue.",
        ),
        (
            lambda layer: layer["gradient"].update(colors=["#ffffff"]),
            "gradient.colors must hold at least two #rrggbb colours.",
        ),
        (
            lambda layer: layer["legendItems"].append({"label": "x"}),
            "legendItems[5].color is required.",
        ),
        (lambda layer: layer.update(techniques=[7]), "techniques[0] must be an object."),
        (lambda layer: layer.update(sorting=4), "sorting must be 0, 1, 2 or 3."),
        (
            lambda layer: layer["layout"].update(layout="grid"),
            "layout.layout must be one of side, flat, mini.",
        ),
        (
            lambda layer: layer["layout"].update(aggregateFunction="mean"),
            "layout.aggregateFunction must be one of average, min, max, sum.",
        ),
        (
            lambda layer: layer["layout"].update(expandedSubtechniques="some"),
            "layout.expandedSubtechniques must be one of none, all, annotated.",
        ),
        (
            lambda layer: layer.update(filters={"platforms": ["Windows", 3]}),
            "filters.platforms must be a list of strings.",
        ),
        (lambda layer: layer.update(filters={"stages": []}), "filters.stages is not a field"),
        (
            lambda layer: layer.update(links=[{"label": "Runbook", "url": "wiki.example/x"}]),
            "links[0].url must start with its protocol (https://…).",
        ),
        (
            lambda layer: layer["techniques"][0].update(links=[{"url": "https://example.org"}]),
            "techniques[0].links[0].label is required.",
        ),
    ],
)
def test_the_checker_names_what_is_wrong(layer, change, problem):
    problems = broken(layer, change)
    assert any(found.startswith(problem) for found in problems), problems


def test_not_an_object_is_not_a_layer():
    assert layer_problems([]) == ["A layer is a JSON object."]


def test_uploaded_layers_are_read_as_the_navigator_opens_them(layer):
    older = copy.deepcopy(layer)
    older["versions"] = {"layer": "4.3", "navigator": "4.6.4", "attack": "12"}
    assert layer_problems(older, uploaded=True) == []
    del older["versions"]  # as mitreattack-python's generators write them
    assert layer_problems(older, uploaded=True) == []
    # A format 3 layer (the Navigator's own sample Bear_APT.json), with its writer's extras.
    bear = {
        "name": "*Bear APTs",
        "version": "3.0",
        "domain": "mitre-enterprise",
        "viewMode": 0,
        "hideDisable": False,
        "gradient": {"colors": ["#ff6666"], "minValue": 0, "maxValue": 0},
        "techniques": [
            {"techniqueID": "T1107", "color": "#f66", "comment": 7, "metadata": [{"x": 1}]},
        ],
    }
    assert layer_problems(bear, uploaded=True) == []
    assert layer_problems(bear) != []  # not a layer we would write


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda layer: layer.pop("domain"), "layer.domain is required."),
        (lambda layer: layer.update(domain="pre-attack"), "domain must be one of"),
        (lambda layer: layer.update(techniques={}), "layer.techniques must be a list."),
        (
            lambda layer: layer["techniques"].append({"techniqueID": "T1059", "score": "5"}),
            "techniques[5].score must be a number.",
        ),
        (
            lambda layer: layer["techniques"].append({"techniqueID": "1059"}),
            "techniques[5].techniqueID must look like T1234",
        ),
        (lambda layer: layer["techniques"].append({"score": 1}), "techniques[5].techniqueID is"),
    ],
)
def test_an_upload_still_needs_what_planning_reads(layer, change, problem):
    broken_layer = copy.deepcopy(layer)
    change(broken_layer)
    problems = layer_problems(broken_layer, uploaded=True)
    assert any(found.startswith(problem) for found in problems), problems


def test_an_upload_s_unknown_domain_is_told_every_accepted_name(layer):
    # The older names pass too, so the message names them (it named only the current three).
    pre_attack = {**copy.deepcopy(layer), "domain": "pre-attack"}

    assert layer_problems(pre_attack, uploaded=True) == [
        "domain must be one of enterprise-attack, mobile-attack, ics-attack, or the older "
        "mitre-enterprise or mitre-mobile of layer formats 1–3; found 'pre-attack'."
    ]


def test_metadata_dividers_in_either_writer_s_form_are_accepted(layer):
    # The format's {"divider": true}, and what mitreattack-python's navlayers writes for one.
    divided = copy.deepcopy(layer)
    divided["metadata"] = [
        {"name": "Owner", "value": "Blue team"},
        {"divider": True},
        {"name": "DIVIDER", "value": True},
    ]
    assert layer_problems(divided) == []
    divided["metadata"].append({"name": "Reviewed", "value": True})
    assert layer_problems(divided) == ["metadata[3].value must be a string."]


def test_planned_techniques_are_enabled_entries_but_not_a_display_state():
    layer = {
        "techniques": [
            {"techniqueID": "T1059", "score": 0},
            {"techniqueID": "T1078", "color": "#ff0000"},
            {"techniqueID": "T1566", "score": 50, "enabled": False},
            {"techniqueID": "T1110"},
            {"techniqueID": "T1110.001", "color": ""},
            # What the Navigator saves for a parent the user expanded: nothing asked of it.
            {
                "techniqueID": "T1003",
                "tactic": "credential-access",
                "color": "",
                "comment": "",
                "enabled": True,
                "metadata": [],
                "links": [],
                "showSubtechniques": True,
            },
            {"techniqueID": "T1003.003", "comment": "ntds.dit", "showSubtechniques": False},
            {"techniqueID": "T1059", "tactic": "execution", "score": 10},
        ]
    }
    assert planned_techniques(layer) == ["T1059", "T1078", "T1110", "T1110.001", "T1003.003"]


def test_a_technique_rolled_up_from_its_sub_techniques_is_not_planned():
    # Our layer scores T1059 from its sub-techniques' runs only: with a bound that took its
    # score in, the technique was planned as a bare test beside T1059.001.
    rolled_up = build_layer(
        name="Mission Alpha",
        description="",
        domain="enterprise-attack",
        attack_version="18.1",
        techniques=[
            LayerTechnique(
                "T1059",
                "execution",
                30.0,
                2,
                {"Logged": 1},
                has_subtechniques=True,
                show_subtechniques=True,
                rolled_up_from=("T1059.001", "T1059.003"),
            ),
            LayerTechnique("T1059.001", "execution", 40.0, 1, {"Logged": 1}),
            LayerTechnique("T1059.003", "execution", None, 1, {}),
            LayerTechnique("T1078", "persistence", 40.0, 1, {"Logged": 1}, True),
        ],
        levels=LEVELS,
    )
    parent = rolled_up["techniques"][0]

    assert parent["metadata"][-1] == {"name": "Rolled up from", "value": "T1059.001, T1059.003"}
    assert layer_problems(rolled_up, tactic_shortnames=SHORTNAMES) == []
    assert planned_techniques(rolled_up) == ["T1059.001", "T1059.003", "T1078"]
    assert planned_techniques(rolled_up, max_score=40) == ["T1059.001", "T1078"]


@pytest.mark.parametrize(
    "metadata",
    [
        [],  # a Navigator or DeTT&CT layer scoring the technique itself
        [{"name": "Rolled up from", "value": "3"}],  # a writer's own item of that name
        [{"name": "Rolled up from", "value": "T1078.001"}],  # not its sub-techniques
        "Rolled up from T1059.001",  # not a list: the upload check does not read it
    ],
)
def test_a_technique_scored_beside_its_sub_techniques_is_planned(metadata):
    third_party = {
        "techniques": [
            {"techniqueID": "T1059", "score": 30, "metadata": metadata},
            {"techniqueID": "T1059.001", "score": 40},
        ]
    }
    assert planned_techniques(third_party, max_score=40) == ["T1059", "T1059.001"]


USAGE_LAYER = {
    # As mitreattack-python's usage generator writes a group's layer: every technique of the
    # matrix, 0 where the group does not use it.
    "techniques": [
        {"techniqueID": "T1595", "tactic": "reconnaissance", "score": 0},
        {"techniqueID": "T1059", "tactic": "execution", "score": 1},
        {"techniqueID": "T1078", "tactic": "defense-evasion", "score": 0},
        {"techniqueID": "T1078", "tactic": "persistence", "score": 1},
        {"techniqueID": "T1566", "color": "#ff6666"},
        {"techniqueID": "T1110", "score": 75, "enabled": False},
        {"techniqueID": "T1110.001", "score": 40.5},
    ]
}


@pytest.mark.parametrize(
    ("bounds", "planned"),
    [
        ({}, ["T1595", "T1059", "T1078", "T1566", "T1110.001"]),
        ({"min_score": 1}, ["T1059", "T1078", "T1110.001"]),
        ({"max_score": 0}, ["T1595", "T1078"]),
        ({"min_score": 1, "max_score": 40.5}, ["T1059", "T1078", "T1110.001"]),
        ({"min_score": 2, "max_score": 40}, []),
    ],
)
def test_a_score_range_keeps_the_entries_scored_within_it(bounds, planned):
    assert planned_techniques(USAGE_LAYER, **bounds) == planned


def test_every_optional_field_the_format_lists_passes_the_strict_check():
    # A layer using each field the 4.5 format describes, with values it allows.
    full = {
        "name": "Everything",
        "versions": {"attack": "18", "navigator": "5.2.0", "layer": "4.5"},
        "domain": "enterprise-attack",
        "description": "Each field once.",
        "customDataURL": "https://example.org/bundle.json",
        "filters": {"platforms": ["Windows", "Linux"]},
        "sorting": 2,
        "layout": {
            "layout": "flat",
            "showID": True,
            "showName": False,
            "showAggregateScores": True,
            "countUnscored": True,
            "aggregateFunction": "max",
            "expandedSubtechniques": "annotated",
        },
        "hideDisabled": True,
        "techniques": [
            {"techniqueID": "T1110", "score": 0, "color": "#fd8d3c", "showSubtechniques": True},
            {
                "techniqueID": "T1110.001",
                "tactic": "credential-access",
                "comment": "A comment.",
                "enabled": False,
                "links": [
                    {"label": "Runbook", "url": "https://wiki.example/T1110"},
                    {"divider": True},
                ],
                "metadata": [{"name": "Owner", "value": "SOC"}, {"divider": True}],
            },
        ],
        "gradient": {"colors": ["#ff6666", "#ffe766", "#8ec843"], "minValue": 0, "maxValue": 100},
        "legendItems": [{"label": "Prevented", "color": "#FF00FF"}],
        "showTacticRowBackground": True,
        "tacticRowBackground": "#dddddd",
        "selectTechniquesAcrossTactics": False,
        "selectSubtechniquesWithParent": True,
        "selectVisibleTechniques": True,
        "metadata": [{"name": "Team", "value": "Purple"}],
        "links": [
            {"label": "Navigator", "url": "https://github.com/mitre-attack/attack-navigator"}
        ],
    }
    assert layer_problems(full) == []
