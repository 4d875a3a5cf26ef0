"""Events the workspaces domain publishes (core/events.py).

`workspace.created` (the default workspace at first start, or one created over the API) carries
`workspace_id`: domains with per-workspace reference data (the
detection levels) write it then.

`workspace.members_removed` (`PUT /workspaces/{id}/members` left people out) carries
`workspace_id` and `user_ids`, the users who left: domains that keep per-workspace memberships
(a mission's members) end them then, or refuse, which refuses the whole change.
"""

WORKSPACE_CREATED = "workspace.created"
WORKSPACE_MEMBERS_REMOVED = "workspace.members_removed"
