"""Users, groups, permissions, invitations, refresh and API tokens, TOTP MFA (docs/api.md)."""
