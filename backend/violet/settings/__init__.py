"""Instance-wide settings: a JSON value per known key."""
