"""Diagnostics: liveness, database state and the e2e-only reset."""
