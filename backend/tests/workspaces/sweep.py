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


TENANT_RESOURCES: dict[str, TenantResource] = {
    # Test-only (tests/tenant_probe.py); the library's templates come next.
    "probe_note_id": TenantResource(_probe_note, references=[Reference(_link_probe_notes)]),
}

# Workspaces themselves: visible to their members only, so swept for non-members.
MEMBERSHIP_ARGUMENTS = {"workspace_id"}

# Instance-wide objects (docs/architecture.md): the same from every workspace.
INSTANCE_WIDE_ARGUMENTS = {"user_id", "group_id", "invitation_id", "token_id"}

# (method, rule) → a valid JSON body, where `{}` would be refused (422) before the lookup.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/probe-notes/<uuid:probe_note_id>"): {"text": "changed"},
    ("PUT", "/api/v1/probe-notes/<uuid:probe_note_id>/links"): {"note_ids": []},
    ("PATCH", "/api/v1/workspaces/<uuid:workspace_id>"): {"name": "Taken over"},
    ("PUT", "/api/v1/workspaces/<uuid:workspace_id>/members"): [],
}
