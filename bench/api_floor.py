"""Benchmark: Violet's hot API endpoints beside a bare Flask + psycopg floor, in one run.

    .venv/bin/python bench/api_floor.py [--requests 240] [--rounds 2] [--clients 1,8]
        [--only techniques,matrix] [--baseline main] [--time-limit 600] [--bundle PATH] [--check]

What it does:
1. Builds its own database (`violet_bench_api` on the embedded PostgreSQL, or `--database-url`):
   migrations, seed, the real ATT&CK Enterprise bundle synced, 50 users and 60 test templates
   in the default workspace; then, through the API as the bench user (their lead, with a red,
   a blue and a viewer member), 20 missions in various states. One of them, the bench mission,
   holds 200 tests (two scenarios copied from the library and ad hoc tests in four categories,
   each tagged with a technique or sub-technique of the catalogue), seven in ten completed with
   the outcomes of one, two or three defense tools (EDR, SIEM, NDR), twelve of them retests;
   the others hold five tests each. The mission endpoints' paths name the bench mission
   (`{mission}`, filled in once the data is in). The bench user has 60 notifications.
2. Captures, in process, the SQL each endpoint's request runs (statements and parameters, read
   from SQLAlchemy's cursor events) and the JSON it answers.
3. Starts the servers under the same `gunicorn.conf.py` (2 workers × 4 threads by default), on
   loopback only: Violet with its production settings (`VIOLET_ENV=production`, `wsgi:app`);
   the floor, a bare Flask app (`floor_app()` below) that replays the captured SQL over one
   autocommit psycopg connection per thread and builds the same JSON from the rows; and, with
   `--baseline REF`, Violet as it was at that git commit (exported with `git archive`, same
   database), for a before/after in the same run. Before measuring, the bench checks that
   Violet and the floor answer every endpoint with the same bytes (else it stops); the
   baseline must give the same JSON value, or that endpoint is not measured for it.
4. Drives them with the same keep-alive HTTP client threads, their connections spread evenly
   over each server's workers (`balanced_connections`): `--requests` per run, each endpoint
   at each client count, the servers interleaved, the order reversed every round. It prints
   p50, p95, p99, requests/s, the servers' CPU per request (their processes' user + system
   time, which hardly moves when other work competes for the machine) and the ratios to the
   floor, then what authentication costs in process (wall and CPU, median of 300) and the
   fixed cost of a request whose view does nothing, in a bare Flask app, in Violet's app and
   in Violet's app under `@require_auth` (CPU, in process).

The floor skips what Violet does on top of the data: authentication (its SQL is not replayed,
except for /auth/me, whose body is the caller), query-string validation, the ORM, marshmallow,
request logging. It does replay the mission endpoints' access check (the mission with the
caller's role) and computes a mission's coverage with Violet's own pure formula
(`violet.coverage.scoring`) from the rows. Only ratios within one run mean much on a shared
machine. Bounded: at most `--rounds` × endpoints × client counts × servers runs of
`--requests` requests, and it stops measuring once `--time-limit` seconds have passed
(printing what it has).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pickle
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"
DATABASE = "violet_bench_api"
LOOPBACK = "127.0.0.1"
BENCH_EMAIL = "bench@violet.local"
USERS = 50
TEST_TEMPLATES = 60  # in the default workspace, each tagged with a tactic and a (sub-)technique
MISSIONS = 20  # in the default workspace, the bench user their lead
MISSION_STATUSES = ("planned", "active", "completed", "archived")
OTHER_MISSION_TESTS = 5  # in each mission but the bench mission
MISSION_TESTS = 200  # in the bench mission, retests included
RETESTS = 12
# The bench user's notifications (the bell polls their newest 20 every few seconds), a third read.
NOTIFICATIONS = 60
PLAN_ENV = "VIOLET_FLOOR_PLAN"


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    assembler: str  # the floor's function that builds the body from the rows (ASSEMBLERS)
    # The floor also runs the authentication SQL: the body shows the caller.
    body_is_caller: bool = False
    # Sent with the ETag of a first answer in `If-None-Match`: 304 expected.
    revalidate: bool = False

    @property
    def key(self) -> str:
        return f"{self.path}#304" if self.revalidate else self.path

    def for_mission(self, mission_id: str) -> Endpoint:
        """The endpoint with `{mission}` in its path replaced (known once the data is in)."""
        return replace(self, path=self.path.format(mission=mission_id))


ENDPOINTS = (
    Endpoint("techniques", "/api/v1/mitre/techniques?limit=50", "technique_page"),
    Endpoint("technique search", "/api/v1/mitre/techniques?q=process&limit=50", "technique_page"),
    Endpoint("technique names", "/api/v1/mitre/techniques?limit=50&fields=name", "technique_page"),
    Endpoint("matrix", "/api/v1/mitre/matrix", "matrix"),
    Endpoint("matrix 304", "/api/v1/mitre/matrix", "", revalidate=True),
    Endpoint("users", "/api/v1/users?limit=50", "user_page"),
    # Tenant-owned: the request resolves its workspace (with authentication, in one statement).
    Endpoint("test templates", "/api/v1/test-templates?limit=50", "test_template_page"),
    Endpoint("auth/me", "/api/v1/auth/me", "me", body_is_caller=True),
    # Mission-scoped: authentication, then the caller's access to the bench mission.
    Endpoint("missions", "/api/v1/missions?limit=50", "mission_page"),
    Endpoint("mission tests", "/api/v1/missions/{mission}/tests?limit=50", "mission_test_page"),
    Endpoint("mission coverage", "/api/v1/missions/{mission}/coverage", "mission_coverage"),
    # Personal, from every workspace: what the bell polls in every open tab.
    Endpoint("notifications", "/api/v1/notifications?limit=20", "notification_page"),
)


# --- the floor: bare Flask + psycopg, one connection per thread ------------------------------

Rows = list[dict[str, Any]]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def total(page: Rows) -> int:
    """A page's rows carry the count of the whole result (`count(*) OVER ()`, pagination.py)."""
    return page[0]["violet_total"] if page else 0


