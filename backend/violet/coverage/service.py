"""Coverage of a mission: scores, the ATT&CK Navigator layer and the test exports.

Each reads the mission in a fixed number of statements whatever its size (tests, tags, levels,
tactics, and for `by=tool` detections and tools), then computes in Python with the pure
functions of `scoring`, `navigator` and `exports` (docs/coverage.md).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache, partial
from typing import IO, Any, BinaryIO, NamedTuple, cast

from flask import current_app
from sqlalchemy import Select, any_, bindparam, func, insert, or_, select, union
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.orm import aliased

from violet.auth.service.directory import emails_of
from violet.core import audit
from violet.core.auth import current_user, current_user_id, has_permission
from violet.core.errors import ApiError, Conflict, Forbidden, NotFound, Unprocessable
from violet.core.models import including_deleted, prepared, utcnow
from violet.core.storage import BlobNotFound, attachment, blob_store, sanitise_filename
from violet.coverage import navigator
from violet.coverage.archive import (
    UNREADABLE_MEMBER,
    ArchivedEvidence,
    MissionArchive,
    write_archive,
)
from violet.coverage.exports import csv_document
from violet.coverage.report import render_report
from violet.coverage.scoring import (
    COMPLETED,
    Cell,
    Coverage,
    Run,
    chain_start,
    compare_scores,
    compute_coverage,
    latest_completed_runs,
    mean,
    parent_of,
)
from violet.extensions import db
from violet.library.models import TestTemplate, TestTemplateMitreTag
from violet.library.service import mitre_tags
from violet.library.service import scenarios as library_scenarios
from violet.library.service import templates as library_templates
from violet.missions.models import SHORT_MAX as TOOL_NAME_MAX
from violet.missions.models import (
    DefenseTool,
    DetectionLevel,
    EvidenceFile,
    Mission,
    MissionCategory,
    MissionNote,
    MissionTest,
    MissionTestDetection,
    MissionTestMitreTag,
)
from violet.missions.service import evidence as evidence_service
from violet.missions.service import missions as mission_service
from violet.missions.service import tests as mission_tests
from violet.missions.service.access import MissionAccess, member_mission_ids, no_such_mission
from violet.mitre import service as mitre_service
from violet.mitre.models import DEFAULT_DOMAIN, DOMAINS, MitreSubtechnique, MitreTechnique
from violet.settings import service as settings


@dataclass
class MissionData:
    """What the coverage of one mission is computed from."""

    mission: Mission | None  # None: several missions (cross-mission coverage)
    # MissionTest objects for the exports; rows of RUN_COLUMNS where only the scores are needed.
    tests: list[Any]
    tags: dict[uuid.UUID, list[Any]]  # test id → its tags, as rows of TAG_COLUMNS
    levels: list[DetectionLevel]
    tactics_of: dict[str, list[dict[str, Any]]]  # technique id → its tactics
    tactic_names: dict[str, dict[str, Any]]  # tactic id → {external_id, name, shortname, …}
    # Technique id → its name in the catalogue: a technique counted only through its
    # sub-techniques has no tag of its own to be named by.
    technique_names: dict[str, str]

    def attack_names(self) -> dict[str, str]:
        """ATT&CK id → its name: as the tests' tags have it, else as the catalogue does."""
        names = dict(self.technique_names)
        names.update((tag.external_id, tag.name) for tags in self.tags.values() for tag in tags)
        return names

    @property
    def level_scores(self) -> dict[Any, float | None]:
        return {level.id: level.score for level in self.levels}

    def runs(self) -> list[Run]:
        """The mission's tests as runs."""
        retest_of = {test.id: test.retest_of_id for test in self.tests}
        runs = []
        for test in self.tests:
            chain_id, sequence = chain_start(test.id, retest_of)
            tags = self.tags.get(test.id, [])
            runs.append(
                Run(
                    id=test.id,
                    chain_id=chain_id,
                    sequence=sequence,
                    state=test.state,
                    detection_level_id=test.detection_level_id,
                    attack_ids=tuple(tag.external_id for tag in tags if tag.kind != "tactic"),
                    tactic_tags=tuple(tag.external_id for tag in tags if tag.kind == "tactic"),
                )
            )
        return runs

    def coverage(self) -> Coverage:
        return self.coverage_of(self.runs())

    def coverage_of(self, runs: list[Run]) -> Coverage:
        """The coverage of `runs` (this mission's, perhaps renamed) by its levels and tactics."""
        tactics_of = {
            technique: [tactic["external_id"] for tactic in tactics]
            for technique, tactics in self.tactics_of.items()
        }
        return compute_coverage(runs, self.level_scores, tactics_of)


# What scores, layers and comparisons read of a test: rows of these, not MissionTest objects
# (a mission of hundreds of tests is read several times faster).
RUN_COLUMNS = (
    MissionTest.id,
    MissionTest.mission_id,
    MissionTest.retest_of_id,
    MissionTest.state,
    MissionTest.detection_level_id,
    MissionTest.detected_at,
    MissionTest.executed_at,
    MissionTest.updated_at,
)
TAG_COLUMNS = (
    MissionTestMitreTag.mission_test_id,
    MissionTestMitreTag.kind,
    MissionTestMitreTag.external_id,
    MissionTestMitreTag.name,
    MissionTestMitreTag.url,
)


def load_mission(mission: Mission, *, full_tests: bool = False) -> MissionData:
    """Five statements: tests, tags, levels, and the tactics of the tagged techniques.

    The tests are rows of RUN_COLUMNS, or whole MissionTest objects with `full_tests`."""
    return MissionData(mission, *_load_tests([mission.id], full_tests=full_tests))


class LoadStatements(NamedTuple):
    tests: Select[Any]
    tags: Select[Any]
    levels: Select[Any]


@cache
def _load_statements(full_tests: bool) -> LoadStatements:
    """`_load_tests`' statements, built once: the missions' ids are one array parameter."""
    in_missions = MissionTest.mission_id == any_(
        bindparam("mission_ids", type_=ARRAY(MissionTest.mission_id.type))
    )
    columns: Any = (MissionTest,) if full_tests else RUN_COLUMNS
    return LoadStatements(
        tests=prepared(
            select(*columns).where(in_missions).order_by(MissionTest.position, MissionTest.id)
        ),
        tags=prepared(
            cast(Select[Any], select(*TAG_COLUMNS))
            .join(MissionTest, MissionTest.id == MissionTestMitreTag.mission_test_id)
            .where(in_missions)
            .order_by(MissionTestMitreTag.external_id)
        ),
        levels=prepared(
            select(DetectionLevel).order_by(DetectionLevel.position, DetectionLevel.name)
        ),
    )


def _load_tests(mission_ids: list[uuid.UUID], *, full_tests: bool = False) -> tuple[Any, ...]:
    """Tests, tags, levels, tactics of the tagged techniques and tactic names of missions."""
    statements = _load_statements(full_tests)
    missions = {"mission_ids": mission_ids}
    result = db.session.execute(statements.tests, missions)
    tests = list(result.scalars() if full_tests else result)
    tags: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for tag in db.session.execute(statements.tags, missions):
        tags[tag.mission_test_id].append(tag)
    levels = list(db.session.scalars(statements.levels))
    tactics_of, tactic_names, technique_names = _tactics_of_tags(
        [tag for run_tags in tags.values() for tag in run_tags]
    )
    return tests, dict(tags), levels, tactics_of, tactic_names, technique_names


def _tactics_of_tags(
    tags: Sequence[Any],
) -> tuple[dict[str, list[Any]], dict[str, Any], dict[str, str]]:
    """The tactics of the tagged techniques (technique id → tactics), each tactic's names
    (a tactic tagged directly is named by the catalogue too, else by its tag), and the
    techniques' names in the catalogue. One statement."""
    techniques = {parent_of(tag.external_id) for tag in tags if tag.kind != "tactic"}
    tagged_tactics = {tag.external_id for tag in tags if tag.kind == "tactic"}
    tactics_of, technique_names, tactic_names = (
        mitre_service.technique_tactics_and_names(techniques, tagged_tactics)
        if techniques or tagged_tactics
        else ({}, {}, {})
    )
    tactic_names.update(
        (tactic["external_id"], tactic) for tactics in tactics_of.values() for tactic in tactics
    )
    for tag in tags:
        if tag.kind == "tactic" and tag.external_id not in tactic_names:
            tactic_names[tag.external_id] = {
                "external_id": tag.external_id,
                "name": tag.name,
                "shortname": None,
                "position": None,
            }
    return tactics_of, tactic_names, technique_names


def ranked_domains(domains: Iterable[str]) -> list[str]:
    """The ATT&CK domains of the tested techniques (`domains`: one per technique), each once,
    the one holding most first; on a tie Enterprise, then Mobile, then ICS (docs/coverage.md)."""
    counts = Counter(domains)
    return sorted(counts, key=lambda domain: (-counts[domain], DOMAINS.index(domain)))


def _domains_of(attack_ids: Iterable[str], tactics_of: Mapping[str, list[Any]]) -> list[str]:
    """`ranked_domains` of these techniques and sub-techniques (a technique's domain is its
    tactics'; a sub-technique is its technique's)."""
    techniques = {parent_of(attack_id) for attack_id in attack_ids}
    return ranked_domains(
        domain
        for technique in techniques
        for domain in {tactic["domain"] for tactic in tactics_of.get(technique, [])}
    )


# --- GET /missions/{id}/coverage -----------------------------------------------------------------


def mission_coverage(mission: Mission, *, by_tool: bool = False) -> dict[str, Any]:
    """Scores per tactic, technique and for the mission (docs/coverage.md); `by_tool` adds the
    same per defense tool, from each tool's own outcomes."""
    data = load_mission(mission)
    coverage = data.coverage()
    result = {
        "mission_id": mission.id,
        "levels": [_level_out(level) for level in data.levels],
        "domains": _domains_of(coverage.techniques, data.tactics_of),
        **_coverage_out(data, coverage),
    }
    if by_tool:
        result["tools"] = _by_tool(data)
    return result


def _coverage_out(data: MissionData, coverage: Coverage) -> dict[str, Any]:
    names = data.attack_names()
    tactics = sorted(
        coverage.tactics.items(),
        key=lambda item: (
            data.tactic_names.get(item[0], {}).get("position") is None,
            data.tactic_names.get(item[0], {}).get("position") or 0,
            item[0],
        ),
    )
    return {
        **_cell_out(coverage.mission),
        "tactics": [
            {
                "external_id": tactic_id,
                "name": data.tactic_names.get(tactic_id, {}).get("name", tactic_id),
                "shortname": data.tactic_names.get(tactic_id, {}).get("shortname"),
                **_cell_out(cell),
            }
            for tactic_id, cell in tactics
        ],
        "techniques": [
            {
                "external_id": attack_id,
                "kind": "subtechnique" if "." in attack_id else "technique",
                "name": names.get(attack_id, attack_id),
                "tactics": [
                    tactic["external_id"]
                    for tactic in data.tactics_of.get(parent_of(attack_id), [])
                ],
                **_cell_out(cell),
                "test_ids": cell.test_ids,
            }
            for attack_id, cell in sorted(coverage.techniques.items())
        ],
    }


