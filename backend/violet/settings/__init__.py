"""Instance-wide settings: a JSON value per known key (SPEC §4)."""
