"""The auth domain's permission codes, the default groups and the no-lock-out pair.

Other domains declare their own codes in their `domain.py`; `seed_permissions_and_groups()`
puts every declared code in place. A new code is declared *and* added by a migration
(tests/test_domains.py checks both).
"""

from __future__ import annotations

from violet.core.domain import ADMINISTRATORS, ANALYSTS, OPERATORS, PermissionCode

PERMISSIONS = [
    PermissionCode("user.read", "See users and groups"),
    PermissionCode("user.manage", "Create, change, deactivate and delete users"),
    PermissionCode("group.manage", "Create, change and delete groups and their permissions"),
    PermissionCode("invitation.manage", "Invite people and revoke invitations"),
]

# The groups every instance starts with; what each holds comes from the domains' declarations.
DEFAULT_GROUPS: dict[str, str] = {
    ADMINISTRATORS: "Full control of the instance",
    OPERATORS: "Red operators: build the library and run missions",
    ANALYSTS: "Blue analysts: read the library, record detections in their missions",
}

# Whoever holds both can repair any permission problem; one active holder must always remain.
ADMIN_PERMISSIONS = ("user.manage", "group.manage")