def _cell_out(cell: Cell) -> dict[str, Any]:
    return {
        "score": cell.score,
        "tests": cell.tests,
        "scored_tests": cell.scored_tests,
        "outcomes": {str(level_id): count for level_id, count in cell.outcomes.items()},
    }


def _level_out(level: DetectionLevel) -> dict[str, Any]:
    return {"id": level.id, "name": level.name, "score": level.score, "color": level.color}


def _by_tool(data: MissionData) -> list[dict[str, Any]]:
    """Per defense tool with an outcome on a run the mission counts: its coverage (two more
    statements). A tool whose outcomes are all on runs that count for nothing (replaced by a
    retest, not completed) has no figures to show."""
    counted = latest_completed_runs(data.runs())
    test_ids = [run.id for run in counted]
    levels_by_tool: dict[uuid.UUID, dict[uuid.UUID, Any]] = defaultdict(dict)
    for detection in db.session.scalars(
        select(MissionTestDetection).where(MissionTestDetection.mission_test_id.in_(test_ids))
    ):
        levels_by_tool[detection.tool_id][detection.mission_test_id] = detection.detection_level_id
    # A deleted tool too: it stays on the outcomes recorded with it (docs/api.md, "Detection
    # levels and defense tools"), so the mission's figures per tool do not lose it.
    # By name; a deleted tool after the live one that took its name since.
    tools = db.session.scalars(
        including_deleted(
            select(DefenseTool)
            .where(DefenseTool.id.in_(list(levels_by_tool)))
            .order_by(DefenseTool.name, DefenseTool.deleted_at.nulls_first(), DefenseTool.id)
        )
    )
    return [
        {
            "tool_id": tool.id,
            "name": tool.name,
            "layer": tool.layer,
            "deleted": tool.is_deleted,
            **_coverage_out(data, _tool_coverage(data, counted, levels_by_tool[tool.id])),
        }
        for tool in tools
    ]


def _tool_coverage(
    data: MissionData, counted: list[Run], level_of: dict[uuid.UUID, Any]
) -> Coverage:
    """One tool's coverage (docs/coverage.md, rule 6): the runs the mission counts (rule 1),
    each with the tool's own outcome (`level_of`: test id → level); one the tool recorded
    nothing on is left out for it. Picking the latest run among those with an outcome would
    bring back a replaced run's outcome when the tool was silent on its retest."""
    return data.coverage_of(
        [replace(run, detection_level_id=level_of[run.id]) for run in counted if run.id in level_of]
    )


# --- GET /missions/{id}/navigator-layer ----------------------------------------------------------


def mission_layer_download(
    mission: Mission, domain: str | None = None, tool_id: uuid.UUID | None = None
) -> tuple[dict[str, Any], str]:
    """`mission_layer` and the `Content-Disposition` it downloads with: `<mission>-layer.json`,
    or `<mission>-<tool>-layer.json` for one tool's."""
    layer, tool_name = mission_layer(mission, domain, tool_id)
    suffix = "-layer.json" if tool_name is None else f"-{tool_name}-layer.json"
    return layer, named_after(mission.name, suffix)


def mission_layer(
    mission: Mission, domain: str | None = None, tool_id: uuid.UUID | None = None
) -> tuple[dict[str, Any], str | None]:
    """The mission's coverage as an ATT&CK Navigator layer 4.5 of `domain` (default: the one
    holding most of the tested techniques; docs/coverage.md); with `tool_id`, one defense
    tool's coverage (rule 6), as `?by=tool` gives it, and the tool's name as the layer says it
    ("NDR (deleted)"); None without `tool_id`."""
    data = load_mission(mission)
    tool_name: str | None = None
    runs = data.runs()
    name, description = mission.name, f"Violet coverage of the mission {mission.name}"
    if tool_id is not None:
        tool, runs = _tool_runs(data, runs, tool_id)
        tool_name = tool_label(tool.name, tool.is_deleted)
        name = f"{mission.name} — {tool_name}"
        description += f" by the defense tool {tool_name}"
    retired = _retired_in_layer(data, {attack_id for run in runs for attack_id in run.attack_ids})
    # The scoring rules apply to the runs as the synced release names their techniques: a run
    # tagged with a revoked T1086 and with its replacement T1059.001 counts once for T1059.001
    # (and for T1059, which rolls it up).
    runs = [replace(run, attack_ids=retired.rename(run.attack_ids)) for run in runs]
    layer = _layer(name, description, data, data.coverage_of(runs).techniques, domain, retired)
    return layer, tool_name


def named_after(name: str, suffix: str) -> str:
    """`Content-Disposition` of a download named after the mission: letters of any script
    kept (RFC 6266 `filename*`: "Übung Q3" → `Übung-Q3-tests.csv`), with an ASCII `filename`
    for old clients (accents dropped: `Ubung-Q3-tests.csv`). Anything else becomes `-`, so no
    quote, slash or control character reaches the header or the user's disk.

    Only the mission's name is cut (80 characters): `suffix` says which download this is (a
    tool's layer: `-EDR-layer.json`), so it is sanitised the same way but kept whole; cutting
    it would save every tool's layer of a long-named mission under one name."""
    ascii_name, ascii_suffix = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        for text in (name, suffix)
    )
    fallback = _stem(re.sub(_NOT_ASCII_SAFE, "-", ascii_name)) + _kept(
        re.sub(_NOT_ASCII_SAFE, "-", ascii_suffix)
    )
    unicode_name = _stem(re.sub(_NOT_SAFE, "-", name)) + _kept(re.sub(_NOT_SAFE, "-", suffix))
    return attachment(unicode_name, fallback)


_NOT_ASCII_SAFE = r"[^A-Za-z0-9._-]+"
_NOT_SAFE = r"[^\w.-]+"


def _stem(name: str) -> str:
    return name.strip("-.")[:80].strip("-.") or "mission"


def _kept(suffix: str) -> str:
    """A sanitised suffix: one `-` before it, none doubled where a dropped character was
    ("NDR (deleted)" → `-NDR-deleted-layer.json`)."""
    return re.sub(r"--+", "-", suffix)


def _tool_runs(
    data: MissionData, runs: list[Run], tool_id: uuid.UUID
) -> tuple[DefenseTool, list[Run]]:
    """The tool and the runs its layer scores: those the mission counts (rule 1) that the tool
    has an outcome on, each at the tool's level, as `_tool_coverage` takes them. A tool of
    another workspace, or one deleted that has no outcome on the mission's tests, is 404: the
    coverage page offers neither."""
    tool = db.session.scalar(
        including_deleted(select(DefenseTool).where(DefenseTool.id == tool_id))
    )
    levels = {
        detection.mission_test_id: detection.detection_level_id
        for detection in db.session.scalars(
            select(MissionTestDetection).where(
                MissionTestDetection.tool_id == tool_id,
                MissionTestDetection.mission_test_id.in_([run.id for run in runs]),
            )
        )
    }
    if tool is None or (tool.is_deleted and not levels):
        raise NotFound(
            f"No defense tool {tool_id} here"
            + (" with an outcome in this mission (it was deleted)." if tool else ".")
        )
    counted = latest_completed_runs(runs)
    return tool, [
        replace(run, detection_level_id=levels[run.id]) for run in counted if run.id in levels
    ]


def organisation_layer(missions: list[Mission], domain: str | None = None) -> dict[str, Any]:
    """The latest outcome per technique across `missions` as a layer: each technique carries
    the score of its latest counted run (docs/coverage.md, "Across missions")."""
    found = _latest_runs(missions)
    data = found.data
    released = _latest_in_release(found)
    retired, latest = released.retired, released.latest
    level_scores = data.level_scores
    level_colors = {level.id: level.color for level in data.levels if level.score is not None}
    cells = {}
    colors = {}
    for attack_id, test in latest.items():
        cell = Cell()
        cell.add(_as_run(test), level_scores.get(test.detection_level_id))
        cells[attack_id] = cell
        # Its latest outcome's own level's colour, as the Coverage page draws it; an unscored
        # one is grey, like any technique without a score.
        if test.detection_level_id in level_colors:
            colors[attack_id] = level_colors[test.detection_level_id]
    names = ", ".join(mission.name for mission in missions)
    return _layer(
        "Violet coverage across missions",
        f"The latest outcome per technique across: {names}"[:2000],
        data,
        cells,
        domain,
        retired,
        colors,
    )


class LatestInRelease(NamedTuple):
    retired: RetiredInLayer
    latest: dict[str, Any]  # live ATT&CK id → the row of its latest counted run
    # Live ATT&CK id → the revoked ids (tagged on tests) whose runs count for it: it replaced
    # them, or one of its sub-techniques did.
    revoked: dict[str, list[str]]
    # Live ATT&CK id → the revoked id its latest run counts through, when only through one.
    through: dict[str, str]


def _latest_in_release(found: LatestRuns) -> LatestInRelease:
    """`found.latest` as the synced release names the techniques (`RetiredInLayer`), then
    rolled up: a revoked technique's latest run competes with its replacement's (and, when
    that is a sub-technique, its technique's), and the most recent one, by the order `_moment`
    gives, is the latest of the replacement; a revoked sub-technique counts for its old
    technique only when its replacement is under it. A deprecated id counts for nothing of its
    own; a deprecated sub-technique's runs still count for its live technique. At most five
    statements (`_retired_in_layer`), none when nothing is tested."""
    retired = _retired_in_layer(found.data, set(found.latest))
    latest: dict[str, Any] = {}
    revoked: dict[str, set[str]] = defaultdict(set)
    through: dict[str, str | None] = {}
    for attack_id, test in sorted(found.latest.items()):
        for renamed in retired.rename((attack_id,)):
            via = attack_id if attack_id in retired.replaced else None
            for cell_id in {renamed, parent_of(renamed)}:
                if cell_id in retired.left_out or cell_id in retired.replaced:
                    # The retired technique of a live sub-technique: the release has no such
                    # technique to count for (ATT&CK v18.1 has none).
                    continue
                if via:
                    revoked[cell_id].add(via)
                current = latest.get(cell_id)
                if current is None or _moment(test) > _moment(current):
                    latest[cell_id], through[cell_id] = test, via
                elif current.id == test.id and via is None:
                    # One run tagged with both the revoked id and a live one: it is the
                    # technique's own.
                    through[cell_id] = None
    return LatestInRelease(
        retired,
        latest,
        {attack_id: sorted(ids) for attack_id, ids in revoked.items()},
        {attack_id: via for attack_id, via in through.items() if via},
    )


def _as_run(test: MissionTest) -> Run:
    return Run(
        id=test.id,
        chain_id=test.id,
        sequence=0,
        state=test.state,
        detection_level_id=test.detection_level_id,
        attack_ids=(),
        tactic_tags=(),
    )


