"""Events the auth domain publishes (core/events.py); other domains subscribe by name.

Data: `user_id` (UUID) for each; `user.created` also carries `workspace_ids`, the workspaces
the user was created into (None: wherever new users go, the default workspace).
"""

USER_CREATED = "user.created"
USER_DELETED = "user.deleted"
