"""Coverage: scores, ATT&CK Navigator layers, exports and reports (docs/coverage.md)."""