@dataclass
class RetiredInLayer:
    """The tested ATT&CK ids the synced release no longer has as live techniques: a layer
    lists only ids the Navigator of that release knows (docs/coverage.md, "ATT&CK Navigator
    layers")."""

    replaced: dict[str, str]  # revoked id → the live technique or sub-technique replacing it
    left_out: dict[str, str]  # deprecated, or revoked with no live replacement → that state

    def rename(self, attack_ids: Iterable[str]) -> tuple[str, ...]:
        """`attack_ids` as the release names them: a replacement for a revoked id, without
        the ids left out."""
        renamed = (self._renamed(attack_id) for attack_id in attack_ids)
        return tuple(attack_id for attack_id in renamed if attack_id is not None)

    def _renamed(self, attack_id: str) -> str | None:
        attack_id = self.replaced.get(attack_id, attack_id)
        if attack_id not in self.left_out:
            return attack_id
        # A retired sub-technique's runs still count for its technique (rule 3), when live.
        parent = parent_of(attack_id)
        return parent if parent != attack_id and parent not in self.left_out else None

    def note(self, domain: str, tactics_of: Mapping[str, list[Any]]) -> str:
        """What the layer's description says of the ids of `domain` it renamed or left out."""

        def in_domain(attack_id: str) -> bool:
            tactics = tactics_of.get(parent_of(attack_id), [])
            return any(tactic["domain"] == domain for tactic in tactics)

        said = [
            f"{old} (revoked) is counted as {new}"
            for old, new in sorted(self.replaced.items())
            if in_domain(new)
        ]
        for attack_id, state in sorted(self.left_out.items()):
            if not in_domain(attack_id):
                continue
            said.append(f"{attack_id} ({state}) is left out")
            if (parent := self._renamed(attack_id)) is not None:
                said[-1] += f", its tests counted for {parent}"
        if not said:
            return ""
        return f". Tested techniques the synced ATT&CK release retired: {'; '.join(said)}."


def _retired_in_layer(data: MissionData, attack_ids: set[str]) -> RetiredInLayer:
    """Which of the tested `attack_ids` (and their techniques) are retired, and what replaces
    the revoked ones; the tactics of the replacements are added to `data.tactics_of`. At most
    five statements (two when nothing tested is retired), none when nothing is tested."""
    if not attack_ids:
        return RetiredInLayer({}, {})
    retired = mitre_service.retired_attack_objects(
        attack_ids | {parent_of(attack_id) for attack_id in attack_ids}
    )
    replaced = {old: new for old, (_, new) in retired.items() if new}
    if replaced:
        # A replacement must be live itself, and of a technique the catalogue places in a
        # matrix: otherwise the revoked id is left out like a deprecated one.
        live = mitre_service.live_attack_objects(set(replaced.values()))
        missing = {parent_of(new) for new in live} - set(data.tactics_of)
        if missing:
            tactics_of, _, _ = mitre_service.technique_tactics_and_names(missing)
            data.tactics_of.update(tactics_of)
        replaced = {
            old: new
            for old, new in replaced.items()
            if new in live and data.tactics_of.get(parent_of(new))
        }
    left_out = {
        attack_id: state for attack_id, (state, _) in retired.items() if attack_id not in replaced
    }
    return RetiredInLayer(replaced, left_out)


def _layer(
    name: str,
    description: str,
    data: MissionData,
    cells: dict[str, Cell],
    domain: str | None,
    retired: RetiredInLayer,
    colors: Mapping[str, str] | None = None,
    *,
    untested: Iterable[str] = (),
    group_domains: list[str] | None = None,
) -> dict:
    """A layer of one entry per technique (or sub-technique) and tactic of `domain`, by default
    the one holding most of the tested techniques. A layer has one domain: its description
    names the other domains tested, which have layers of their own. `cells` holds no retired
    id but a retired technique rolled up from live sub-techniques (left out here); the
    description says which ids `retired` renamed or left out. `colors` gives an entry its
    own colour (across missions, its latest outcome's level's); the others take the colour of
    the level closest to their score.

    A threat group's layer (`group_domains`: the group's domains, the one holding most of its
    techniques first, which pick the default domain and the others named) lists the group's
    techniques no run tested too (`untested`: live ids whose tactics are in `data.tactics_of`),
    marked Not tested, and a technique some of whose sub-techniques are listed, but not itself,
    gets an entry that only opens it expanded."""
    # A retired technique whose live sub-techniques were tested is rolled up from them all the
    # same; the release has no such technique to list.
    cells = {
        attack_id: cell for attack_id, cell in cells.items() if attack_id not in retired.left_out
    }
    untested = set(untested) - set(cells)
    if group_domains is None:
        spans = _domains_of(cells, data.tactics_of)
        said = "Techniques tested in other ATT&CK domains are in their own layers"
    else:
        spans = group_domains
        said = "The group's techniques in other ATT&CK domains are in their own layers"
    domain = domain or (spans[0] if spans else DEFAULT_DOMAIN)
    if others := [other for other in spans if other != domain]:
        description += f". {said}: {', '.join(others)}."
    description += retired.note(domain, data.tactics_of)
    # A technique some of whose sub-techniques are in the layer opens expanded in the Navigator.
    listed = set(cells) | untested
    shown = {parent_of(attack_id) for attack_id in listed if "." in attack_id}
    # Only a technique the catalogue gives sub-techniques may say whether they show (the layer
    # format), even one whose tests are tagged with sub-techniques: a release synced since may
    # have none (before ATT&CK v7). One statement for the whole layer.
    with_subtechniques = mitre_service.techniques_with_subtechniques(
        {parent_of(attack_id) for attack_id in listed}
    )
    # A technique whose every counted run is counted under one of its sub-techniques too only
    # rolls them up: its entry says so, and planning from the layer skips it (docs/coverage.md).
    # Not in a threat group's layer: every technique there is one the group uses itself (the
    # others only open expanded), so planning from it must plan each, as planning from the
    # group does, even when its latest outcome is a sub-technique's.
    subtechniques: dict[str, list[str]] = defaultdict(list)
    if group_domains is None:
        for attack_id in sorted(cells):
            if "." in attack_id:
                subtechniques[parent_of(attack_id)].append(attack_id)
    rolled_up_from = {
        attack_id: tuple(subtechniques[attack_id])
        for attack_id, cell in cells.items()
        if subtechniques.get(attack_id)
        and set(cell.test_ids)
        <= {test_id for sub in subtechniques[attack_id] for test_id in cells[sub].test_ids}
    }
    entries = [
        navigator.LayerTechnique(
            technique_id=attack_id,
            tactic=tactic["shortname"],
            score=cell.score,
            tests=cell.tests,
            # In the levels' order (best first), whatever order the runs came in.
            outcomes={
                level.name: cell.outcomes[level.id]
                for level in data.levels
                if level.id in cell.outcomes
            },
            has_subtechniques=attack_id in with_subtechniques,
            show_subtechniques=attack_id in shown,
            rolled_up_from=rolled_up_from.get(attack_id, ()),
            color=(colors or {}).get(attack_id),
        )
        for attack_id, cell in sorted(cells.items())
        for tactic in data.tactics_of.get(parent_of(attack_id), [])
        if tactic["domain"] == domain
    ]
    entries += [
        navigator.LayerTechnique(
            technique_id=attack_id,
            tactic=tactic["shortname"],
            score=None,
            tests=0,
            outcomes={},
            has_subtechniques=attack_id in with_subtechniques,
            show_subtechniques=attack_id in shown,
            tested=False,
        )
        for attack_id in sorted(untested)
        for tactic in data.tactics_of.get(parent_of(attack_id), [])
        if tactic["domain"] == domain
    ]
    if group_domains is not None:
        # A threat group often uses sub-techniques and not their technique (ATT&CK v18.1's
        # APT29: 46 of its 66): that technique gets an entry that only opens it expanded, as the
        # Navigator saves one for a technique its user expanded; else they would hide behind it
        # collapsed. Planning from the layer asks nothing of it (`is_display_state`).
        entries += [
            navigator.LayerTechnique(
                technique_id=attack_id,
                tactic=tactic["shortname"],
                score=None,
                tests=0,
                outcomes={},
                has_subtechniques=True,
                show_subtechniques=True,
                display_only=True,
            )
            for attack_id in sorted(shown - listed)
            if attack_id in with_subtechniques
            for tactic in data.tactics_of.get(attack_id, [])
            if tactic["domain"] == domain
        ]
    # In ATT&CK id order, tested or not (the format keeps no order; a reader may).
    entries.sort(key=lambda entry: entry.technique_id)
    return navigator.build_layer(
        name=name,
        description=description,
        domain=domain,
        attack_version=mitre_service.synced_version(domain),
        techniques=entries,
        levels=[navigator.Level(level.name, level.score, level.color) for level in data.levels],
    )


# --- GET /missions/{id}/export -------------------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "position",
    "name",
    "state",
    "category",
    "retest_of_id",
    "mitre",
    "platforms",
    "description",
    "procedure",
    "prerequisites",
    "cleanup",
    "expected_detection",
    "opsec_level",
    "executed_at",
    "executed_by",
    "source_host",
    "target_host",
    "command_executed",
    "execution_result",
    "red_notes",
    "detection_level",
    "detected_at",
    "detection_notes",
    "detection_refs",
    "expected_tools",
    "tool_detections",
)


def export_rows(mission: Mission) -> list[dict[str, Any]]:
    """Every test of the mission with its content (procedure, prerequisites, cleanup, expected
    detection, OPSEC level), red and blue fields, ATT&CK tags and per-tool outcomes."""
    data = load_mission(mission, full_tests=True)
    level_names = {level.id: level.name for level in data.levels}
    # Deleted tools and categories too: what was recorded with them keeps their names
    # (docs/api.md, "Detection levels and defense tools"), as in the mission archive.
    tools = {tool.id: tool for tool in db.session.scalars(including_deleted(select(DefenseTool)))}
    categories = {
        category.id: category.name
        for category in db.session.scalars(
            including_deleted(
                select(MissionCategory).where(MissionCategory.mission_id == mission.id)
            )
        )
    }
    detections: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for detection in db.session.scalars(
        select(MissionTestDetection).where(
            MissionTestDetection.mission_test_id.in_([test.id for test in data.tests])
        )
    ):
        tool = tools[detection.tool_id]
        detections[detection.mission_test_id].append(
            {
                "tool_id": str(tool.id),
                "tool": tool.name,
                "tool_layer": tool.layer,
                "tool_deleted": tool.is_deleted,
                "detection_level": level_names.get(detection.detection_level_id),
                "detected_at": _iso(detection.detected_at),
                "rule_ref": detection.rule_ref,
                "notes": detection.notes,
            }
        )
    for outcomes in detections.values():
        outcomes.sort(key=_tool_order)
    emails = emails_of({test.executed_by for test in data.tests if test.executed_by})
    return [
        {
            "id": str(test.id),
            "position": test.position,
            "name": test.name,
            "state": test.state,
            "category": categories.get(test.category_id) if test.category_id else None,
            "retest_of_id": str(test.retest_of_id) if test.retest_of_id else None,
            "mitre": [
                {"kind": tag.kind, "external_id": tag.external_id, "name": tag.name}
                for tag in data.tags.get(test.id, [])
            ],
            "platforms": list(test.platforms),
            "description": test.description,
            "procedure": test.procedure,
            "prerequisites": test.prerequisites,
            "cleanup": test.cleanup,
            "expected_detection": test.expected_detection,
            "opsec_level": test.opsec_level,
            "executed_at": test.executed_at.isoformat() if test.executed_at else None,
            "executed_by": emails.get(test.executed_by) if test.executed_by else None,
            "source_host": test.source_host,
            "target_host": test.target_host,
            "command_executed": test.command_executed,
            "execution_result": test.execution_result,
            "red_notes": test.red_notes,
            "detection_level": level_names.get(test.detection_level_id)
            if test.detection_level_id
            else None,
            "detected_at": test.detected_at.isoformat() if test.detected_at else None,
            "detection_notes": test.detection_notes,
            "detection_refs": list(test.detection_refs),
            # A deleted tool as its outcomes' column group and the drawer name it: a live tool
            # may have taken its name, and "NDR" would read as that one.
            "expected_tools": [
                tool_label(tools[tool_id].name, tools[tool_id].is_deleted)
                for tool_id in test.expected_tool_ids
                if tool_id in tools
            ],
            "tool_detections": detections.get(test.id, []),
        }
        for test in data.tests
    ]


