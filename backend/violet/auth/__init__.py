"""Users, groups, permissions, invitations, refresh and API tokens, TOTP MFA (SPEC §1)."""
