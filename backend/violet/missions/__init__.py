"""Missions: members and roles, tests copied from the library, the red/blue workflow."""