def tool_label(name: str, deleted: bool) -> str:
    """A defense tool as downloads name it: a deleted one "NDR (deleted)", since a live tool
    may have taken its name and "NDR" would read as that one."""
    return f"{name} (deleted)" if deleted else name


def _tool_order(outcome: dict[str, Any]) -> tuple[str, bool, str]:
    """Outcomes by tool name; a deleted tool after the live one that took its name."""
    return (outcome["tool"], outcome["tool_deleted"], outcome["tool_id"])


# A tool's outcome in the CSV: one column per field, under "<tool> <field>".
TOOL_CSV_FIELDS = (
    ("level", "detection_level"),
    ("detected_at", "detected_at"),
    ("rule", "rule_ref"),
    ("notes", "notes"),
)


def export_csv(mission: Mission) -> bytes:
    """The export as spreadsheet-safe CSV: lists joined with "; ", and each tool's outcome in a
    column group of its own (`EDR level`, `EDR detected_at`, `EDR rule`, `EDR notes`) for every
    tool with an outcome in the mission, so that notes holding "; " or commas read back as
    written (docs/coverage.md, "Exports")."""
    rows = export_rows(mission)
    fields = [name for name in EXPORT_FIELDS if name != "tool_detections"]
    groups = _tool_column_groups(rows)
    header = [
        *fields,
        *(f"{label} {suffix}" for label in groups.values() for suffix, _ in TOOL_CSV_FIELDS),
    ]

    def cells(row: dict[str, Any]) -> list[Any]:
        outcomes = {outcome["tool_id"]: outcome for outcome in row["tool_detections"]}
        return [
            *(_csv_cell(row[name]) for name in fields),
            *(
                outcomes[tool_id][key] if tool_id in outcomes else None
                for tool_id in groups
                for _, key in TOOL_CSV_FIELDS
            ),
        ]

    return csv_document(header, (cells(row) for row in rows))


