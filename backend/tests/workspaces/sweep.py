"""The cross-workspace sweep's registry: how to make, in a given workspace, what each URL names.

The sweep (test_isolation.py) walks `app.url_map`. Every rule with a `<uuid:…>` argument must be
known here, so a new route cannot slip past it:

- an argument naming a tenant-owned object goes in `TENANT_RESOURCES`, with a factory that
  creates one such object in a workspace and returns the ids of every URL argument it fills
  (a child returns its parent's id too: `{"mission_id": …, "test_id": …}`);
- an argument naming an instance-wide object (users, groups…) goes in `INSTANCE_WIDE_ARGUMENTS`.

A new tenant-owned domain adds one `TenantResource` per resource, plus `references` for every
operation that takes such ids in its body (adding A's template to B's scenario must be 422), plus
a valid body in `BODIES` for any write whose empty body would be refused before the lookup. Its
routes and lists then join the sweep by themselves. See docs/architecture.md, "Workspaces".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests import tenant_probe
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.library.service import scenarios, templates
from violet.missions.models import (
    EvidenceFile,
    Mission,
    MissionCategory,
    MissionNote,
    MissionTest,
)
from violet.missions.service import catalogue


@dataclass(frozen=True)
class Reference:
    """An operation of workspace B that names an object by id in its body: A's must be 422.

    `prepare(workspace_b_id, object_a_ids)` creates what the URL needs in B and returns
    `(method, url, json_body)`.
    """

    prepare: Callable[[uuid.UUID, dict[str, uuid.UUID]], tuple[str, str, Any]]


@dataclass(frozen=True)
class TenantResource:
    # Creates one object in the workspace (acting in it) and returns the URL arguments it fills.
    create: Callable[[uuid.UUID], dict[str, uuid.UUID]]
    references: list[Reference] = field(default_factory=list)


def _probe_note(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with acting_in(workspace_id):
        note = tenant_probe.create_note(workspace_id, "probe")
        db.session.commit()
        return {"probe_note_id": note.id}


def _link_probe_notes(workspace_b: uuid.UUID, in_a: dict[str, uuid.UUID]) -> tuple[str, str, Any]:
    own = _probe_note(workspace_b)["probe_note_id"]
    return "PUT", f"/api/v1/probe-notes/{own}/links", {"note_ids": [str(in_a["probe_note_id"])]}


def _test_template(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with acting_in(workspace_id):
        template = templates.create_template(workspace_id, {"name": "swept template"})
        db.session.commit()
        return {"template_id": template.id}


def _scenario_template(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    template_id = _test_template(workspace_id)["template_id"]
    with acting_in(workspace_id):
        scenario = scenarios.create_scenario(
            workspace_id, {"name": "swept scenario", "test_template_ids": [template_id]}
        )
        db.session.commit()
        return {"scenario_id": scenario.id}


def _order_a_template(workspace_b: uuid.UUID, in_a: dict[str, uuid.UUID]) -> tuple[str, str, Any]:
    own = _scenario_template(workspace_b)["scenario_id"]
    body = {"test_template_ids": [str(in_a["template_id"])]}
    return "PUT", f"/api/v1/scenario-templates/{own}/tests", body


def _new_scenario_with_a_template(
    workspace_b: uuid.UUID, in_a: dict[str, uuid.UUID]
) -> tuple[str, str, Any]:
    body = {"name": "borrowing", "test_template_ids": [str(in_a["template_id"])]}
    return "POST", "/api/v1/scenario-templates", body


def _mission(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with acting_in(workspace_id):
        mission = Mission(workspace_id=workspace_id, name="swept mission")
        db.session.add(mission)
        db.session.commit()
        return {"mission_id": mission.id}


def _mission_test(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    ids = _mission(workspace_id)
    with acting_in(workspace_id):
        test = MissionTest(
            workspace_id=workspace_id, mission_id=ids["mission_id"], name="swept", position=0
        )
        db.session.add(test)
        db.session.commit()
        return {**ids, "test_id": test.id}


def _mission_category(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    # In a mission with a test, so the merged URL arguments name a test of that mission.
    ids = _mission_test(workspace_id)
    with acting_in(workspace_id):
        category = MissionCategory(
            workspace_id=workspace_id, mission_id=ids["mission_id"], name="swept"
        )
        db.session.add(category)
        db.session.commit()
        return {**ids, "category_id": category.id}


def _mission_note(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    # Each child of a mission builds on the previous one: the merged ids name one mission.
    ids = _mission_category(workspace_id)
    with acting_in(workspace_id):
        note = MissionNote(
            workspace_id=workspace_id,
            mission_id=ids["mission_id"],
            mission_test_id=ids["test_id"],
            content="swept",
            created_by="swept@example.test",
        )
        db.session.add(note)
        db.session.commit()
        return {**ids, "note_id": note.id}


def _evidence_file(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    ids = _mission_note(workspace_id)
    with acting_in(workspace_id):
        evidence = EvidenceFile(
            workspace_id=workspace_id,
            mission_id=ids["mission_id"],
            mission_test_id=ids["test_id"],
            storage_key=uuid.uuid4().hex,
            filename="swept.log",
            size=1,
            sha256="0" * 64,
            content_type="text/plain",
            category="red",
            created_by="swept@example.test",
        )
        db.session.add(evidence)
        db.session.commit()
        return {**ids, "evidence_id": evidence.id}


def _detection_level(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with acting_in(workspace_id):
        level = catalogue.create_level({"name": "swept level", "score": 10, "color": "#000000"})
        db.session.commit()
        return {"level_id": level.id}


def _defense_tool(workspace_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with acting_in(workspace_id):
        tool = catalogue.create_tool({"name": "swept tool", "layer": "edr"})
        db.session.commit()
        return {"tool_id": tool.id}


TENANT_RESOURCES: dict[str, TenantResource] = {
    # Test-only (tests/tenant_probe.py).
    "probe_note_id": TenantResource(_probe_note, references=[Reference(_link_probe_notes)]),
    "template_id": TenantResource(
        _test_template,
        references=[Reference(_order_a_template), Reference(_new_scenario_with_a_template)],
    ),
    "scenario_id": TenantResource(_scenario_template),
    "mission_id": TenantResource(_mission),
    "test_id": TenantResource(_mission_test),
    "category_id": TenantResource(_mission_category),
    "note_id": TenantResource(_mission_note),
    "evidence_id": TenantResource(_evidence_file),
    "level_id": TenantResource(_detection_level),
    "tool_id": TenantResource(_defense_tool),
}

# Workspaces themselves: visible to their members only, so swept for non-members.
MEMBERSHIP_ARGUMENTS = {"workspace_id"}

# Instance-wide objects (docs/architecture.md): the same from every workspace.
# Notifications are personal (another user's is 404 whatever the workspace): tested in
# tests/notifications.
INSTANCE_WIDE_ARGUMENTS = {"user_id", "group_id", "invitation_id", "token_id", "notification_id"}

# (method, rule) → a valid JSON body, where `{}` would be refused (422) before the lookup.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/probe-notes/<uuid:probe_note_id>"): {"text": "changed"},
    ("PATCH", "/api/v1/test-templates/<uuid:template_id>"): {"name": "Taken over"},
    ("PATCH", "/api/v1/scenario-templates/<uuid:scenario_id>"): {"name": "Taken over"},
    ("PUT", "/api/v1/scenario-templates/<uuid:scenario_id>/tests"): {"test_template_ids": []},
    ("PUT", "/api/v1/probe-notes/<uuid:probe_note_id>/links"): {"note_ids": []},
    ("PATCH", "/api/v1/workspaces/<uuid:workspace_id>"): {"name": "Taken over"},
    ("POST", "/api/v1/missions/<uuid:mission_id>/notes"): {"content": "Taken over"},
    ("POST", "/api/v1/missions/<uuid:mission_id>/tests/<uuid:test_id>/notes"): {"content": "x"},
    ("PUT", "/api/v1/workspaces/<uuid:workspace_id>/members"): [],
}
