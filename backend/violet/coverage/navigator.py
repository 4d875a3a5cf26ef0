"""ATT&CK Navigator layers (layer format 4.5), built and checked as pure functions.

The format: https://github.com/mitre-attack/attack-navigator, `layers/spec/v4.5/layerformat.md`.
`build_layer` writes one; `layer_problems` lists what is wrong with one (our output in tests,
and the layers users upload to plan a mission from).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LAYER_VERSION = "4.5"
# The Navigator release the layers are written for (4.5 layers need at least 4.9.0).
NAVIGATOR_VERSION = "5.2.0"
DOMAINS = ("enterprise-attack", "mobile-attack", "ics-attack")
# The domain names of layer formats 1–3, which the Navigator still opens, and the domain each
# names now.
LEGACY_DOMAINS = {"mitre-enterprise": "enterprise-attack", "mitre-mobile": "mobile-attack"}
# Colour of a technique tested but not scored (every run "Not applicable" or without a level).
UNSCORED_COLOR = "#d0d0d0"
UNSCORED_LABEL = "Tested, no score"
# Colour of a technique a threat group uses that no counted run tested: the light orange the
# threat group page draws "Not tested" in, apart from every seeded level's colour and the grey.
NOT_TESTED_COLOR = "#ffd8a8"
NOT_TESTED_LABEL = "Not tested"
# The metadata item of a technique's entry that only rolls up its sub-techniques' runs; its
# value lists them ("T1059.001, T1059.003").
ROLLED_UP_FROM = "Rolled up from"

TECHNIQUE_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
NAVIGATOR_RELEASE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")
URL_WITH_PROTOCOL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Level:
    """A detection level as the legend and the colours need it."""

    name: str
    score: float | None
    color: str


@dataclass(frozen=True)
class LayerTechnique:
    technique_id: str  # T1059 or T1059.001
    tactic: str  # the tactic shortname (execution)
    score: float | None
    tests: int
    outcomes: Mapping[str, int]  # level name → runs
    # The catalogue gives the technique sub-techniques: only then may its entry say whether
    # they show (the format: "only valid under a technique with subtechniques").
    has_subtechniques: bool = False
    # Some of its sub-techniques are in the layer: the Navigator opens the technique expanded.
    show_subtechniques: bool = False
    # A technique whose every counted run is counted under one of these sub-techniques too: its
    # entry only rolls their runs up, and says so (`ROLLED_UP_FROM`) so that planning skips it.
    rolled_up_from: tuple[str, ...] = ()
    # The colour of the level of its one outcome (across missions, the latest): two levels may
    # share a score, so the closest level by score may be the other one. None: the colour of
    # the level closest to the score (a mission's mean), grey when unscored.
    color: str | None = None
    # False: a technique listed although no counted run tested it (a threat group's layer): no
    # score, the "Not tested" colour and comment.
    tested: bool = True
    # True: not a technique of the layer but the technique of some of its sub-techniques (a
    # threat group may use T1059.001 and not T1059): its entry only opens it expanded, as the
    # Navigator saves one (`is_display_state`), so that they do not hide behind it collapsed.
    display_only: bool = False


def level_color(score: float | None, levels: Sequence[Level]) -> str:
    """The colour of the scored level closest to `score` (ties: the lower level)."""
    scored = sorted((level for level in levels if level.score is not None), key=_score)
    if score is None or not scored:
        return UNSCORED_COLOR
    return min(scored, key=lambda level: abs(_score(level) - score)).color


def _score(level: Level) -> float:
    return level.score if level.score is not None else 0.0


def build_layer(
    *,
    name: str,
    description: str,
    domain: str,
    attack_version: str | None,
    techniques: Sequence[LayerTechnique],
    levels: Sequence[Level],
) -> dict[str, Any]:
    """A complete 4.5 layer: one entry per technique and tactic, a gradient over the scored
    levels (lowest to highest score) and a legend of the colours the entries carry: each scored
    level's, the grey of a technique tested but not scored and the orange of one not tested,
    when there is one."""
    scored = sorted((level for level in levels if level.score is not None), key=_score)
    gradient_colors = [level.color for level in scored] or ["#ff6666", "#8ec843"]
    if len(gradient_colors) == 1:
        gradient_colors = gradient_colors * 2
    legend = [
        {"label": level.name, "color": level.color} for level in levels if level.score is not None
    ]
    annotated = [technique for technique in techniques if not technique.display_only]
    if any(technique.tested and technique.score is None for technique in annotated):
        legend.append({"label": UNSCORED_LABEL, "color": UNSCORED_COLOR})
    if any(not technique.tested for technique in annotated):
        legend.append({"label": NOT_TESTED_LABEL, "color": NOT_TESTED_COLOR})
    versions = {"layer": LAYER_VERSION, "navigator": NAVIGATOR_VERSION}
    if attack_version:
        versions["attack"] = attack_version
    return {
        "name": name,
        "versions": versions,
        "domain": domain,
        "description": description,
        "sorting": 3,
        "layout": {"layout": "side", "showID": True, "showName": True},
        "hideDisabled": False,
        "techniques": [_technique_entry(technique, levels) for technique in techniques],
        "gradient": {"colors": gradient_colors, "minValue": 0, "maxValue": 100},
        "legendItems": legend,
        "showTacticRowBackground": False,
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
        "selectVisibleTechniques": False,
        "metadata": [{"name": "Generated by", "value": "Violet"}],
    }


def _technique_entry(technique: LayerTechnique, levels: Sequence[Level]) -> dict[str, Any]:
    if technique.display_only:
        return {
            "techniqueID": technique.technique_id,
            "tactic": technique.tactic,
            "enabled": True,
            "showSubtechniques": technique.show_subtechniques,
        }
    outcomes = [f"{count} {name}" for name, count in technique.outcomes.items() if count]
    runs = "test" if technique.tests == 1 else "tests"
    comment = f"{technique.tests} {runs}" + (f": {', '.join(outcomes)}" if outcomes else "")
    color = technique.color or level_color(technique.score, levels)
    if not technique.tested:
        comment, color = NOT_TESTED_LABEL, NOT_TESTED_COLOR
    entry: dict[str, Any] = {
        "techniqueID": technique.technique_id,
        "tactic": technique.tactic,
        "color": color,
        "comment": comment,
        "enabled": True,
        "metadata": [
            {"name": "Tests", "value": str(technique.tests)},
            *(
                {"name": name, "value": str(count)}
                for name, count in technique.outcomes.items()
                if count
            ),
        ],
    }
    if technique.rolled_up_from:
        entry["metadata"].append(
            {"name": ROLLED_UP_FROM, "value": ", ".join(technique.rolled_up_from)}
        )
    if technique.has_subtechniques:
        entry["showSubtechniques"] = technique.show_subtechniques
    if technique.score is not None:
        entry["score"] = technique.score
    return entry


# --- checking a layer ---------------------------------------------------------------------------

FieldTypes = Mapping[str, type | tuple[type, ...]]

TOP_LEVEL: FieldTypes = {
    "versions": dict,
    "name": str,
    "description": str,
    "domain": str,
    "customDataURL": str,
    "filters": dict,
    "sorting": int,
    "layout": dict,
    "hideDisabled": bool,
    "techniques": list,
    "gradient": dict,
    "legendItems": list,
    "showTacticRowBackground": bool,
    "tacticRowBackground": str,
    "selectTechniquesAcrossTactics": bool,
    "selectSubtechniquesWithParent": bool,
    "selectVisibleTechniques": bool,
    "metadata": list,
    "links": list,
}
TECHNIQUE_FIELDS: FieldTypes = {
    "techniqueID": str,
    "tactic": str,
    "comment": str,
    "enabled": bool,
    "score": (int, float),
    "color": str,
    "metadata": list,
    "links": list,
    "showSubtechniques": bool,
}
# What planning reads from an uploaded layer's technique entries.
PLANNED_FIELDS: FieldTypes = {
    name: TECHNIQUE_FIELDS[name] for name in ("techniqueID", "enabled", "score", "color")
}
LAYOUT_FIELDS: FieldTypes = {
    "layout": str,
    "showID": bool,
    "showName": bool,
    "showAggregateScores": bool,
    "countUnscored": bool,
    "aggregateFunction": str,
    "expandedSubtechniques": str,
}
# The fields the format allows only some values of: their values, as the format lists them.
SORTING = (0, 1, 2, 3)  # name ascending, name descending, score ascending, score descending
LAYOUT_CHOICES: Mapping[str, tuple[str, ...]] = {
    "layout": ("side", "flat", "mini"),
    "aggregateFunction": ("average", "min", "max", "sum"),
    "expandedSubtechniques": ("none", "all", "annotated"),
}


def layer_problems(
    layer: Any,
    *,
    tactic_shortnames: set[str] | None = None,
    with_subtechniques: set[str] | None = None,
    uploaded: bool = False,
) -> list[str]:
    """What keeps `layer` from being a valid 4.5 layer, as readable sentences (empty: valid).

    `tactic_shortnames`: the shortnames of the synced matrix; a technique's `tactic` must be
    one of them.

    `with_subtechniques`: the ATT&CK ids of the synced techniques that have sub-techniques; an
    entry's `showSubtechniques` must be on one of them (a sub-technique's entry never has one).

    `uploaded`: check a user's file the way the Navigator opens one, for what planning reads
    from it. Any format version passes (no `versions`, a 4.x one, or a format 1–3 `version` with
    its old domain names), and so do fields the format does not know (a writer's own, or an old
    format's); only `name`, `domain` and the techniques' entries are checked.
    """
    if not isinstance(layer, dict):
        return ["A layer is a JSON object."]
    if uploaded:
        return _upload_problems(layer)
    problems: list[str] = []
    _check_fields(layer, TOP_LEVEL, "layer", problems, required=("name", "domain"))
    problems += _version_problems(layer.get("versions"))
    if "domain" in layer and layer["domain"] not in DOMAINS:
        problems.append(f"domain must be one of {', '.join(DOMAINS)}.")
    if _has_type(layer.get("sorting"), int) and layer["sorting"] not in SORTING:
        problems.append("sorting must be 0, 1, 2 or 3.")
    if isinstance(layer.get("filters"), dict):
        problems += _filters_problems(layer["filters"])
    if isinstance(layer.get("layout"), dict):
        _check_fields(layer["layout"], LAYOUT_FIELDS, "layout", problems)
        for name, choices in LAYOUT_CHOICES.items():
            value = layer["layout"].get(name)
            if isinstance(value, str) and value not in choices:
                problems.append(f"layout.{name} must be one of {', '.join(choices)}.")
    if isinstance(layer.get("gradient"), dict):
        problems += _gradient_problems(layer["gradient"])
    for index, item in enumerate(layer.get("legendItems") or []):
        where = f"legendItems[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object.")
            continue
        _check_fields(item, {"label": str, "color": str}, where, problems, ("label", "color"))
    if isinstance(layer.get("metadata"), list):
        problems += _annotation_problems(layer["metadata"], "metadata", METADATA_FIELDS)
    if isinstance(layer.get("links"), list):
        problems += _annotation_problems(layer["links"], "links", LINK_FIELDS)
    if isinstance(layer.get("techniques"), list):
        for index, technique in enumerate(layer["techniques"]):
            problems += _technique_problems(
                technique, f"techniques[{index}]", tactic_shortnames, with_subtechniques
            )
    return problems


def _upload_problems(layer: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    fields = {"name": str, "domain": str, "techniques": list}
    _check_fields(layer, fields, "layer", problems, ("name", "domain"), known_only=False)
    domain = layer.get("domain")
    if isinstance(domain, str) and domain not in (*DOMAINS, *LEGACY_DOMAINS):
        # Name every accepted value: the older names are accepted too, so a message listing
        # only the current ones reads as if a format 1–3 layer could not be planned.
        problems.append(
            f"domain must be one of {', '.join(DOMAINS)}, or the older "
            f"{' or '.join(LEGACY_DOMAINS)} of layer formats 1–3; found {domain[:64]!r}."
        )
    techniques = layer.get("techniques")
    for index, technique in enumerate(techniques if isinstance(techniques, list) else []):
        problems += _technique_problems(technique, f"techniques[{index}]", None, None, strict=False)
    return problems


def _check_fields(
    value: dict[str, Any],
    types: FieldTypes,
    where: str,
    problems: list[str],
    required: Sequence[str] = (),
    known_only: bool = True,
) -> None:
    """Required fields present and typed as `types` says; with `known_only`, no other field."""
    for name in required:
        if name not in value:
            problems.append(f"{where}.{name} is required.")
    for name, item in value.items():
        expected = types.get(name)
        if expected is None:
            if known_only:
                problems.append(f"{where}.{name} is not a field of the layer format.")
        elif not _has_type(item, expected):
            problems.append(f"{where}.{name} must be {_type_name(expected)}.")


def _has_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    # JSON true/false are Python bools, which are ints too: a number field refuses them.
    if isinstance(value, bool):
        return bool in _as_tuple(expected)
    return isinstance(value, expected)


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true or false", int: "a number", float: "a number"}
    names.update({dict: "an object", list: "a list"})
    return " or ".join(dict.fromkeys(names[kind] for kind in _as_tuple(expected)))


def _version_problems(versions: Any) -> list[str]:
    if versions is None:
        return ["versions is required (layer 4.5)."]
    if not isinstance(versions, dict):
        return []  # reported as a type problem already
    problems: list[str] = []
    _check_fields(versions, {"attack": str, "navigator": str, "layer": str}, "versions", problems)
    layer = versions.get("layer")
    if layer != LAYER_VERSION:
        problems.append(f'versions.layer must be "{LAYER_VERSION}".')
    navigator = versions.get("navigator")
    match = NAVIGATOR_RELEASE.match(navigator) if isinstance(navigator, str) else None
    if match is None or (int(match[1]), int(match[2])) < (4, 9):
        problems.append('versions.navigator must be at least "4.9.0".')
    return problems


def _gradient_problems(gradient: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    number = (int, float)
    _check_fields(
        gradient,
        {"colors": list, "minValue": number, "maxValue": number},
        "gradient",
        problems,
        ("colors", "minValue", "maxValue"),
    )
    colors = gradient.get("colors")
    if isinstance(colors, list) and (
        len(colors) < 2 or not all(isinstance(c, str) and HEX_COLOR.match(c) for c in colors)
    ):
        problems.append("gradient.colors must hold at least two #rrggbb colours.")
    low, high = gradient.get("minValue"), gradient.get("maxValue")
    if isinstance(low, number) and isinstance(high, number) and not high > low:
        problems.append("gradient.maxValue must be greater than gradient.minValue.")
    return problems


METADATA_FIELDS: FieldTypes = {"name": str, "value": str}
LINK_FIELDS: FieldTypes = {"label": str, "url": str}


def _annotation_problems(items: list[Any], where: str, fields: FieldTypes) -> list[str]:
    """A list of metadata or links: objects with each of `fields` (a link's `url` with its
    protocol, e.g. https://), or dividers."""
    problems: list[str] = []
    for index, item in enumerate(items):
        place = f"{where}[{index}]"
        if isinstance(item, dict) and "divider" in item:
            _check_fields(item, {"divider": bool}, place, problems, ("divider",))
        elif item == {"name": "DIVIDER", "value": True}:
            continue  # a divider as mitreattack-python's navlayers writes it (MetaDiv)
        elif isinstance(item, dict):
            _check_fields(item, fields, place, problems, tuple(fields))
            url = item.get("url")
            if isinstance(url, str) and not URL_WITH_PROTOCOL.match(url):
                problems.append(f"{place}.url must start with its protocol (https://…).")
        else:
            problems.append(f"{place} must be an object.")
    return problems


def _filters_problems(filters: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    _check_fields(filters, {"platforms": list}, "filters", problems)
    platforms = filters.get("platforms")
    if isinstance(platforms, list) and not all(isinstance(name, str) for name in platforms):
        problems.append("filters.platforms must be a list of strings.")
    return problems


def _technique_problems(
    technique: Any,
    where: str,
    tactic_shortnames: set[str] | None,
    with_subtechniques: set[str] | None,
    strict: bool = True,
) -> list[str]:
    """`strict`: the format's fields only, each of its type, colours as #rrggbb, metadata
    checked. Otherwise only what planning reads (`PLANNED_FIELDS`)."""
    if not isinstance(technique, dict):
        return [f"{where} must be an object."]
    problems: list[str] = []
    fields = TECHNIQUE_FIELDS if strict else PLANNED_FIELDS
    _check_fields(technique, fields, where, problems, ("techniqueID",), known_only=strict)
    technique_id = technique.get("techniqueID")
    if isinstance(technique_id, str) and not TECHNIQUE_ID.match(technique_id):
        problems.append(f"{where}.techniqueID must look like T1234 or T1234.001.")
    if not strict:
        return problems
    tactic = technique.get("tactic")
    if (
        isinstance(tactic, str)
        and tactic_shortnames is not None
        and tactic not in tactic_shortnames
    ):
        problems.append(f"{where}.tactic {tactic!r} is not a tactic of the synced matrix.")
    # The format: showSubtechniques is "only valid under a technique with subtechniques". A
    # sub-technique has none; a technique has some when the synced catalogue says so.
    if "showSubtechniques" in technique and not _may_show_subtechniques(
        technique_id, with_subtechniques
    ):
        problems.append(
            f"{where}.showSubtechniques is only valid on a technique with sub-techniques "
            f"({technique_id} has none)."
        )
    color = technique.get("color")
    if isinstance(color, str) and color and not HEX_COLOR.match(color):
        problems.append(f"{where}.color must be a #rrggbb colour.")
    if isinstance(technique.get("metadata"), list):
        problems += _annotation_problems(
            technique["metadata"], f"{where}.metadata", METADATA_FIELDS
        )
    if isinstance(technique.get("links"), list):
        problems += _annotation_problems(technique["links"], f"{where}.links", LINK_FIELDS)
    return problems


def _may_show_subtechniques(technique_id: Any, with_subtechniques: set[str] | None) -> bool:
    """Whether an entry for `technique_id` may carry `showSubtechniques`."""
    if not isinstance(technique_id, str):
        return True  # a missing or mistyped id is reported as such
    if "." in technique_id:
        return False  # a sub-technique has no sub-techniques
    return with_subtechniques is None or technique_id in with_subtechniques


def layer_domain(layer: dict[str, Any]) -> str:
    """The ATT&CK domain of a checked layer, an older format's name read as the domain it
    names now (`mitre-mobile` is `mobile-attack`)."""
    domain: str = layer["domain"]
    return LEGACY_DOMAINS.get(domain, domain)


def planned_techniques(
    layer: dict[str, Any], *, min_score: float | None = None, max_score: float | None = None
) -> list[str]:
    """The ATT&CK ids a layer asks to plan: its enabled entries, in the layer's order without
    repeats, except those that only record a display state (`is_display_state`) and our own
    layers' technique entries that only roll up their sub-techniques (`is_roll_up`), whose
    sub-techniques' entries are planned instead.

    With `min_score` or `max_score`, only entries whose score lies within them (inclusive) count;
    an entry without a score then does not. That keeps what a layer marks as used
    (mitreattack-python's usage layers give every other technique a score of 0: `min_score=1`),
    or the gaps of a coverage layer (`max_score=40`).
    """
    ranged = min_score is not None or max_score is not None
    low = -math.inf if min_score is None else min_score
    high = math.inf if max_score is None else max_score
    planned: dict[str, None] = {}
    for technique in layer.get("techniques") or []:
        if technique.get("enabled", True) is False or is_roll_up(technique):
            continue
        score = technique.get("score")
        if ranged:
            if score is None or not low <= score <= high:
                continue
        elif is_display_state(technique):
            continue
        planned[technique["techniqueID"]] = None
    return list(planned)


ANNOTATIONS = ("color", "comment", "links", "metadata")


def is_display_state(technique: dict[str, Any]) -> bool:
    """An entry the Navigator saves for a technique the user only expanded or collapsed: it
    says whether the sub-techniques show (`showSubtechniques`) and carries no score, colour,
    comment, link or metadata. A parent technique whose sub-techniques are scored gets one."""
    return (
        "showSubtechniques" in technique
        and technique.get("score") is None
        and not any(technique.get(name) for name in ANNOTATIONS)
    )


def is_roll_up(technique: dict[str, Any]) -> bool:
    """An entry of one of our layers for a technique whose every counted run is counted under
    one of its sub-techniques too: its score only repeats theirs, so it asks for no test of its
    own. It carries a `ROLLED_UP_FROM` metadata item naming those sub-techniques; an item of
    that name that does not name the technique's sub-techniques (another writer's) is not it."""
    metadata = technique.get("metadata")
    prefix = f"{technique['techniqueID']}."
    return isinstance(metadata, list) and any(
        isinstance(item, dict)
        and item.get("name") == ROLLED_UP_FROM
        and isinstance(item.get("value"), str)
        and item["value"].startswith(prefix)
        for item in metadata
    )