def _tool_column_groups(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Tool id → the label of its column group, for every tool with an outcome in `rows`, by
    name. A deleted tool is labelled "<name> (deleted)": a live tool may have taken its name.
    Two tools left with one label (two deleted tools of one name) are told apart by a number,
    so that no two columns share a header."""
    outcomes = sorted(
        {o["tool_id"]: o for row in rows for o in row["tool_detections"]}.values(),
        key=_tool_order,
    )
    groups: dict[str, str] = {}
    for outcome in outcomes:
        label = tool_label(outcome["tool"], outcome["tool_deleted"])
        taken = set(groups.values())
        unique, number = label, 1
        while unique in taken:
            number += 1
            unique = f"{label} #{number}"
        groups[outcome["tool_id"]] = unique
    return groups


def _csv_cell(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return "; ".join(
        f"{item['external_id']} {item['name']}" if isinstance(item, dict) else str(item)
        for item in value
    )


# --- POST /missions/{id}/tests/from-layer and /from-group ---------------------------------------


NOT_IN_CATALOGUE = "Not a technique of the synced ATT&CK catalogue."
NOT_PLANNED = {
    "revoked": "Revoked in the synced ATT&CK release.",
    "deprecated": "Deprecated in the synced ATT&CK release.",
}


def plan_from_attack_ids(
    access: MissionAccess,
    attack_ids: Sequence[str],
    *,
    dry_run: bool,
    domains: Mapping[str, set[str]] | None = None,
) -> dict[str, Any]:
    """Add, for each ATT&CK id (in order), the library's live templates tagged with exactly
    that technique or sub-technique, or one bare test tagged with it when the library has none.

    A template already in the mission (or already planned for an earlier id) is not added
    twice, nor a bare test for an id a test of the mission is tagged with (or with a revoked id
    it replaced, as the layers count it); an id the catalogue
    does not know as a live technique is skipped, saying whether it is revoked, deprecated or
    unknown; a revoked one that names its replacement is planned as that one. `domains` (ATT&CK
    id → the domains it is planned for: those of the layers listing it, or the one asked of a
    group): an id whose technique is of none of them is skipped, saying so. `dry_run` reports
    the same without adding anything. Lookups are a fixed number of statements; each added test
    is one insert through the missions service.
    """
    known = mitre_service.live_attack_objects(set(attack_ids))
    unknown = set(attack_ids) - set(known)
    retired = mitre_service.retired_attack_objects(unknown) if unknown else {}
    # A revoked id is planned as the live technique that replaced it (an old layer's T1086 as
    # T1059.001), when the catalogue knows one.
    replacements = {old: new for old, (_, new) in retired.items() if new}
    if set(replacements.values()) - set(known):
        known |= mitre_service.live_attack_objects(set(replacements.values()) - set(known))
    templates = _templates_tagged(set(known))
    in_mission = set(
        db.session.scalars(
            select(MissionTest.test_template_id).where(
                MissionTest.mission_id == access.mission.id,
                MissionTest.test_template_id.is_not(None),
            )
        )
    )
    tagged_in_mission = set(
        db.session.scalars(
            select(MissionTestMitreTag.external_id)
            .join(MissionTest, MissionTest.id == MissionTestMitreTag.mission_test_id)
            .where(MissionTest.mission_id == access.mission.id)
        )
    )
    # A test tagged with a technique ATT&CK has revoked since counts for the one that replaced
    # it, as in the mission's layer (an old Atomic's T1086 covers T1059.001): no bare test for
    # the replacement beside it.
    if tagged_in_mission:
        revoked_tags = mitre_service.retired_attack_objects(tagged_in_mission)
        tagged_in_mission |= {new for _, new in revoked_tags.values() if new}
    planned: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    done: set[str] = set()
    for requested in dict.fromkeys(attack_ids):
        attack_id = replacements.get(requested, requested)
        if attack_id not in known:
            state = retired.get(requested, ("", None))[0]
            skipped.append(
                {"external_id": requested, "reason": NOT_PLANNED.get(state, NOT_IN_CATALOGUE)}
            )
            continue
        wanted = domains.get(requested) if domains is not None else None
        if wanted and known[attack_id]["domain"] not in wanted:
            # A layer draws one domain's matrix: an id of another domain is not what it shows
            # (a Mobile T1417 listed in an ICS layer); a group is planned for the domain asked.
            skipped.append(
                {
                    "external_id": requested,
                    "reason": f"A technique of {known[attack_id]['domain']}, not of "
                    f"{' or '.join(sorted(wanted))}.",
                }
            )
            continue
        if attack_id != requested:
            reason = (
                f"Revoked in the synced ATT&CK release: planned as {attack_id}, which replaced it."
            )
            skipped.append({"external_id": requested, "reason": reason})
        if attack_id in done:
            continue  # planned already, for an earlier id it replaced
        done.add(attack_id)
        candidates = templates.get(attack_id, [])
        fresh = [template for template in candidates if template.id not in in_mission]
        if candidates and not fresh:
            skipped.append(
                {
                    "external_id": attack_id,
                    "reason": "Its library tests are already in the mission.",
                }
            )
            continue
        for template in fresh:
            in_mission.add(template.id)
            planned.append(
                {"external_id": attack_id, "name": template.name, "test_template_id": template.id}
            )
        if not candidates and attack_id in tagged_in_mission:
            skipped.append(
                {"external_id": attack_id, "reason": "A test of the mission already covers it."}
            )
            continue
        if not candidates:
            name = f"{attack_id} {known[attack_id]['name']}"[:200]
            planned.append({"external_id": attack_id, "name": name, "test_template_id": None})
    added = []
    for item in planned:
        test_id = None
        if not dry_run:
            values: dict[str, Any] = (
                {"test_template_id": item["test_template_id"]}
                if item["test_template_id"]
                else {
                    "name": item["name"],
                    "mitre": [
                        {
                            "kind": known[item["external_id"]]["kind"],
                            "external_id": item["external_id"],
                        }
                    ],
                }
            )
            test_id = mission_tests.add_test(access, values).id
        added.append({**item, "test_id": test_id})
    from_library = sum(1 for item in planned if item["test_template_id"])
    return {
        "dry_run": dry_run,
        "added": added,
        "from_library": from_library,
        "bare": len(planned) - from_library,
        "skipped": skipped,
    }


def _templates_tagged(attack_ids: set[str]) -> dict[str, list[TestTemplate]]:
    """ATT&CK id → the workspace's live templates tagged with exactly it (by name); one
    statement. A template tagged with a revoked technique counts for the one that replaced it:
    an Atomic file written for T1191 tests what ATT&CK now calls T1218.003."""
    if not attack_ids:
        return {}
    technique = aliased(MitreTechnique)
    subtechnique = aliased(MitreSubtechnique)
    attack_id = func.coalesce(
        technique.replaced_by,
        technique.external_id,
        subtechnique.replaced_by,
        subtechnique.external_id,
    )
    rows = db.session.execute(
        select(attack_id, TestTemplate)
        .join(TestTemplateMitreTag, TestTemplateMitreTag.test_template_id == TestTemplate.id)
        .outerjoin(technique, technique.id == TestTemplateMitreTag.technique_id)
        .outerjoin(subtechnique, subtechnique.id == TestTemplateMitreTag.subtechnique_id)
        .where(attack_id.in_(attack_ids))
        .order_by(TestTemplate.name, TestTemplate.id)
    ).all()
    tagged: dict[str, list[TestTemplate]] = defaultdict(list)
    for external_id, template in rows:
        tagged[external_id].append(template)
    return tagged


def layer_attack_ids(
    layers: Sequence[Any],
    *,
    field: str = "layer",
    min_score: float | None = None,
    max_score: float | None = None,
) -> dict[str, set[str]]:
    """The ids the layers plan (`navigator.planned_techniques`), in order without repeats, each
    with the domains of the layers listing it (`navigator.layer_domain`), after checking each
    layer's form. A malformed layer is 422 listing what is wrong on `field`, the request's
    field: `layer`, or `layers` (each problem then naming its layer)."""
    problems: list[str] = []
    for index, layer in enumerate(layers):
        found = navigator.layer_problems(layer, uploaded=True)
        problems += found if field == "layer" else [f"layers[{index}]: {item}" for item in found]
    if problems:
        raise Unprocessable(
            f"Not a usable ATT&CK Navigator layer: {problems[0]}", errors={field: problems[:50]}
        )
    planned: dict[str, set[str]] = {}
    for layer in layers:
        domain = navigator.layer_domain(layer)
        for attack_id in navigator.planned_techniques(
            layer, min_score=min_score, max_score=max_score
        ):
            planned.setdefault(attack_id, set()).add(domain)
    return planned


def group_attack_ids(group_external_id: str) -> list[str]:
    """The techniques and sub-techniques a threat group uses; an unknown group is 422, and so is
    a revoked or deprecated one, saying so (and which group replaced it)."""
    try:
        group = mitre_service.get_group(group_external_id.strip().upper())
    except NotFound as exc:
        raise Unprocessable(exc.detail, errors={"group": [exc.detail]}) from exc
    if reason := mitre_service.retired_group_reason(group):
        raise Unprocessable(reason, errors={"group": [reason]})
    return [technique["external_id"] for technique in group["techniques"]]


# --- GET /coverage/compare -----------------------------------------------------------------------


def compare_missions(before: Mission, after: Mission) -> dict[str, Any]:
    """Per technique and sub-technique tested in either mission: both scores and the change."""
    old, new = load_mission(before), load_mission(after)
    old_coverage, new_coverage = old.coverage(), new.coverage()
    old_cells, new_cells = old_coverage.techniques, new_coverage.techniques
    names = {**old.attack_names(), **new.attack_names()}
    techniques = []
    for attack_id in sorted(set(old_cells) | set(new_cells)):
        old_cell, new_cell = old_cells.get(attack_id), new_cells.get(attack_id)
        techniques.append(
            {
                "external_id": attack_id,
                "kind": "subtechnique" if "." in attack_id else "technique",
                "name": names.get(attack_id, attack_id),
                "from_score": old_cell.score if old_cell else None,
                "to_score": new_cell.score if new_cell else None,
                "change": compare_scores(
                    old_cell.score if old_cell else None,
                    new_cell.score if new_cell else None,
                    in_before=old_cell is not None,
                    in_after=new_cell is not None,
                ),
            }
        )
    return {
        "from": {"id": before.id, "name": before.name, "score": old_coverage.mission.score},
        "to": {"id": after.id, "name": after.name, "score": new_coverage.mission.score},
        "domains": _domains_of(
            set(old_cells) | set(new_cells), {**old.tactics_of, **new.tactics_of}
        ),
        "summary": dict(Counter(item["change"] for item in techniques)),
        "techniques": techniques,
    }


# --- GET /coverage and /coverage/groups/{id}: the organisation's latest outcomes ----------------


def visible_missions(mission_ids: list[uuid.UUID] | None) -> list[Mission]:
    """The missions of `mission_ids` (all when None) the caller may see; naming one they may
    not see (or that does not exist) is 404, as for a single mission."""
    statement = select(Mission).order_by(Mission.created_at, Mission.id)
    if not (has_permission("mission.read_all") or has_permission("mission.manage_all")):
        # As an API token's mission access lets the caller use their memberships.
        statement = statement.where(Mission.id.in_(member_mission_ids()))
    if mission_ids is not None:
        statement = statement.where(Mission.id.in_(mission_ids))
    missions = list(db.session.scalars(statement))
    if mission_ids is not None and len(missions) != len(set(mission_ids)):
        # Name them: with several ids (a saved link, a script's list), a bare "No such mission"
        # leaves the caller to find the one deleted or not theirs by trying each.
        found = {mission.id for mission in missions}
        missing = ", ".join(
            str(mission_id) for mission_id in dict.fromkeys(mission_ids) if mission_id not in found
        )
        error = no_such_mission(f"No such mission: {missing}.")
        raise NotFound(error.detail, errors={"mission_ids": [error.detail]})
    return missions


def latest_outcomes(missions: list[Mission]) -> dict[str, Any]:
    """Per technique and sub-technique, the most recent counted run across `missions` (a
    sub-technique's run counts for its technique too); the score is the mean over techniques
    (docs/coverage.md, "Across missions"). Constant statements whatever the number of missions."""
    found = _latest_runs(missions)
    data, latest = found.data, _rolled_up(found.latest)
    mission_names = {mission.id: mission.name for mission in missions}
    # As `MissionData.attack_names`: the tags' names, else the catalogue's.
    names = {**data.technique_names, **found.tag_names}
    level_scores = data.level_scores
    techniques = [
        {
            "external_id": attack_id,
            "kind": "subtechnique" if "." in attack_id else "technique",
            "name": names.get(attack_id, attack_id),
            "tactics": [
                tactic["external_id"] for tactic in data.tactics_of.get(parent_of(attack_id), [])
            ],
            "detection_level_id": test.detection_level_id,
            "score": level_scores.get(test.detection_level_id),
            "mission_id": test.mission_id,
            "mission_name": mission_names.get(test.mission_id, ""),
            "test_id": test.id,
            "at": _moment(test)[0],
        }
        for attack_id, test in sorted(latest.items())
    ]
    return {
        "mission_ids": [mission.id for mission in missions],
        "levels": [_level_out(level) for level in data.levels],
        "domains": _domains_of(latest, data.tactics_of),
        "score": _mean(item["score"] for item in techniques if item["kind"] == "technique"),
        "techniques": techniques,
    }


class LatestRuns(NamedTuple):
    # Levels and tactics of every tagged technique; `tests` and `tags` hold the retest chains.
    data: MissionData
    # ATT&CK id as tagged → the row (RUN_COLUMNS) of the latest counted run tagged with it;
    # not rolled up to techniques (`_rolled_up`, `_latest_in_release`).
    latest: dict[str, Any]
    tag_names: dict[str, str]  # ATT&CK id → its name on the missions' tags


class LatestStatements(NamedTuple):
    tags: Select[Any]
    chain_tests: Select[Any]
    chain_tags: Select[Any]
    winners: Select[Any]


@cache
def _latest_statements() -> LatestStatements:
    """`_latest_runs`' statements, built once: the missions' ids are one array parameter."""
    ids = bindparam("mission_ids", type_=ARRAY(MissionTest.mission_id.type))
    in_missions = MissionTest.mission_id == any_(ids)
    newer = aliased(MissionTest)
    # The runs of retest chains: every retest and every run retested (a retest is in its run's
    # mission). Both halves are found by the index on `retest_of_id`.
    retests = (
        newer.mission_id == any_(ids),
        newer.retest_of_id.is_not(None),
        newer.deleted_at.is_(None),
    )
    in_chain = MissionTest.id.in_(
        union(select(newer.id).where(*retests), select(newer.retest_of_id).where(*retests))
    )
    tagged = select(*TAG_COLUMNS).join(
        MissionTest, MissionTest.id == MissionTestMitreTag.mission_test_id
    )
    # Per ATT&CK id as tagged: a sub-technique's run is rolled up to its technique in Python,
    # once the synced release has renamed the ids (`_latest_in_release`): a sub-technique
    # revoked for a technique elsewhere no longer counts for its old technique.
    external_id = MissionTestMitreTag.external_id
    cell = external_id.label("cell")
    moment = func.coalesce(MissionTest.detected_at, MissionTest.executed_at, MissionTest.updated_at)
    single_runs = (
        select(cell, moment.label("moment"), MissionTest.id)
        .join(MissionTestMitreTag, MissionTestMitreTag.mission_test_id == MissionTest.id)
        .where(
            in_missions,
            MissionTest.state == COMPLETED,
            MissionTestMitreTag.kind != "tactic",
            ~in_chain,
        )
        .subquery("single_runs")
    )
    # Per ATT&CK id tagged, the most recent of those runs: the order `_moment` gives (a uuid
    # sorts as its text does). Narrow rows, so that PostgreSQL sorts them in memory.
    winners = (
        select(single_runs.c.cell, single_runs.c.id)
        .ext(distinct_on(single_runs.c.cell))
        .order_by(single_runs.c.cell, single_runs.c.moment.desc(), single_runs.c.id.desc())
        .subquery("winners")
    )
    return LatestStatements(
        # Each ATT&CK id tagged once (grouped, not sorted: a hundred ids from 50,000 tags).
        tags=prepared(
            cast(
                Select[Any],
                select(
                    func.min(MissionTestMitreTag.kind).label("kind"),
                    external_id,
                    func.min(MissionTestMitreTag.name).label("name"),
                ),
            )
            .join(MissionTest, MissionTest.id == MissionTestMitreTag.mission_test_id)
            .where(in_missions)
            .group_by(external_id)
        ),
        chain_tests=prepared(
            cast(Select[Any], select(*RUN_COLUMNS))
            .where(in_missions, in_chain)
            .order_by(MissionTest.position, MissionTest.id)
        ),
        chain_tags=prepared(
            cast(Select[Any], tagged)
            .where(in_missions, in_chain)
            .order_by(MissionTestMitreTag.external_id)
        ),
        winners=prepared(
            cast(Select[Any], select(winners.c.cell, *RUN_COLUMNS)).join(
                winners, winners.c.id == MissionTest.id
            )
        ),
    )


def _latest_runs(missions: list[Mission]) -> LatestRuns:
    """Per ATT&CK id tagged the test of its latest counted run across `missions`, not rolled
    up: which technique a sub-technique's run counts for depends on the release (a revoked
    sub-technique's replacement may sit under another technique), and the latest run of a
    technique is the latest of its own and its sub-techniques' latest runs.

    It reads only what can count, not every test of every mission (over 300 missions of 150
    tests that took seconds, docs/performance.md "Scale"):
    - a completed run outside any retest chain (no retest, not retested) always counts: SQL
      picks per technique the most recent of those;
    - the runs of retest chains are read whole and followed as a mission's coverage follows
      them (the latest completed run of each chain), then compared with the first.
    """
    statements = _latest_statements()
    missions_ids = {"mission_ids": [mission.id for mission in missions]}
    tags = db.session.execute(statements.tags, missions_ids).all()
    chain_tests = db.session.execute(statements.chain_tests, missions_ids).all()
    chain_tags: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for tag in db.session.execute(statements.chain_tags, missions_ids):
        chain_tags[tag.mission_test_id].append(tag)
    levels = list(db.session.scalars(_load_statements(False).levels))
    tactics_of, tactic_names, technique_names = _tactics_of_tags(tags)
    data = MissionData(
        None, list(chain_tests), dict(chain_tags), levels, tactics_of, tactic_names, technique_names
    )
    latest: dict[str, Any] = {}
    for row in db.session.execute(statements.winners, missions_ids):
        _keep_latest(latest, row.cell, row)
    by_id = {test.id: test for test in chain_tests}
    for run in latest_completed_runs(data.runs()):
        for attack_id in run.attack_ids:
            _keep_latest(latest, attack_id, by_id[run.id])
    return LatestRuns(data, latest, {tag.external_id: tag.name for tag in tags})


def _keep_latest(latest: dict[str, Any], attack_id: str, test: Any) -> None:
    """`test` as `attack_id`'s latest run in `latest` when more recent than the one there."""
    current = latest.get(attack_id)
    if current is None or _moment(test) > _moment(current):
        latest[attack_id] = test


def _rolled_up(latest: Mapping[str, Any]) -> dict[str, Any]:
    """`latest` (per ATT&CK id tagged) with a sub-technique's run counted for its technique
    too, as tagged: per technique the latest of its own and its sub-techniques' latest runs."""
    rolled_up: dict[str, Any] = {}
    for attack_id, test in latest.items():
        for cell_id in {attack_id, parent_of(attack_id)}:
            _keep_latest(rolled_up, cell_id, test)
    return rolled_up


def _moment(test: MissionTest) -> tuple[Any, str]:
    """When a run's outcome was known: detected, else executed, else last changed."""
    return (test.detected_at or test.executed_at or test.updated_at, str(test.id))


def _mean(scores: Any) -> float | None:
    values = [score for score in scores if score is not None]
    return mean(sum(values), len(values)) if values else None


def group_coverage(group_external_id: str, missions: list[Mission]) -> dict[str, Any]:
    """How the latest outcomes across `missions` cover a threat group's techniques. An unknown
    group is 404, and so is a revoked or deprecated one, saying so (and which group replaced
    it): it has no techniques, and a score of nothing would read as an untested group."""
    group = _live_group(group_external_id)
    found = _latest_runs(missions)
    # The group's techniques are the synced release's live ones: a test tagged with a technique
    # a later sync revoked counts for the one that replaced it (T1086 for T1059.001), as in the
    # layers (docs/coverage.md, "Retired techniques").
    released = _latest_in_release(found)
    level_scores = found.data.level_scores
    techniques = []
    for technique in group["techniques"]:
        attack_id = technique["external_id"]
        outcome = released.latest.get(attack_id)
        techniques.append(
            {
                "external_id": attack_id,
                "kind": technique["kind"],
                "name": technique["name"],
                "tactics": [tactic["external_id"] for tactic in technique["tactics"]],
                "tested": outcome is not None,
                "detection_level_id": outcome.detection_level_id if outcome else None,
                "score": level_scores.get(outcome.detection_level_id) if outcome else None,
                "mission_id": outcome.mission_id if outcome else None,
                "test_id": outcome.id if outcome else None,
                "revoked_ids": released.revoked.get(attack_id, []),
                "outcome_revoked_id": released.through.get(attack_id),
            }
        )
    # Untested techniques count as 0: a group is covered only as far as it was tested. One
    # whose latest outcome is excluded from scoring (Not applicable) is left out, as in every mean.
    counted = [item for item in techniques if not (item["tested"] and item["score"] is None)]
    return {
        "group": {
            "external_id": group["external_id"],
            "name": group["name"],
            "aliases": group["aliases"],
        },
        "domains": _group_domains(group),
        "techniques_total": len(techniques),
        "techniques_tested": sum(item["tested"] for item in techniques),
        "score": mean(sum(item["score"] or 0 for item in counted), len(counted))
        if counted
        else None,
        "tested_score": _mean(item["score"] for item in techniques),
        "techniques": techniques,
    }


def _live_group(group_external_id: str) -> dict[str, Any]:
    """The group as `mitre_service.get_group` gives it. An unknown group is 404, and so is a
    revoked or deprecated one, saying so (and which group replaced it)."""
    group = mitre_service.get_group(group_external_id.strip().upper())
    if reason := mitre_service.retired_group_reason(group):
        raise NotFound(reason)
    return group


def _group_domains(group: Mapping[str, Any]) -> list[str]:
    """The ATT&CK domains of the group's techniques, the one holding most first."""
    return ranked_domains(
        {
            parent_of(technique["external_id"]): technique["domain"]
            for technique in group["techniques"]
        }.values()
    )


def group_layer_download(
    group_external_id: str, missions: list[Mission], domain: str | None = None
) -> tuple[dict[str, Any], str]:
    """How the latest outcomes across `missions` cover a threat group's techniques, as a layer
    of `domain` (default: the group's domain holding most of its techniques), and the
    `Content-Disposition` it downloads with (`violet-G0016-layer.json`).

    The layer holds exactly the group's techniques of that domain: a tested one as the
    organisation layer writes it (its latest outcome's score and level, `group_coverage`'s
    figures), an untested one with no score, the "Not tested" colour and comment. The statements
    are `group_coverage`'s and `_layer`'s, whatever the size of the group."""
    group = _live_group(group_external_id)
    found = _latest_runs(missions)
    data = found.data
    released = _latest_in_release(found)
    level_scores = data.level_scores
    level_colors = {level.id: level.color for level in data.levels if level.score is not None}
    used = {technique["external_id"] for technique in group["techniques"]}
    cells: dict[str, Cell] = {}
    colors: dict[str, str] = {}
    for attack_id in used & set(released.latest):
        test = released.latest[attack_id]
        cells[attack_id] = Cell()
        cells[attack_id].add(_as_run(test), level_scores.get(test.detection_level_id))
        if test.detection_level_id in level_colors:
            colors[attack_id] = level_colors[test.detection_level_id]
    # The tactics of the untested techniques too: the group's, as the catalogue places them.
    for technique in group["techniques"]:
        data.tactics_of.setdefault(
            parent_of(technique["external_id"]),
            [{**tactic, "domain": technique["domain"]} for tactic in technique["tactics"]],
        )
    # Only what was renamed or left out for one of the group's techniques is worth a word in the
    # group's layer: T1086 counted as T1059.001 when the group uses T1059.001 or T1059.
    retired = RetiredInLayer(
        {
            old: new
            for old, new in released.retired.replaced.items()
            if new in used or parent_of(new) in used
        },
        {
            old: state
            for old, state in released.retired.left_out.items()
            # A deprecated sub-technique of a technique the group uses counts for it.
            if set(released.retired.rename((old,))) & used
        },
    )
    names = ", ".join(mission.name for mission in missions) or "no mission (none is visible)"
    aliases = [alias for alias in group["aliases"] if alias != group["name"]]
    known_as = f", also known as {', '.join(aliases)}" if aliases else ""
    title = f"{group['name']} ({group['external_id']})"
    layer = _layer(
        f"{title} — Violet coverage",
        (
            f"How the latest outcomes of Violet's missions cover the techniques ATT&CK "
            f"attributes to {title}{known_as}; untested ones are marked Not tested. The latest "
            f"outcome per technique across: {names}"
        )[:2000],
        data,
        cells,
        domain,
        retired,
        colors,
        untested=used - set(cells),
        group_domains=_group_domains(group),
    )
    safe_id = re.sub(_NOT_ASCII_SAFE, "-", group["external_id"])
    return layer, attachment(f"violet-{safe_id}-layer.json")


# --- GET /missions/{id}/report -------------------------------------------------------------------


def mission_report(mission: Mission, generated_at: Any) -> str:
    """The printable HTML report: summary, scores by tactic, heatmap, per-test table and the
    evidence files' list."""
    coverage = mission_coverage(mission)
    levels = [
        navigator.Level(level["name"], level["score"], level["color"])
        for level in coverage["levels"]
    ]
    level_names = {str(level["id"]): level["name"] for level in coverage["levels"]}
    tests = export_rows(mission)
    return render_report(
        {
            "mission": mission,
            # The `organisation_name` setting: whose report it is, once printed.
            "organisation": settings.get_value("organisation_name"),
            "generated_at": generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            "coverage": coverage,
            "levels": coverage["levels"],
            "tests": tests,
            "evidence": _report_evidence(mission, tests),
            "fmt": lambda score: "—" if score is None else f"{score:g}",
            "color": lambda score: navigator.level_color(score, levels),
            "outcomes": lambda outcomes: ", ".join(
                f"{outcomes[level_id]} {name}"
                for level_id, name in level_names.items()
                if level_id in outcomes
            ),
        }
    )


def _report_evidence(mission: Mission, tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live evidence files of the report's tests, in the tests' order, each with its test:
    what the report lists (names, sizes, hashes; never the content, which the archive holds)."""
    by_id = {test["id"]: test for test in tests}
    files = db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.mission_id == mission.id,
            EvidenceFile.mission_test_id.in_([uuid.UUID(test_id) for test_id in by_id]),
            EvidenceFile.purged_at.is_(None),
        )
    )
    ordered = sorted(
        files,
        key=lambda item: (by_id[str(item.mission_test_id)]["position"], item.created_at, item.id),
    )
    return [{"test": by_id[str(item.mission_test_id)], "file": item} for item in ordered]


# --- POST /missions/{id}/save-as-scenario --------------------------------------------------------

# The fields a mission test shares with a library template (copied when it has none).
TEMPLATE_FIELDS = (
    "name",
    "description",
    "procedure",
    "cleanup",
    "prerequisites",
    "expected_detection",
    "opsec_level",
    "platforms",
)


def _scenario_tests(mission: Mission) -> tuple[list[MissionTest], set[uuid.UUID]]:
    """The tests a scenario of the mission is made of, in order (retests left out: they run a
    test again), and the ids of the live library templates among theirs."""
    tests = list(
        db.session.scalars(
            select(MissionTest)
            .where(MissionTest.mission_id == mission.id, MissionTest.retest_of_id.is_(None))
            .order_by(MissionTest.position, MissionTest.id)
        )
    )
    live_templates = set(
        db.session.scalars(
            select(TestTemplate.id).where(
                TestTemplate.id.in_({test.test_template_id for test in tests} - {None})
            )
        )
    )
    return tests, live_templates


def scenario_preview(mission: Mission) -> dict[str, Any]:
    """What saving the mission as a scenario would take, before anything is written: how many
    tests, how many of them would become new library templates (ad hoc tests, and tests whose
    template was deleted since), and which permissions the save needs for that. The SPA asks
    it so as to say beforehand why a save would be 403, instead of offering one that is."""
    tests, live_templates = _scenario_tests(mission)
    to_copy = [test for test in tests if test.test_template_id not in live_templates]
    needs = ["scenario_template.write"] + (["test_template.write"] if to_copy else [])
    return {
        "tests": len(tests),
        "new_templates": len(to_copy),
        "needs": needs,
        "allowed": all(has_permission(code) for code in needs),
        "unknown_tags": _unknown_tags(to_copy, _tags_of(to_copy)),
    }


def _tags_of(tests: list[MissionTest]) -> dict[uuid.UUID, list[dict[str, str]]]:
    """The ATT&CK tags of `tests` as a template takes them, by test id (one statement)."""
    tags: dict[uuid.UUID, list[dict[str, str]]] = defaultdict(list)
    for tag in db.session.scalars(
        select(MissionTestMitreTag).where(
            MissionTestMitreTag.mission_test_id.in_([test.id for test in tests])
        )
    ):
        tags[tag.mission_test_id].append({"kind": tag.kind, "external_id": tag.external_id})
    return tags


def _unknown_tags(
    tests: list[MissionTest], tags: dict[uuid.UUID, list[dict[str, str]]]
) -> list[dict[str, Any]]:
    """The tests to copy whose tags this ATT&CK catalogue does not know, each with those ids.

    A mission test keeps a copy of its tags, so one restored from another instance's archive
    (a newer release's T1999) can hold an id no template may have: a template's tag points at
    the catalogue. A revoked or deprecated one is known, and kept as tagged."""
    keys = {test.id: mitre_tags.tag_keys(tags.get(test.id, [])) for test in tests}
    found = mitre_tags.lookup(key for test_keys in keys.values() for key in test_keys)
    unknown = []
    for test in tests:
        missing = [
            external_id for kind, external_id in keys[test.id] if (kind, external_id) not in found
        ]
        if missing:
            unknown.append({"test": test.name, "external_ids": missing})
    return unknown


def check_may_save_as_scenario(access: MissionAccess) -> None:
    """403 without `scenario_template.write`, or without `test_template.write` when a test of
    the mission must become a new template: neither depends on the body (any reader of the
    mission holding them may save it), so the view asks before reading it."""
    if not has_permission("scenario_template.write"):
        raise Forbidden("Saving a scenario needs scenario_template.write.")
    if has_permission("test_template.write"):
        return
    tests, live_templates = _scenario_tests(access.mission)
    to_copy = [test for test in tests if test.test_template_id not in live_templates]
    if to_copy:
        raise Forbidden(
            f"{len(to_copy)} test(s) of the mission are not from the library; saving them as "
            "new library templates needs test_template.write."
        )


def save_as_scenario(access: MissionAccess, values: dict[str, Any]) -> dict[str, Any]:
    """A scenario template of the mission's tests in their order (retests left out: they run
    a test again). A test made from a live library template points at that template; any other
    test becomes a new template first (its fields and ATT&CK tags), which needs
    `test_template.write` (403 before anything is written)."""
    check_may_save_as_scenario(access)
    mission = access.mission
    tests, live_templates = _scenario_tests(mission)
    if not tests:
        raise Unprocessable(
            "The mission has no tests to save.", errors={"mission": ["No tests to save."]}
        )
    to_copy = [test for test in tests if test.test_template_id not in live_templates]
    tags = _tags_of(to_copy)
    unknown = _unknown_tags(to_copy, tags)
    if unknown:
        # Before any template is written: name the tests, which the library's own 422 could not.
        named = [f"{item['test']!r} ({', '.join(item['external_ids'])})" for item in unknown]
        raise Unprocessable(
            "Tests tagged with ATT&CK ids this catalogue does not know cannot become library "
            f"templates: {'; '.join(named)}. Remove those tags from the tests, or sync an ATT&CK "
            "release that has them.",
            errors={"mitre": [f"Test {name}: unknown ATT&CK id." for name in named]},
        )
    template_ids = []
    for test in tests:
        if test.test_template_id in live_templates:
            template_ids.append(test.test_template_id)
            continue
        values_of_test = {name: getattr(test, name) for name in TEMPLATE_FIELDS}
        # As tagged: a technique ATT&CK revoked since the test was run stays on its template.
        template = library_templates.create_template(
            mission.workspace_id,
            {**values_of_test, "mitre": tags.get(test.id, []), "source": "mission"},
            as_tagged=True,
        )
        template_ids.append(template.id)
    scenario = library_scenarios.create_scenario(
        mission.workspace_id,
        {
            "name": values["name"],
            "description": values.get("description"),
            "test_template_ids": template_ids,
        },
    )
    return {
        "id": scenario.id,
        "name": scenario.name,
        "test_template_ids": template_ids,
        "new_templates": len(to_copy),
    }


# --- GET /missions/{id}/export?format=zip and POST /missions/import ------------------------------

# The test fields an archive carries as they are (the rest are names or references).
ARCHIVED_TEST_FIELDS = (
    "name",
    "description",
    "procedure",
    "cleanup",
    "prerequisites",
    "expected_detection",
    "platforms",
    "opsec_level",
    "state",
    "executed_at",
    "source_host",
    "target_host",
    "command_executed",
    "red_notes",
    "execution_result",
    "detected_at",
    "detection_notes",
    "detection_refs",
)


def mission_archive(access: MissionAccess, exported_at: Any) -> IO[bytes]:
    """The mission's archive in a temporary file, rewound: mission.json and the live evidence
    files of its live tests, each copied from the blob store a chunk at a time (so neither
    the archive nor a whole file is held in memory). A fixed number of statements.

    Members only (403), as evidence downloads are. An outsider is not given an archive without
    the files instead: the import could not tell it from a mission that has none, and would
    restore it as complete (as a file lost from the store is a 409, not a gap)."""
    evidence_service.check_may_download(
        access,
        "Only the mission's members export its archive: it holds the evidence files. "
        "The tests are exported with format=json or format=csv.",
    )
    mission = access.mission
    data = load_mission(mission, full_tests=True)
    refs = {test.id: ref for ref, test in enumerate(data.tests)}
    evidence = [
        ArchivedEvidence(
            name=f"{item.id}-{sanitise_filename(item.filename)}",
            entry={
                "test": refs[item.mission_test_id],
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
                "category": item.category,
                "caption": item.caption,
                "uploaded_at": _iso(item.created_at),
            },
            chunks=partial(_evidence_chunks, item),
        )
        for item in db.session.scalars(
            select(EvidenceFile)
            .where(
                EvidenceFile.mission_id == mission.id,
                EvidenceFile.mission_test_id.in_(list(refs)),
                EvidenceFile.purged_at.is_(None),
            )
            .order_by(EvidenceFile.created_at, EvidenceFile.id)
        )
    ]
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    try:
        write_archive(target, archive_document(mission, data, refs, exported_at), evidence)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _evidence_chunks(evidence: EvidenceFile) -> Iterator[bytes]:
    try:
        return evidence_service.read_evidence(evidence)
    except BlobNotFound as error:
        raise Conflict(
            f"The content of evidence file {evidence.filename!r} ({evidence.id}) is no longer "
            "stored, so the archive cannot be complete."
        ) from error


def _archive_tool_names(tools: Iterable[DefenseTool]) -> dict[uuid.UUID, str]:
    """Tool id → its name in an archive. The import matches tools by name and refuses a test
    with two outcomes (or expected tools) of one name, so a deleted tool whose name another
    tool has (a live tool took it since, or another deleted tool had it) is written "EDR
    (deleted)" ("EDR (deleted #2)" for the next one): a test holding the outcomes of both
    imports, the deleted one's left out with a warning, as for any tool missing there."""
    by_name: dict[str, list[DefenseTool]] = defaultdict(list)
    for tool in tools:
        by_name[tool.name].append(tool)
    names = {}
    for name, same in by_name.items():
        deleted = sorted(
            (tool for tool in same if tool.is_deleted),
            key=lambda tool: (tool.deleted_at, str(tool.id)),
        )
        for tool in same:
            names[tool.id] = name
        if len(same) == 1:
            continue
        for number, tool in enumerate(deleted, start=1):
            suffix = " (deleted)" if number == 1 else f" (deleted #{number})"
            # Within the archive's limit on a tool's name.
            names[tool.id] = name[: TOOL_NAME_MAX - len(suffix)] + suffix
    return names


def archive_document(
    mission: Mission, data: MissionData, refs: dict[uuid.UUID, int], exported_at: Any
) -> dict[str, Any]:
    """The mission, its categories and its live tests (tags, outcomes by level and tool
    name; retests point at their first run by `ref`). A fixed number of statements."""
    # Deleted levels and tools too: outcomes recorded before the deletion keep their names.
    level_names = {
        level.id: level.name
        for level in db.session.scalars(including_deleted(select(DetectionLevel)))
    }
    # A deleted category is kept while tests point at it (restoring it brings the grouping
    # back), and the mission still shows it on them: the archive carries it, marked deleted,
    # so that the import keeps it too. One that shares its name with a live category (case
    # aside) cannot be told from it by name: its tests keep that name, in the live one.
    categories = [
        category
        for category in db.session.scalars(
            including_deleted(
                select(MissionCategory)
                .where(
                    MissionCategory.mission_id == mission.id,
                    or_(
                        MissionCategory.deleted_at.is_(None),
                        MissionCategory.id.in_(
                            {test.category_id for test in data.tests if test.category_id}
                        ),
                    ),
                )
                .order_by(MissionCategory.deleted_at.is_not(None), MissionCategory.name)
            )
        )
    ]
    by_name: dict[str, MissionCategory] = {}
    for category in categories:  # live ones first: a name shared is the live category's
        by_name.setdefault(category.name.lower(), category)
    category_names = {category.id: by_name[category.name.lower()].name for category in categories}
    categories = list(by_name.values())
    tools = _archive_tool_names(db.session.scalars(including_deleted(select(DefenseTool))))
    detections: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    # In the order blue gave them (docs/api.md, `PUT …/detections`), which the import keeps.
    for detection in db.session.scalars(
        select(MissionTestDetection)
        .where(MissionTestDetection.mission_test_id.in_([test.id for test in data.tests]))
        .order_by(MissionTestDetection.created_at, MissionTestDetection.id)
    ):
        detections[detection.mission_test_id].append(
            {
                "tool": tools[detection.tool_id],
                "detection_level": level_names[detection.detection_level_id],
                "detected_at": _iso(detection.detected_at),
                "rule_ref": detection.rule_ref,
                "notes": detection.notes,
            }
        )
    # The notes of the mission and of its live tests, oldest first, as written.
    notes: dict[uuid.UUID | None, list[dict[str, Any]]] = defaultdict(list)
    for note in db.session.scalars(
        select(MissionNote)
        .where(MissionNote.mission_id == mission.id)
        .order_by(MissionNote.created_at, MissionNote.id)
    ):
        notes[note.mission_test_id].append(
            {
                "content": note.content,
                "author": note.created_by,
                "created_at": _iso(note.created_at),
            }
        )
    return {
        "name": mission.name,
        "description": mission.description,
        "status": mission.status,
        "start_date": _iso(mission.start_date),
        "end_date": _iso(mission.end_date),
        "environment": mission.environment,
        "exported_at": _iso(exported_at),
        "categories": [
            {"name": category.name, "color": category.color}
            | ({"deleted": True} if category.is_deleted else {})
            for category in categories
        ],
        "tests": [
            {
                "ref": refs[test.id],
                "retest_of": refs.get(test.retest_of_id) if test.retest_of_id else None,
                "category": category_names.get(test.category_id) if test.category_id else None,
                **{name: _iso(getattr(test, name)) for name in ARCHIVED_TEST_FIELDS},
                "platforms": list(test.platforms),
                "detection_refs": list(test.detection_refs),
                "detection_level": level_names.get(test.detection_level_id)
                if test.detection_level_id
                else None,
                "expected_tools": [
                    tools[tool_id] for tool_id in test.expected_tool_ids if tool_id in tools
                ],
                "mitre": [
                    {
                        "kind": tag.kind,
                        "external_id": tag.external_id,
                        "name": tag.name,
                        "url": tag.url,
                    }
                    for tag in data.tags.get(test.id, [])
                ],
                "detections": detections.get(test.id, []),
                "notes": notes.get(test.id, []),
            }
            for test in data.tests
        ],
        "notes": notes.get(None, []),
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def import_mission(
    archive: MissionArchive, document: dict[str, Any], evidence: list[dict[str, Any]]
) -> dict[str, Any]:
    """A new mission in the current workspace from an archive's (checked) document and
    manifest `evidence` entries, led by the caller. Levels and tools are matched by name; one
    that this workspace lacks is left out and named in `warnings`. Tags are restored as
    recorded (they are copies). Evidence files go through the same checks as uploads, and are
    uploaded by the caller. The whole mission is written in one transaction and a fixed number
    of statements; when anything fails, the blobs already stored are removed."""
    _check_references(document)
    _check_evidence(archive, document, evidence)
    levels = {level.name: level.id for level in db.session.scalars(select(DetectionLevel))}
    tools = {tool.name: tool.id for tool in db.session.scalars(select(DefenseTool))}
    missing: set[str] = set()

    def level_id(name: str | None) -> uuid.UUID | None:
        if name is None:
            return None
        if name not in levels:
            missing.add(f"No detection level named {name!r} here: its outcomes are left empty.")
        return levels.get(name)

    def tool_id(name: str) -> uuid.UUID | None:
        if name not in tools:
            # Expected tools are matched by name too: a silent tool no longer reads as silent.
            missing.add(
                f"No defense tool named {name!r} here: its outcomes are left out, and so is it "
                "from the expected tools."
            )
        return tools.get(name)

    mission = mission_service.create_mission(
        {
            name: document[name]
            for name in ("name", "description", "status", "start_date", "end_date", "environment")
        }
    )
    workspace_id = mission.workspace_id
    categories = {
        item["name"]: MissionCategory(
            workspace_id=workspace_id, mission_id=mission.id, name=item["name"], color=item["color"]
        )
        for item in document["categories"]
    }
    db.session.add_all(categories.values())
    db.session.flush()
    for item in document["categories"]:
        if item["deleted"]:  # deleted in the mission exported, its tests still in it
            categories[item["name"]].soft_delete()
    # One bulk insert (the ORM writes versioned rows one by one). Ids are chosen here so that a
    # retest names its first run in the same statement, where PostgreSQL checks the foreign
    # key once the statement ends; the audit columns the flush would fill are set here.
    test_ids = {item["ref"]: uuid.uuid4() for item in document["tests"]}
    actor = current_user_id()
    test_rows = [
        {
            "id": test_ids[item["ref"]],
            "workspace_id": workspace_id,
            "mission_id": mission.id,
            "position": position,
            "retest_of_id": test_ids.get(item["retest_of"]),
            "category_id": categories[item["category"]].id if item["category"] else None,
            "detection_level_id": level_id(item["detection_level"]),
            "expected_tool_ids": [
                found for name in item["expected_tools"] if (found := tool_id(name))
            ],
            "created_by": actor,
            "updated_by": actor,
            **{name: item[name] for name in ARCHIVED_TEST_FIELDS},
        }
        for position, item in enumerate(document["tests"])
    ]
    if test_rows:
        db.session.execute(insert(MissionTest), test_rows)
        # The flush hook does not see a bulk insert: each test's `mission_test.create`, as a
        # test added through the API records it, in one more statement (docs/audit.md).
        audit.record_inserted(MissionTest, test_rows)
    rows: list[Any] = []
    # A test's outcomes are listed by creation time: rows saved together would share it and
    # come back in their random ids' order, so each gets the next microsecond, in the
    # archive's order (as `PUT …/detections` keeps the order sent).
    imported_at = utcnow()
    for item in document["tests"]:
        test_id = test_ids[item["ref"]]
        rows.extend(
            MissionTestMitreTag(workspace_id=workspace_id, mission_test_id=test_id, **tag)
            for tag in item["mitre"]
        )
        for position, detection in enumerate(item["detections"]):
            found_tool, found_level = (
                tool_id(detection["tool"]),
                level_id(detection["detection_level"]),
            )
            if found_tool and found_level:
                rows.append(
                    MissionTestDetection(
                        workspace_id=workspace_id,
                        mission_test_id=test_id,
                        created_at=imported_at + timedelta(microseconds=position),
                        tool_id=found_tool,
                        detection_level_id=found_level,
                        detected_at=detection["detected_at"],
                        rule_ref=detection["rule_ref"],
                        notes=detection["notes"],
                    )
                )
    # Notes keep their author's email and time, as written in the other instance; that author
    # is not a user here (author_id stays empty), so they read as history, which the new
    # mission's lead (or mission.manage_all) may delete (docs/api.md, "Notes").
    notes = [(None, note) for note in document["notes"]] + [
        (test_ids[item["ref"]], note) for item in document["tests"] for note in item["notes"]
    ]
    rows.extend(
        MissionNote(
            workspace_id=workspace_id,
            mission_id=mission.id,
            mission_test_id=test_id,
            content=note["content"],
            created_by=note["author"],
            author_id=None,
            created_at=note["created_at"],
        )
        for test_id, note in notes
    )
    db.session.add_all(rows)
    db.session.flush()
    _import_evidence(archive, evidence, mission, test_ids)
    return {
        "id": mission.id,
        "name": mission.name,
        "tests": len(test_rows),
        "evidence_files": len(evidence),
        "notes": len(notes),
        "warnings": sorted(missing),
    }


def _check_evidence(
    archive: MissionArchive, document: dict[str, Any], evidence: list[dict[str, Any]]
) -> None:
    """422 before anything is written: an entry of an unknown test, listed twice, missing
    from the archive or of another size there, or a file in `evidence/` the manifest omits."""
    problems = []
    refs = {item["ref"] for item in document["tests"]}
    paths = [entry["path"] for entry in evidence]
    for entry in evidence:
        path = entry["path"]
        member = archive.members.get(path)
        if entry["test"] not in refs:
            problems.append(f"Evidence {path!r} belongs to an unknown test.")
        if member is None:
            problems.append(f"Evidence {path!r} is listed in the manifest but not in the archive.")
        elif member.file_size != entry["size"]:
            problems.append(
                f"Evidence {path!r} holds {member.file_size} bytes; the manifest says "
                f"{entry['size']}."
            )
    if len(set(paths)) != len(paths):
        problems.append("The manifest lists an evidence file twice.")
    problems.extend(
        f"Evidence {name!r} is not listed in the manifest."
        for name in archive.evidence_members()
        if name not in paths
    )
    if problems:
        raise Unprocessable(" ".join(problems[:20]), errors={"file": problems[:50]})


def _import_evidence(
    archive: MissionArchive,
    evidence: list[dict[str, Any]],
    mission: Mission,
    test_ids: dict[int, uuid.UUID],
) -> None:
    """Store each evidence file as an upload is stored (sniffed against the allow-list,
    capped, hashed) and check it against its manifest entry, then write the rows in one
    statement. When anything fails, the blobs stored so far are removed."""
    if not evidence:
        return
    store = blob_store()
    cap = evidence_service.upload_cap()
    importer = current_user()
    stored: list[str] = []
    try:
        rows = []
        for entry in evidence:
            path, filename = entry["path"], sanitise_filename(entry["filename"])
            try:
                with archive.open(path) as member:
                    blob = store.save(cast(BinaryIO, member), filename=filename, max_bytes=cap)
            except UNREADABLE_MEMBER as error:
                raise Unprocessable(f"Evidence {path!r} cannot be read: {error}.") from error
            except ApiError as error:  # refused as an upload would be (type, size, empty)
                raise ApiError(
                    f"Evidence {path!r}: {error.detail}",
                    status=error.status,
                    errors={"file": [error.detail]},
                ) from error
            stored.append(blob.key)
            if blob.sha256 != entry["sha256"] or blob.size != entry["size"]:
                raise Unprocessable(
                    f"Evidence {path!r} does not match the sha256 and size of the manifest.",
                    errors={"file": [f"{path}: sha256 or size mismatch."]},
                )
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "workspace_id": mission.workspace_id,
                    "mission_id": mission.id,
                    "mission_test_id": test_ids[entry["test"]],
                    "storage_key": blob.key,
                    "filename": filename,
                    "size": blob.size,
                    "sha256": blob.sha256,
                    "content_type": blob.content_type,
                    "category": entry["category"],
                    "caption": entry["caption"],
                    "created_by": importer.email,
                    "uploader_id": importer.id,
                    "created_at": utcnow(),
                }
            )
        db.session.execute(insert(EvidenceFile), rows)
        audit.record_inserted(EvidenceFile, rows)
    except BaseException:
        for key in stored:
            try:
                store.delete(key)
            except Exception:  # keep removing the others; the error raised below says why
                current_app.logger.warning("could not remove imported evidence blob %s", key)
        raise


def _check_references(document: dict[str, Any]) -> None:
    """422 for what the tables or the API would refuse: duplicate refs, categories (case
    aside), tags or tools, a retest of an unknown test, two retests of one run, an unknown
    category, an end before the start."""
    problems = []
    refs = [item["ref"] for item in document["tests"]]
    if len(set(refs)) != len(refs):
        problems.append("Two tests share a ref.")
    names = [item["name"] for item in document["categories"]]
    # Case aside, as the API compares them ("Day 1" and "day 1" are one name in a mission).
    if len({name.lower() for name in names}) != len(names):
        problems.append("Two categories share a name.")
    retested: set[int] = set()
    for item in document["tests"]:
        label = f"Test {item['ref']}"
        if item["retest_of"] is not None and item["retest_of"] not in refs:
            problems.append(f"{label} is a retest of an unknown test.")
        # A run has at most one retest (the API answers a second one 409): two would both be
        # the chain's latest run.
        if item["retest_of"] in retested:
            problems.append(f"{label} is a second retest of test {item['retest_of']}.")
        elif item["retest_of"] is not None:
            retested.add(item["retest_of"])
        if item["category"] and item["category"] not in names:
            problems.append(f"{label} names an unknown category.")
        tags = [(tag["kind"], tag["external_id"]) for tag in item["mitre"]]
        if len(set(tags)) != len(tags):
            problems.append(f"{label} has the same ATT&CK tag twice.")
        tools = [detection["tool"] for detection in item["detections"]]
        if len(set(tools)) != len(tools):
            problems.append(f"{label} has two outcomes for one tool.")
    if not problems and _has_retest_cycle(document["tests"]):
        problems.append("Retests go round in a circle.")
    start, end = document["start_date"], document["end_date"]
    if start and end and end < start:
        problems.append("The end date is before the start date.")
    if problems:
        raise Unprocessable(
            f"Not a consistent mission: {problems[0]}", errors={"mission": problems[:50]}
        )


def _has_retest_cycle(tests: list[dict[str, Any]]) -> bool:
    """Whether following `retest_of` from some test never ends (coverage follows each chain to
    its first run, so a circle must never reach the tables)."""
    retest_of = {item["ref"]: item["retest_of"] for item in tests}
    for item in tests:
        steps, ref = 0, item["ref"]
        while retest_of.get(ref) is not None:
            ref, steps = retest_of[ref], steps + 1
            if steps > len(tests):
                return True
    return False
