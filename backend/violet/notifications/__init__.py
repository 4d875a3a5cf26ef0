"""In-app notifications, built from the missions domain's events."""
