"""Workspaces: the tenant boundary (one organisation, client or business unit each)."""
