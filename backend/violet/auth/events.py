"""Events the auth domain publishes (core/events.py); other domains subscribe by name.

Data: `user_id` (UUID) for each.
"""

USER_CREATED = "user.created"
USER_DELETED = "user.deleted"
