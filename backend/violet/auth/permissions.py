"""The permission codes and the default groups (SPEC §1).

The auth migration seeds them and `seed_permissions()` keeps them in place on every start and
after `/diag/reset`. A new code is added here *and* by a migration.
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "user.read": "See users and groups",
    "user.manage": "Create, change, deactivate and delete users",
    "group.manage": "Create, change and delete groups and their permissions",
    "invitation.manage": "Invite people and revoke invitations",
    "mitre.sync": "Synchronise the ATT&CK catalogue",
    "test_template.read": "Read the test template library",
    "test_template.write": "Create and change test templates",
    "test_template.delete": "Delete and restore test templates",
    "scenario_template.read": "Read scenario templates",
    "scenario_template.write": "Create and change scenario templates",
    "scenario_template.delete": "Delete and restore scenario templates",
    "mission.create": "Create missions",
    "mission.read_all": "See every mission, not only one's own",
    "mission.manage_all": "Change any mission and its members",
    "settings.manage": "Change settings, detection levels and defense tools",
    "audit.read": "Read the audit trail",
    "diag.read": "Read database diagnostics",
    "workspace.manage": "Create, change and delete workspaces and set their members",
    "workspace.read_all": "See every workspace, not only one's own",
}

ADMINISTRATORS = "Administrators"

DEFAULT_GROUPS: dict[str, tuple[str, list[str]]] = {
    ADMINISTRATORS: ("Full control of the instance", list(PERMISSIONS)),
    "Operators": (
        "Red operators: build the library and run missions",
        [
            "test_template.read",
            "test_template.write",
            "scenario_template.read",
            "scenario_template.write",
            "mission.create",
        ],
    ),
    "Analysts": (
        "Blue analysts: read the library, record detections in their missions",
        ["test_template.read", "scenario_template.read"],
    ),
}

# Whoever holds both can repair any permission problem; one active holder must always remain.
ADMIN_PERMISSIONS = ("user.manage", "group.manage")