def children_of(rows: Rows, *keys: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows attached to a page by `attach_related` (pagination.py): `keys` of each, by the
    `violet_parent_id` it carries, in the statement's order."""
    children: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        children[row["violet_parent_id"]].append({key: row[key] for key in keys})
    return children


TECHNIQUE_KEYS = ("external_id", "stix_id", "name", "description", "url", "domain")
TECHNIQUE_KEYS += ("deprecated", "revoked", "platforms")


def technique_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    """Whatever columns the page selected (`fields=`), in the schema's order."""
    page, *tactic_rows = results
    tactics_of = children_of(
        tactic_rows[0] if tactic_rows else [], "external_id", "name", "shortname"
    )
    items = []
    for row in page:
        item = {"id": str(row["id"])}
        item.update((key, row[key]) for key in TECHNIQUE_KEYS if key in row)
        if tactic_rows:
            item["tactics"] = tactics_of[row["id"]]
        # A column property: its SQL label is anonymous (`anon_1`).
        if "anon_1" in row:
            item["subtechnique_count"] = row["anon_1"]
        items.append(item)
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


def matrix(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    version, tactics, placed, subtechniques = results[-4:]  # after the ETag's, when there

    def cell(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": row["external_id"],
            "name": row["name"],
            "url": row["url"],
            "platforms": row["platforms"],
        }

    subs_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in subtechniques:
        subs_of[row["technique_id"]].append(cell(row))
    techniques_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in placed:
        techniques_of[row["tactic_id"]].append({**cell(row), "subtechniques": subs_of[row["id"]]})
    return {
        "domain": "enterprise-attack",
        "version": version[0]["version"] if version else None,
        "tactics": [
            {
                "external_id": row["external_id"],
                "name": row["name"],
                "shortname": row["shortname"],
                "url": row["url"],
                "techniques": techniques_of[row["id"]],
            }
            for row in tactics
        ],
    }


def _user(row: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "email": row["email"],
        "display_name": row["display_name"],
        "is_active": row["is_active"],
        "mfa_enabled": row["mfa_enabled"],
        "groups": groups,
        "version": row["version"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "last_login_at": _iso(row["last_login_at"]),
        "deleted_at": _iso(row["deleted_at"]),
    }


def user_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    page, groups = results
    groups_of = children_of(groups, "id", "name")
    items = [
        _user(row, [{**group, "id": str(group["id"])} for group in groups_of[row["id"]]])
        for row in page
    ]
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


# Test-template columns the API shows as stored (in TestTemplateOut's order).
TEMPLATE_PLAIN_KEYS = ("name", "description", "procedure", "cleanup", "prerequisites")
TEMPLATE_PLAIN_KEYS += ("expected_detection", "platforms", "opsec_level", "tags", "references")
TEMPLATE_PLAIN_KEYS += ("source", "source_ref")
INPUT_ARGUMENT_KEYS = ("name", "type", "default", "description")


def test_template_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    page, *tag_rows = results
    # In the tags' order (tactics, techniques, sub-techniques, each by id): the statement's.
    tags_of = children_of(tag_rows[0] if tag_rows else [], "kind", "external_id", "name", "url")
    items = []
    for row in page:
        items.append(
            {
                "id": str(row["id"]),
                **{key: row[key] for key in TEMPLATE_PLAIN_KEYS},
                "input_arguments": [
                    {key: argument[key] for key in INPUT_ARGUMENT_KEYS if key in argument}
                    for argument in row["input_arguments"]
                ],
                "mitre": tags_of[row["id"]],
                "version": row["version"],
                "created_at": _iso(row["created_at"]),
                "created_by": _str(row["created_by"]),
                "updated_at": _iso(row["updated_at"]),
                "updated_by": _str(row["updated_by"]),
                "deleted_at": _iso(row["deleted_at"]),
            }
        )
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


def me(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    # Found by their columns: authentication and the view run them in an order of their own.
    # Authentication reads the permissions; the view, the user with their groups (as JSON) and
    # their two counts, then the mfa_required setting.
    caller = next(rows for rows in results if rows and "permission_codes" in rows[0])
    permissions = caller[0]["permission_codes"] or []
    row = next(rows for rows in results if rows and "email" in rows[0])[0]
    setting = next((rows for rows in results if rows and "value" in rows[0]), [])
    mfa_required = bool(setting and setting[0]["value"])
    return {
        **_user(row, row["groups"]),
        "permissions": sorted(set(permissions)),
        "unread_notifications": row["unread_notifications"],
        "mfa_enrolment_required": not row["mfa_enabled"] and mfa_required,
        "recovery_codes_remaining": row["recovery_codes_remaining"],
    }


TEST_STATES = ("pending", "in_progress", "waiting_blue", "completed", "cancelled")


def mission_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    """Page (with the caller's role), then tests and scores per mission and state, then the
    runs of retest chains (scored as coverage scores them: Violet's pure functions)."""
    from violet.coverage.scoring import Run, chain_start, latest_completed_runs

    page, *progress_results = results  # no progress read for an empty page
    progress_rows, chain_rows = progress_results if progress_results else ([], [])
    progress: dict[Any, dict[str, Any]] = {
        row["id"]: {"total": 0, "by_state": dict.fromkeys(TEST_STATES, 0), "sum": 0, "count": 0}
        for row in page
    }
    for row in progress_rows:  # count, then the sum and count of scores (anon_1, anon_2)
        figures = progress[row["mission_id"]]
        figures["total"] += row["count_1"]
        figures["by_state"][row["state"]] = row["count_1"]
        figures["sum"] += row["anon_1"] or 0
        figures["count"] += row["anon_2"]
    retest_of = {row["id"]: row["retest_of_id"] for row in chain_rows}
    by_id = {row["id"]: row for row in chain_rows}
    runs = []
    for row in chain_rows:
        chain_id, sequence = chain_start(row["id"], retest_of)
        runs.append(Run(row["id"], chain_id, sequence, row["state"], row["detection_level_id"], ()))
    for latest in latest_completed_runs(runs):
        row = by_id[latest.id]
        if row["score"] is not None:
            progress[row["mission_id"]]["sum"] += row["score"]
            progress[row["mission_id"]]["count"] += 1
    items = []
    for row in page:
        figures = progress[row["id"]]
        role = row["my_role"]
        items.append(
            {
                "id": str(row["id"]),
                "name": row["name"],
                "description": row["description"],
                "status": row["status"],
                "start_date": _iso(row["start_date"]),
                "end_date": _iso(row["end_date"]),
                "environment": row["environment"],
                "version": row["version"],
                "my_role": role,
                # The floor has no caller: the bench user leads every mission (Violet also
                # lets a holder of mission.manage_all manage the others).
                "can_manage": role == "lead",
                "progress": {
                    "tests_total": figures["total"],
                    "tests_by_state": figures["by_state"],
                    "score": round(figures["sum"] / figures["count"], 1)
                    if figures["count"]
                    else None,
                },
                "created_at": _iso(row["created_at"]),
                "created_by": _str(row["created_by"]),
                "updated_at": _iso(row["updated_at"]),
                "deleted_at": _iso(row["deleted_at"]),
            }
        )
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


# Mission-test columns the API shows as stored, in MissionTestOut's order around the rest.
TEST_COPY_KEYS = ("position", "name", "description", "procedure", "cleanup", "prerequisites")
TEST_COPY_KEYS += ("expected_detection", "platforms", "opsec_level")
TEST_RED_KEYS = ("source_host", "target_host", "command_executed", "red_notes", "execution_result")


TAG_KEYS = ("kind", "external_id", "name", "url", "catalogue_state")
DETECTION_KEYS = (
    "tool_id",
    "detection_level_id",
    "detected_at",
    "rule_ref",
    "notes",
    "level_score",
    "tool_name",
    "tool_layer",
    "tool_deleted",
)


def _by_test(rows: Rows) -> dict[Any, Rows]:
    """Rows of tests' tags, grouped by test in the statement's order."""
    rows_of: dict[Any, Rows] = defaultdict(list)
    for row in rows:
        rows_of[row["mission_test_id"]].append(row)
    return rows_of


def _mission_test(row: dict[str, Any], tags: Rows, detections: Rows) -> dict[str, Any]:
    heard = {detection["tool_id"] for detection in detections if detection["level_score"] != 0}
    executed_at, detected_at = row["executed_at"], row["detected_at"]
    return {
        "id": str(row["id"]),
        "mission_id": str(row["mission_id"]),
        "mission_scenario_id": _str(row["mission_scenario_id"]),
        "test_template_id": _str(row["test_template_id"]),
        "category_id": _str(row["category_id"]),
        "retest_of_id": _str(row["retest_of_id"]),
        "is_latest": row["is_latest"],
        **{key: row[key] for key in TEST_COPY_KEYS},
        "mitre": [
            {
                "kind": tag["kind"],
                "external_id": tag["external_id"],
                "name": tag["name"],
                "url": tag["url"],
                "catalogue_state": tag["catalogue_state"],
            }
            for tag in tags
        ],
        "state": row["state"],
        "executed_at": _iso(executed_at),
        "executed_by": _str(row["executed_by"]),
        **{key: row[key] for key in TEST_RED_KEYS},
        "detection_level_id": _str(row["detection_level_id"]),
        "detected_at": _iso(detected_at),
        "detection_notes": row["detection_notes"],
        "detection_refs": row["detection_refs"],
        "time_to_detect_s": int((detected_at - executed_at).total_seconds())
        if executed_at is not None and detected_at is not None
        else None,
        "detections": [
            {
                "tool_id": str(detection["tool_id"]),
                "tool_name": detection["tool_name"],
                "tool_layer": detection["tool_layer"],
                "tool_deleted": detection["tool_deleted"],
                "detection_level_id": str(detection["detection_level_id"]),
                "detected_at": _iso(detection["detected_at"]),
                "rule_ref": detection["rule_ref"],
                "notes": detection["notes"],
            }
            for detection in detections
        ],
        "expected_tool_ids": [str(tool_id) for tool_id in row["expected_tool_ids"]],
        "silent_tool_ids": [
            str(tool_id) for tool_id in row["expected_tool_ids"] if tool_id not in heard
        ],
        "version": row["version"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "updated_by": _str(row["updated_by"]),
        "deleted_at": _iso(row["deleted_at"]),
    }


def mission_test_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    """The caller's access to the mission (not in the body), page, tags, detections."""
    _access, page, *details = results  # no tags nor detections read for an empty page
    tags_of = children_of(details[0], *TAG_KEYS) if details else {}
    detections_of = children_of(details[1], *DETECTION_KEYS) if details else {}
    items = [
        _mission_test(row, tags_of.get(row["id"], []), detections_of.get(row["id"], []))
        for row in page
    ]
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


def mission_coverage(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    """The caller's access, tests, their tags, levels, the tactics of the tagged techniques;
    then the coverage formula itself, Violet's pure functions (coverage/scoring.py)."""
    from violet.coverage.scoring import Run, compute_coverage, parent_of

    access, tests, tags, levels, *tactic_rows = results
    tags_of = _by_test(tags)
    tactics_of: dict[str, Rows] = defaultdict(list)
    tactic_names: dict[str, dict[str, Any]] = {}
    for row in tactic_rows[0] if tactic_rows else []:
        if row["technique"] is None:  # a tactic the tests are tagged with
            tactic_names[row["external_id"]] = row
        else:
            tactics_of[row["technique"]].append(row)
    tactic_names.update(
        (tactic["external_id"], tactic) for rows in tactics_of.values() for tactic in rows
    )
    for tag in tags:
        if tag["kind"] == "tactic" and tag["external_id"] not in tactic_names:
            tactic_names[tag["external_id"]] = {"name": tag["name"], "shortname": None}
    by_id = {test["id"]: test for test in tests}
    runs = []
    for test in tests:
        root, depth = test, 0
        while root["retest_of_id"] in by_id:  # the first run of its retest chain
            root, depth = by_id[root["retest_of_id"]], depth + 1
        test_tags = tags_of.get(test["id"], [])
        runs.append(
            Run(
                id=test["id"],
                chain_id=root["id"],
                sequence=depth,
                state=test["state"],
                detection_level_id=test["detection_level_id"],
                attack_ids=tuple(t["external_id"] for t in test_tags if t["kind"] != "tactic"),
                tactic_tags=tuple(t["external_id"] for t in test_tags if t["kind"] == "tactic"),
            )
        )
    coverage = compute_coverage(
        runs,
        {level["id"]: level["score"] for level in levels},
        {technique: [row["external_id"] for row in rows] for technique, rows in tactics_of.items()},
    )

    def cell(figures: Any) -> dict[str, Any]:
        return {
            "score": figures.score,
            "tests": figures.tests,
            "scored_tests": figures.scored_tests,
            "outcomes": {str(level): count for level, count in figures.outcomes.items()},
        }

    def position(tactic_id: str) -> tuple[bool, int, str]:
        place = tactic_names.get(tactic_id, {}).get("position")
        return place is None, place or 0, tactic_id

    # As the tags name them, else as the catalogue does (a technique counted only through its
    # sub-techniques has no tag of its own).
    names = {technique: rows[0]["technique_name"] for technique, rows in tactics_of.items()}
    names.update((tag["external_id"], tag["name"]) for tag in tags)
    # The domains of the tested techniques, the one holding most first (then Enterprise, Mobile,
    # ICS), as `violet.coverage.service.ranked_domains` orders them.
    domain_order = ("enterprise-attack", "mobile-attack", "ics-attack")
    domain_counts = Counter(
        domain
        for technique in {parent_of(attack_id) for attack_id in coverage.techniques}
        for domain in {row["domain"] for row in tactics_of.get(technique, [])}
    )
    domains = sorted(domain_counts, key=lambda d: (-domain_counts[d], domain_order.index(d)))
    return {
        "mission_id": str(access[0]["id"]),
        "levels": [
            {
                "id": str(row["id"]),
                "name": row["name"],
                "score": row["score"],
                "color": row["color"],
            }
            for row in levels
        ],
        "domains": domains,
        **cell(coverage.mission),
        "tactics": [
            {
                "external_id": tactic_id,
                "name": tactic_names.get(tactic_id, {}).get("name", tactic_id),
                "shortname": tactic_names.get(tactic_id, {}).get("shortname"),
                **cell(coverage.tactics[tactic_id]),
            }
            for tactic_id in sorted(coverage.tactics, key=position)
        ],
        "techniques": [
            {
                "external_id": attack_id,
                "kind": "subtechnique" if "." in attack_id else "technique",
                "name": names.get(attack_id, attack_id),
                "tactics": [row["external_id"] for row in tactics_of.get(parent_of(attack_id), [])],
                **cell(figures),
                "test_ids": [str(test_id) for test_id in figures.test_ids],
            }
            for attack_id, figures in sorted(coverage.techniques.items())
        ],
    }


NOTIFICATION_KEYS = ("kind", "title")


def notification_page(results: list[Rows], limit: int, offset: int) -> dict[str, Any]:
    [page] = results
    items = [
        {
            "id": str(row["id"]),
            **{key: row[key] for key in NOTIFICATION_KEYS},
            "workspace_id": str(row["workspace_id"]),
            "mission_id": str(row["mission_id"]),
            "mission_test_id": _str(row["mission_test_id"]),
            "actor_id": _str(row["actor_id"]),
            "created_at": _iso(row["created_at"]),
            "read_at": _iso(row["read_at"]),
        }
        for row in page
    ]
    return {"items": items, "total": total(page), "limit": limit, "offset": offset}


ASSEMBLERS: dict[str, Callable[[list[Rows], int, int], dict[str, Any]]] = {
    "technique_page": technique_page,
    "matrix": matrix,
    "user_page": user_page,
    "test_template_page": test_template_page,
    "me": me,
    "notification_page": notification_page,
    "mission_page": mission_page,
    "mission_test_page": mission_test_page,
    "mission_coverage": mission_coverage,
}


def unique_dict_row(cursor: Any) -> Callable[[Any], dict[str, Any]]:
    """psycopg's dict_row, except that a repeated column name gets `_1`, `_2`… (joined tables)."""
    names: list[str] = []
    for column in cursor.description or ():
        name, number = column.name, 0
        while name in names:
            number += 1
            name = f"{column.name}_{number}"
        names.append(name)
    return lambda values: dict(zip(names, values, strict=True))


def encoder(name: str) -> Callable[[Any], bytes]:
    """The floor encodes as Violet's JSON provider does (checked byte for byte before a run)."""
    if name == "orjson":
        import orjson

        return lambda body: orjson.dumps(body) + b"\n"
    return lambda body: (json.dumps(body, separators=(",", ":")) + "\n").encode()


def floor_app() -> Any:
    """The floor server (gunicorn `api_floor:floor_app()`): replays the plan's SQL per path."""
    import psycopg
    from flask import Flask, Response, request

    with open(os.environ[PLAN_ENV], "rb") as handle:
        plan = pickle.load(handle)
    encode = encoder(plan["encoder"])
    local = threading.local()
    app = Flask("floor")

    def connection() -> psycopg.Connection:
        if getattr(local, "connection", None) is None:
            local.connection = psycopg.connect(
                plan["dsn"], autocommit=True, row_factory=unique_dict_row
            )
        return local.connection

    @app.get("/healthz")
    def healthz() -> Response:
        return Response(b"ok")

    @app.get("/<path:path>")
    def replay(path: str) -> Response:
        query = request.query_string.decode()
        key = f"/{path}?{query}" if query else f"/{path}"
        revalidating = "If-None-Match" in request.headers
        endpoint = plan["endpoints"][f"{key}#304" if revalidating else key]
        cursor = connection().cursor()
        results = [cursor.execute(sql, params).fetchall() for sql, params in endpoint["sql"]]
        if revalidating:
            return Response(status=304, headers={"ETag": endpoint["etag"]})
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
        body = ASSEMBLERS[endpoint["assembler"]](results, limit, offset)
        return Response(encode(body), mimetype="application/json")

    return app


# --- set-up: database, data, captured SQL ----------------------------------------------------


def prepare_database(database_url: str | None) -> str:
    if database_url:
        return database_url
    from violet.config import data_dir
    from violet.core import embedded_db

    return embedded_db.database_url(data_dir() / "postgres", DATABASE, recreate=True)


def production_config(database_url: str) -> dict[str, Any]:
    return {
        "VIOLET_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SECRET_KEY": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
    }


def fill_database(app: Any, bundle: Path) -> str:
    """Migrate, seed, sync the bundle, add `USERS` users (the bench user is an administrator),
    `TEST_TEMPLATES` test templates and `MISSIONS` missions (`fill_missions`), all in the
    default workspace. Returns the bench mission's id."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from violet.auth.models import Group, User
    from violet.auth.service.credentials import hash_password
    from violet.core.domain import seed_all
    from violet.core.tenancy import acting_in
    from violet.extensions import db
    from violet.library.schemas import TestTemplateCreate
    from violet.library.service.templates import create_template
    from violet.mitre.sync.service import SyncSettings, file_source, sync_catalogue
    from violet.workspaces.models import WorkspaceMember
    from violet.workspaces.service import ensure_default_workspace

    with app.app_context():
        upgrade()
        seed_all()
        settings = SyncSettings.from_config(app.config)
        sync_catalogue(
            file_source(bundle, settings.policy.max_bytes),
            expected_sha256=None,
            allow_unverified=True,
            started_by=None,
            settings=settings,
        )
        groups = {group.name: group for group in db.session.scalars(select(Group))}
        password_hash = hash_password(secrets.token_urlsafe(16))
        db.session.add(
            User(
                email=BENCH_EMAIL,
                display_name="Bench",
                password_hash=password_hash,
                groups=[groups["Administrators"]],
            )
        )
        for number in range(USERS - 2):  # with the seeded administrator: USERS users
            group = groups["Operators" if number % 2 else "Analysts"]
            db.session.add(
                User(
                    email=f"user{number:02d}@example.test",
                    display_name=f"User {number:02d}",
                    password_hash=password_hash,
                    groups=[group],
                )
            )
        db.session.flush()
        workspace = ensure_default_workspace()
        members = set(db.session.scalars(select(WorkspaceMember.user_id)))
        db.session.add_all(
            WorkspaceMember(workspace_id=workspace.id, user_id=user_id)
            for user_id in db.session.scalars(select(User.id))
            if user_id not in members
        )
        with acting_in(workspace.id):
            for number in range(TEST_TEMPLATES):
                create_template(workspace.id, TestTemplateCreate().load(template_draft(number)))
        db.session.commit()
    return fill_missions(app)


def template_draft(number: int) -> dict[str, Any]:
    """A test template as an operator writes one (Markdown text, an input, two MITRE tags)."""
    return {
        "name": f"Encoded PowerShell cradle {number:02d}",
        "description": "Downloads and runs a script with `IEX` from an encoded command. " * 4,
        "procedure": "```powershell\npowershell -enc #{encoded}\n```",
        "prerequisites": "PowerShell 5 or later.",
        "expected_detection": "EDR alert on encoded PowerShell; 4104 script block logging.",
        "platforms": ["windows"],
        "opsec_level": ("low", "medium", "high")[number % 3],
        "tags": ["lolbin", f"batch-{number % 4}"],
        "references": ["https://attack.mitre.org/techniques/T1059/001"],
        "input_arguments": [
            {"name": "encoded", "type": "string", "default": "SQBFAFgA", "description": "Base64"}
        ],
        "mitre": [
            {"kind": "tactic", "external_id": "TA0002"},
            {"kind": "subtechnique", "external_id": "T1059.001"}
            if number % 2
            else {"kind": "technique", "external_id": "T1059"},
        ],
    }


def fill_missions(app: Any) -> str:
    """Through the API, as a team works: `MISSIONS` missions in the default workspace, the bench
    user their lead with a red, a blue and a viewer member, and the bench mission's tests
    (`bench_mission_tests`). Returns the bench mission's id."""
    from sqlalchemy import select

    from violet.auth.models import User
    from violet.extensions import db
    from violet.mitre.models import MitreSubtechnique, MitreTechnique

    with app.app_context():
        live = (MitreTechnique.deprecated.is_(False), MitreTechnique.revoked.is_(False))
        techniques = db.session.scalars(
            select(MitreTechnique.external_id).where(*live).order_by(MitreTechnique.external_id)
        ).all()
        live_subs = (MitreSubtechnique.deprecated.is_(False), MitreSubtechnique.revoked.is_(False))
        subtechniques = db.session.scalars(
            select(MitreSubtechnique.external_id)
            .where(*live_subs)
            .order_by(MitreSubtechnique.external_id)
        ).all()
        team = db.session.scalars(
            select(User.id).where(User.email.like("user%")).order_by(User.email).limit(3)
        ).all()
    # Every 7th technique and sub-technique of the catalogue: spread over the tactics.
    attack_ids = [*techniques[::7], *subtechniques[::7]]
    api = BenchClient(app)
    members = [{"user_id": api.user_id, "role": "lead"}]
    members += [
        {"user_id": str(user_id), "role": role}
        for user_id, role in zip(team, ("red", "blue", "viewer"), strict=True)
    ]
    levels = [level["id"] for level in api.get("/detection-levels")["items"]]  # the seeded 5
    tools = [
        api.post("/defense-tools", {"name": name, "vendor": "Acme", "layer": layer})["id"]
        for name, layer in (("EDR", "edr"), ("SIEM", "siem"), ("NDR", "ndr"))
    ]
    mission_ids = []
    archived = []  # archived once filled: an archived mission takes no members or tests
    for number in range(MISSIONS):
        draft = mission_draft(number)
        if draft["status"] == "archived":
            draft["status"] = "completed"
            archived.append(number)
        mission = api.post("/missions", draft)
        api.put(f"/missions/{mission['id']}/members", members)
        mission_ids.append(mission["id"])
    bench_mission = mission_ids[0]
    for number, mission_id in enumerate(mission_ids[1:]):  # a few tests each: their progress
        for index in range(OTHER_MISSION_TESTS):
            test = api.post(
                f"/missions/{mission_id}/tests",
                mission_test_draft(number * OTHER_MISSION_TESTS + index, attack_ids, tools, None),
            )
            if index % 2 == 0:
                level = levels[index % len(levels)]
                complete(api, mission_id, test["id"], {"detection_level_id": level})
    bench_mission_tests(api, bench_mission, attack_ids, tools, levels)
    for number in archived:
        api.patch(f"/missions/{mission_ids[number]}", {"status": "archived"})
    fill_notifications(app, mission_ids, team)
    return bench_mission


def fill_notifications(app: Any, mission_ids: list[str], team: list[Any]) -> None:
    """`NOTIFICATIONS` for the bench user, as its team's changes would have left them (written
    directly: the bench user made every change itself, and no one is told of their own)."""
    import uuid
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from violet.auth.models import User
    from violet.extensions import db
    from violet.notifications.models import KINDS, Notification
    from violet.workspaces.service import ensure_default_workspace

    with app.app_context():
        bench_user = db.session.scalar(select(User.id).where(User.email == BENCH_EMAIL))
        workspace_id = ensure_default_workspace().id
        start = datetime(2026, 11, 1, tzinfo=UTC)
        db.session.add_all(
            Notification(
                user_id=bench_user,
                workspace_id=workspace_id,
                kind=KINDS[number % len(KINDS)],
                mission_id=uuid.UUID(mission_ids[number % len(mission_ids)]),
                actor_id=team[number % len(team)],
                title=f"Blue recorded the detection of test {number} (mission {number % 20})",
                created_at=start + timedelta(minutes=number),
                read_at=start + timedelta(days=1) if number % 3 == 0 else None,
            )
            for number in range(NOTIFICATIONS)
        )
        db.session.commit()


class BenchClient:
    """The bench user's calls to the API (Flask's test client); a failed call stops the bench."""

    def __init__(self, app: Any) -> None:
        from flask_jwt_extended import decode_token

        self.client = app.test_client()
        token = access_token(app)
        with app.app_context():
            self.user_id = decode_token(token)["sub"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any, expected: int) -> Any:
        response = self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=self.headers
        )
        if response.status_code != expected:
            sys.exit(f"{method} {path} answered {response.status_code}: {response.data!r}")
        return response.json

    def get(self, path: str) -> Any:
        return self.call("GET", path, None, 200)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body, 201)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body, 200)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("PATCH", path, body, 200)


def mission_draft(number: int) -> dict[str, Any]:
    status = MISSION_STATUSES[number % len(MISSION_STATUSES)]
    return {
        "name": "Bench mission" if number == 0 else f"Purple week {number:02d}",
        "description": "Quarterly purple-team exercise against the **production** estate. " * 3,
        "status": "active" if number == 0 else status,
        "start_date": f"2026-{1 + number % 12:02d}-01",
        "end_date": f"2026-{1 + number % 12:02d}-20",
        "environment": ("production", "staging", "lab")[number % 3],
    }


def mission_test_draft(
    number: int, attack_ids: list[str], tools: list[str], category_id: str | None
) -> dict[str, Any]:
    """An ad hoc test tagged with one technique or sub-technique of the catalogue."""
    attack_id = attack_ids[number % len(attack_ids)]
    return {
        "name": f"{attack_id} procedure {number:03d}",
        "description": "Runs the procedure from a workstation as a standard user. " * 3,
        "procedure": "```powershell\nInvoke-AtomicTest -TestNumbers 1\n```",
        "platforms": ["windows"] if number % 3 else ["linux", "macos"],
        "opsec_level": ("low", "medium", "high")[number % 3],
        "category_id": category_id,
        "expected_tool_ids": tools[: 1 + number % len(tools)],
        "mitre": [
            {"kind": "subtechnique" if "." in attack_id else "technique", "external_id": attack_id}
        ],
    }


def complete(
    api: BenchClient,
    mission_id: str,
    test_id: str,
    blue: dict[str, Any],
    detections: list[dict[str, Any]] | None = None,
) -> None:
    """Take a pending test through red's execution to completed, with `blue`'s fields or
    per-tool `detections` (from which Violet derives the test's level)."""
    path = f"/missions/{mission_id}/tests/{test_id}"
    api.patch(path, {"state": "in_progress"})
    api.patch(path, {"state": "waiting_blue", **RED_RESULT})
    if detections:
        api.put(f"{path}/detections", detections)
    api.patch(path, {"state": "completed", **blue})


RED_RESULT = {
    "executed_at": "2026-03-02T09:58:00+00:00",
    "source_host": "ws-0142.corp.example",
    "target_host": "dc-01.corp.example",
    "command_executed": "powershell -enc SQBFAFgA",
    "execution_result": "success",
    "red_notes": "Ran as a standard user; no prompt.",
}


def bench_mission_tests(
    api: BenchClient, mission_id: str, attack_ids: list[str], tools: list[str], levels: list[str]
) -> None:
    """`MISSION_TESTS` tests in four categories, two of them scenarios copied from the library;
    seven in ten completed with the outcomes of one to three defense tools, the others pending,
    in progress, waiting for blue or cancelled; `RETESTS` of the completed ones retested, every
    other retest completed too."""
    path = f"/missions/{mission_id}"
    categories = [
        api.post(f"{path}/categories", {"name": name})["id"]
        for name in ("Initial access", "Execution", "Persistence", "Exfiltration")
    ]
    templates = [item["id"] for item in api.get("/test-templates?limit=20")["items"]]  # 2 × 10
    for number in range(2):
        scenario = api.post(
            "/scenario-templates",
            {"name": f"Bench scenario {number}", "test_template_ids": templates[number::2]},
        )
        api.post(
            f"{path}/scenarios",
            {"scenario_template_id": scenario["id"], "category_id": categories[number]},
        )
    ad_hoc = MISSION_TESTS - len(templates) - RETESTS
    for number in range(ad_hoc):
        api.post(
            f"{path}/tests",
            mission_test_draft(number, attack_ids, tools, categories[number % len(categories)]),
        )
    tests = api.get(f"{path}/tests?limit=100")["items"]
    tests += api.get(f"{path}/tests?limit=100&offset=100")["items"]

    def outcome(number: int, test_id: str) -> None:
        detections = [
            {
                "tool_id": tool,
                "detection_level_id": levels[(number + offset) % len(levels)],
                "detected_at": f"2026-03-02T10:{offset:02d}:{number % 60:02d}+00:00",
                "rule_ref": f"SIGMA-{number:04d}-{offset}",
            }
            for offset, tool in enumerate(tools[: 1 + number % len(tools)])
        ]
        complete(api, mission_id, test_id, {"detection_notes": "Seen by the SOC."}, detections)

    for number, test in enumerate(tests):
        test_id = test["id"]
        if number % 10 < 7:
            outcome(number, test_id)
        elif number % 10 == 7:
            api.patch(f"{path}/tests/{test_id}", {"state": "in_progress"})
            api.patch(f"{path}/tests/{test_id}", {"state": "waiting_blue", **RED_RESULT})
        elif number % 10 == 8:
            api.patch(f"{path}/tests/{test_id}", {"state": "in_progress"})
        elif number % 20 == 19:
            api.patch(f"{path}/tests/{test_id}", {"state": "cancelled"})
    for number in range(RETESTS):  # of completed tests
        run = api.post(f"{path}/tests/{tests[10 * number]['id']}/retest", None)
        if number % 2 == 0:
            outcome(number + 1, run["id"])


def access_token(app: Any) -> str:
    from flask_jwt_extended import create_access_token
    from sqlalchemy import select

    from violet.auth.models import User
    from violet.extensions import db

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == BENCH_EMAIL))
        return create_access_token(identity=str(user_id), expires_delta=timedelta(hours=2))


def capture(
    app: Any, token: str, endpoints: list[Endpoint]
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Per endpoint: the distinct SELECTs its request ran (in order) and the body it answered.

    A statement counts as the view's once the request is authenticated; the ones before are
    authentication's, kept only for endpoints whose body is the caller.
    """
    from flask import has_request_context, request
    from sqlalchemy import event

    from violet.core.auth import PRINCIPAL_KEY
    from violet.extensions import db

    captured: list[tuple[bool, str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        authenticated = has_request_context() and PRINCIPAL_KEY in request.environ
        captured.append((authenticated, statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    client = app.test_client()
    plan: dict[str, Any] = {}
    bodies: dict[str, bytes] = {}
    etags: dict[str, str] = {}
    try:
        for endpoint in endpoints:
            captured.clear()
            headers = {"Authorization": f"Bearer {token}"}
            if endpoint.revalidate:
                headers["If-None-Match"] = etags[endpoint.path]
            response = client.get(endpoint.path, headers=headers)
            if response.status_code != (304 if endpoint.revalidate else 200):
                sys.exit(f"{endpoint.path} answered {response.status_code}: {response.data!r}")
            etags[endpoint.path] = response.headers.get("ETag", "")
            statements: list[tuple[str, Any]] = []
            for authenticated, statement, parameters in captured:
                if not statement.lstrip().upper().startswith("SELECT"):
                    sys.exit(f"{endpoint.path} wrote to the database: {statement}")
                if statement.strip() == "SELECT 1":  # the pool's pre-ping
                    continue
                wanted = authenticated or endpoint.body_is_caller
                if wanted and (statement, parameters) not in statements:
                    statements.append((statement, parameters))
            plan[endpoint.key] = {
                "sql": statements,
                "assembler": endpoint.assembler,
                "etag": etags[endpoint.path],
            }
            bodies[endpoint.key] = response.data
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return plan, bodies


def floor_encoder_for(app: Any, endpoints: dict[str, Any], bodies: dict[str, bytes]) -> str:
    """The JSON encoding (stdlib json or orjson) that makes the floor's bytes Violet's."""
    import psycopg

    dsn = libpq_dsn(app.config["SQLALCHEMY_DATABASE_URI"])
    with psycopg.connect(dsn, autocommit=True, row_factory=unique_dict_row) as connection:
        for name in ("json", "orjson"):
            encode = encoder(name)
            if all(
                encode(floor_body(connection, endpoints[path], path)) == body
                for path, body in bodies.items()
                if not path.endswith("#304")
            ):
                return name
        for path, body in bodies.items():
            if path.endswith("#304"):
                continue
            mine = encoder("json")(floor_body(connection, endpoints[path], path))
            if json.loads(mine) != json.loads(body):
                sys.exit(f"The floor's body for {path} differs from Violet's; fix its assembler.")
    sys.exit("The floor cannot encode Violet's bytes with json or orjson.")


def floor_body(connection: Any, endpoint: dict[str, Any], path: str) -> dict[str, Any]:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(path).query)
    results = [connection.execute(sql, params).fetchall() for sql, params in endpoint["sql"]]
    limit = int(query.get("limit", ["50"])[0])
    offset = int(query.get("offset", ["0"])[0])
    return ASSEMBLERS[endpoint["assembler"]](results, limit, offset)


def libpq_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def authentication_ms(app: Any, token: str, requests: int = 300) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of authenticating one request in process (session
    checkout, the authenticator's SQL, the session's release), and its SQL statements."""
    from sqlalchemy import event

    from violet.core.auth import authenticate
    from violet.extensions import db

    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        engine = db.engine

    def authenticate_once() -> tuple[float, float]:
        with app.test_request_context("/api/v1/auth/me", headers=headers):
            wall, cpu = time.perf_counter(), time.thread_time()
            authenticate()
            db.session.remove()
            return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000

    # Counted apart from the timed runs: while anything listens, the statements go the slower
    # way (core/database.py, `fetch_rows`).
    statements = []
    for _ in range(3):
        counted: list[str] = []

        def count(*args: Any, counted: list[str] = counted) -> None:
            counted.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        authenticate_once()
        event.remove(engine, "before_cursor_execute", count)
        statements.append(len(counted))
    walls, cpus = zip(*(authenticate_once() for _ in range(requests)), strict=True)
    return statistics.median(walls), statistics.median(cpus), max(statements)


def fixed_costs_ms(token: str, requests: int = 2000) -> dict[str, float]:
    """CPU milliseconds per request in process, through the whole WSGI stack, of views that do
    nothing: in a bare Flask app (the floor's), in Violet's app, and in Violet's app under
    `@require_auth`. What a request pays before its view does any work; median of 5 runs.

    A fresh Violet app (production settings, from the environment), with its request log at
    INFO as in production (the lines go nowhere).
    """
    import logging

    from flask import Flask, Response
    from flask.views import MethodView
    from werkzeug.test import EnvironBuilder

    from violet import create_app
    from violet.core.auth import require_auth

    def empty() -> Response:
        return Response(b"{}", mimetype="application/json")

    class Authenticated(MethodView):
        @require_auth
        def get(self) -> Response:
            return empty()

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers, root.level
    bare = Flask("bare")
    bare.add_url_rule("/bench/empty", view_func=empty)
    violet = create_app({"LOG_LEVEL": "INFO"})
    violet.add_url_rule("/bench/empty", view_func=empty)
    violet.add_url_rule("/bench/authenticated", view_func=Authenticated.as_view("authenticated"))
    cases = {
        "bare Flask view": (bare, "/bench/empty"),
        "Violet's app": (violet, "/bench/empty"),
        "Violet's app, @require_auth": (violet, "/bench/authenticated"),
    }
    figures: dict[str, list[float]] = {name: [] for name in cases}
    with open(os.devnull, "w") as nowhere:
        root.handlers[0].setStream(nowhere)  # type: ignore[attr-defined]
        try:
            for run in range(6):
                for name, (app, path) in cases.items():
                    headers = {"Authorization": f"Bearer {token}"}
                    environ = EnvironBuilder(path=path, headers=headers).get_environ()
                    started = time.thread_time()
                    for _ in range(requests):
                        answer = app.wsgi_app(dict(environ), lambda status, headers: None)
                        b"".join(answer)
                    if run:  # the first run warms up
                        figures[name].append((time.thread_time() - started) / requests * 1000)
        finally:
            root.handlers, root.level = saved_handlers, saved_level
    return {name: statistics.median(values) for name, values in figures.items()}


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def cpu_seconds(self) -> float:
        """CPU used so far by the gunicorn master and its workers: unlike latency, it hardly
        moves when other work competes for the machine."""
        import psutil

        master = psutil.Process(self.process.pid)
        total = 0.0
        for process in [master, *master.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(
    name: str, app_spec: str, env: dict[str, str], workdir: Path, root: Path = REPO_ROOT
) -> Server:
    """gunicorn with `root`'s gunicorn.conf.py, serving `app_spec` from `root` (a checkout)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(root / "gunicorn.conf.py")]
    command += ["--pythonpath", f"{root / 'backend'},{REPO_ROOT / 'bench'}", app_spec]
    server_env = {**os.environ, **env, "HOST": LOOPBACK, "PORT": str(port)}
    # The checkout's own package first (Violet is installed in editable mode from this one).
    server_env["PYTHONPATH"] = str(root / "backend")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=root, env=server_env, stdout=log, stderr=subprocess.STDOUT
        )
    return Server(name, port, process, log_path)


def export_checkout(ref: str, directory: Path) -> Path:
    """The files of git `ref` in `directory` (git archive: the repository is left alone)."""
    directory.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO_ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} exited; see {server.log_path}")
        try:
            connection = http.client.HTTPConnection(LOOPBACK, server.port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{server.name} did not answer within {timeout:.0f} s; see {server.log_path}")


def same_answer(mine: tuple[int, bytes], theirs: tuple[int, bytes]) -> bool:
    """Same status and the same JSON value (an older Violet may encode it differently)."""
    if mine[0] != theirs[0]:
        return False
    if not mine[1] or not theirs[1]:
        return mine[1] == theirs[1]
    return json.loads(mine[1]) == json.loads(theirs[1])


def request_headers(endpoint: Endpoint, token: str, etags: dict[str, str]) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if endpoint.revalidate:
        headers["If-None-Match"] = etags[endpoint.path]
    return headers


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


# --- load --------------------------------------------------------------------------------------


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0  # CPU the server's processes used meanwhile (user + system)

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def balanced_connections(server: Server, clients: int) -> list[http.client.HTTPConnection]:
    """`clients` keep-alive connections to `server`, spread evenly over its workers.

    Each gunicorn worker accepts whichever connections it wins, and a keep-alive connection
    stays with its worker: 8 clients landing 6 and 2 on two workers load one worker while the
    other idles, which cost up to a third of the throughput in one run and not in the next
    (docs/performance.md, twelfth look). So connections are opened one at a time and each is
    found in the workers' socket tables: one that lands on a worker holding its share already
    is kept aside (so the next may land elsewhere) and closed once the set is complete.
    """
    import psutil

    workers = psutil.Process(server.process.pid).children()
    share = -(-clients // len(workers))  # rounded up
    held: dict[int, list[http.client.HTTPConnection]] = {worker.pid: [] for worker in workers}
    aside: list[http.client.HTTPConnection] = []
    for _ in range(50 * clients):
        if sum(map(len, held.values())) == clients:
            break
        connection = http.client.HTTPConnection(LOOPBACK, server.port, timeout=60)
        connection.connect()
        accepted_by = worker_of(workers, connection.sock.getsockname()[1])
        if accepted_by is not None and len(held[accepted_by]) < share:
            held[accepted_by].append(connection)
        else:
            aside.append(connection)
    for connection in aside:
        connection.close()
    connections = [connection for each in held.values() for connection in each]
    if len(connections) != clients:
        sys.exit(f"{server.name}: could not spread {clients} connections over its workers")
    return connections


def worker_of(workers: list[Any], client_port: int, timeout: float = 2) -> int | None:
    """The pid of the worker that accepted the connection from `client_port` (None: none yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            for accepted in worker.net_connections(kind="tcp"):
                if accepted.raddr and accepted.raddr.port == client_port:
                    return worker.pid
        time.sleep(0.002)
    return None


def drive(
    server: Server,
    path: str,
    headers: dict[str, str],
    clients: int,
    requests: int,
    status: int = 200,
) -> Sample:
    """`requests` GETs of `path` from `clients` keep-alive connections (balanced over the
    workers); latencies and wall time."""
    per_client = [requests // clients + (i < requests % clients) for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    connections = balanced_connections(server, clients)

    def client(index: int) -> None:
        connection = connections[index]
        start.wait()
        for _ in range(per_client[index]):
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[index].append((time.perf_counter() - began) * 1000)
            if response.status != status:
                errors.append(f"{path} answered {response.status}")
                return
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        sys.exit(errors[0])
    return Sample([value for values in latencies for value in values], wall)


def measure(
    servers: dict[str, Server],
    endpoints: list[Endpoint],
    headers: dict[str, dict[str, str]],
    skipped: set[tuple[str, str]],
    *,
    clients: list[int],
    requests: int,
    rounds: int,
    time_limit: float,
) -> tuple[dict[tuple[str, int, str], Sample], bool]:
    samples: dict[tuple[str, int, str], Sample] = defaultdict(Sample)
    began = time.monotonic()

    def run(server: Server, endpoint: Endpoint, count: int, requests: int) -> Sample:
        status = 304 if endpoint.revalidate else 200
        return drive(server, endpoint.path, headers[endpoint.key], count, requests, status)

    for endpoint in endpoints:  # warm every worker thread's connection and statement cache
        for name, server in servers.items():
            if (endpoint.name, name) not in skipped:
                run(server, endpoint, max(clients), 4 * max(clients))
    for round_number in range(rounds):
        order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
        for endpoint in endpoints:
            for count in clients:
                for name in order:
                    if (endpoint.name, name) in skipped:
                        continue
                    if time.monotonic() - began > time_limit:
                        return samples, False
                    cpu_before = servers[name].cpu_seconds()
                    measured = run(servers[name], endpoint, count, requests)
                    sample = samples[(endpoint.name, count, name)]
                    sample.server_cpu_s += servers[name].cpu_seconds() - cpu_before
                    sample.latencies_ms.extend(measured.latencies_ms)
                    sample.wall_s += measured.wall_s
    return samples, True


SERVER_LABELS = {"floor": "floor", "violet": "Violet", "baseline": "Violet at {ref}"}


def report(
    samples: dict[tuple[str, int, str], Sample],
    endpoints: list[Endpoint],
    clients: list[int],
    baseline: str | None,
) -> None:
    print(
        "| endpoint | clients | server | p50 / p95 / p99 ms | req/s | server CPU ms/req "
        "| req/s ÷ floor | p95 × floor |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for endpoint in endpoints:
        for count in clients:
            floor = samples.get((endpoint.name, count, "floor"))
            if not floor or not floor.latencies_ms:
                continue
            floor_p95 = percentile(sorted(floor.latencies_ms), 95)
            for name in ("floor", "violet", "baseline"):
                sample = samples.get((endpoint.name, count, name))
                if not sample or not sample.latencies_ms:
                    continue
                ordered = sorted(sample.latencies_ms)
                latencies = " / ".join(f"{percentile(ordered, pct):.1f}" for pct in (50, 95, 99))
                cpu_ms = sample.server_cpu_s * 1000 / len(ordered)
                throughput = sample.requests_per_s / floor.requests_per_s
                p95 = percentile(ordered, 95) / floor_p95
                label = SERVER_LABELS[name].format(ref=baseline)
                print(
                    f"| {endpoint.name} | {count} | {label} | {latencies} "
                    f"| {sample.requests_per_s:.0f} | {cpu_ms:.2f} | {throughput:.2f} | {p95:.2f} |"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=240, help="requests per run (240)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (2)")
    parser.add_argument("--clients", default="1,8", help="concurrent clients, e.g. 1,8")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds of load, at most")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--database-url", help="a PostgreSQL to fill (default: embedded)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only fill the database and check that the floor answers Violet's bytes, in process",
    )
    parser.add_argument(
        "--baseline",
        metavar="GIT_REF",
        help="also measure Violet at this commit (e.g. main), in the same run: before/after",
    )
    arguments = parser.parse_args()
    if not arguments.bundle.exists():
        print(f"SKIPPED: the ATT&CK bundle is absent ({arguments.bundle}); pass --bundle PATH.")
        return 0
    if not 1 <= arguments.requests <= 100_000 or not 1 <= arguments.rounds <= 20:
        parser.error("--requests must be 1..100000 and --rounds 1..20")
    clients = [int(value) for value in arguments.clients.split(",")]
    if not all(1 <= count <= 64 for count in clients):
        parser.error("--clients must be between 1 and 64")
    # A SIGTERM unwinds like Ctrl-C, so the servers started below are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    wanted = {name.strip() for name in arguments.only.split(",") if name.strip()}

    sys.path.insert(0, str(REPO_ROOT / "backend"))
    from violet import create_app
    from violet.config import normalise_database_url

    database_url = normalise_database_url(prepare_database(arguments.database_url))
    config = production_config(database_url)
    os.environ.update({**config, "LOG_LEVEL": "WARNING"})
    app = create_app({"LOG_LEVEL": "WARNING"})  # production settings, read from the environment
    print("Filling the database (migrations, ATT&CK sync, users, templates, missions)…", flush=True)
    mission_id = fill_database(app, arguments.bundle)
    every_endpoint = [endpoint.for_mission(mission_id) for endpoint in ENDPOINTS]
    endpoints = [endpoint for endpoint in every_endpoint if not wanted or endpoint.name in wanted]
    token = access_token(app)
    plan_endpoints, bodies = capture(app, token, every_endpoint)
    plan = {
        "dsn": libpq_dsn(database_url),
        "encoder": floor_encoder_for(app, plan_endpoints, bodies),
        "endpoints": plan_endpoints,
    }
    if arguments.check:  # what a test runs: a floor that drifted from Violet fails it
        print(f"The floor answers Violet's bytes for all {len(bodies)} endpoints.")
        return 0
    auth_wall, auth_cpu, auth_statements = authentication_ms(app, token)
    fixed_costs = fixed_costs_ms(token)

    with tempfile.TemporaryDirectory(prefix="violet-bench-") as workdir:
        plan_path = Path(workdir) / "plan.pickle"
        plan_path.write_bytes(pickle.dumps(plan))
        # Production settings as an operator runs them (request logs at INFO, to a file here).
        violet_env = {**config, "LOG_LEVEL": "INFO"}
        servers = {
            "violet": start_server("violet", "wsgi:app", violet_env, Path(workdir)),
            "floor": start_server(
                "floor", "api_floor:floor_app()", {PLAN_ENV: str(plan_path)}, Path(workdir)
            ),
        }
        if arguments.baseline:
            checkout = export_checkout(arguments.baseline, Path(workdir) / "baseline")
            servers["baseline"] = start_server(
                "baseline", "wsgi:app", violet_env, Path(workdir), root=checkout
            )
        try:
            for server in servers.values():
                wait_ready(server, "/healthz" if server.name == "floor" else "/api/v1/diag/health")
            etags = {path: entry["etag"] for path, entry in plan_endpoints.items()}
            headers = {
                endpoint.key: request_headers(endpoint, token, etags) for endpoint in endpoints
            }
            skipped: set[tuple[str, str]] = set()
            for endpoint in endpoints:
                answers = {
                    name: fetch(server.port, endpoint.path, headers[endpoint.key])
                    for name, server in servers.items()
                }
                if answers["violet"] != answers["floor"]:
                    sys.exit(f"{endpoint.path}: Violet and the floor answer different bytes.")
                if "baseline" in answers and not same_answer(
                    answers["baseline"], answers["violet"]
                ):
                    print(f"  (baseline skipped for {endpoint.name}: it answers differently)")
                    skipped.add((endpoint.name, "baseline"))
            workers = os.environ.get("WEB_CONCURRENCY", "2")
            threads = os.environ.get("GUNICORN_THREADS", "4")
            print(
                f"\nSame bytes from both servers for every endpoint (floor JSON: "
                f"{plan['encoder']}). gunicorn {workers} workers × {threads} threads each; "
                f"{arguments.requests} requests per run, {arguments.rounds} interleaved rounds, "
                f"clients {arguments.clients}; {os.cpu_count()} CPUs.",
                flush=True,
            )
            for endpoint in endpoints:
                size = len(bodies[endpoint.key])
                statements = len(plan_endpoints[endpoint.key]["sql"])
                print(f"  {endpoint.name}: {endpoint.path} ({size:,} bytes, {statements} SQL)")
            samples, complete = measure(
                servers,
                endpoints,
                headers,
                skipped,
                clients=clients,
                requests=arguments.requests,
                rounds=arguments.rounds,
                time_limit=arguments.time_limit,
            )
        finally:
            for server in servers.values():
                server.stop()
    print()
    report(samples, endpoints, clients, arguments.baseline)
    if not complete:
        print(f"\n(stopped at --time-limit {arguments.time_limit:.0f} s: partial figures)")
    print(
        f"\nAuthentication in process (checkout, SQL, release), median of 300: "
        f"{auth_wall:.2f} ms wall, {auth_cpu:.2f} ms CPU, {auth_statements} SQL statement(s)."
    )
    print(
        "Fixed cost of a request in process (a view that does nothing, whole WSGI stack), "
        "CPU ms/req: " + "; ".join(f"{name} {ms:.2f}" for name, ms in fixed_costs.items()) + "."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
