"""Events the workspaces domain publishes (core/events.py).

`workspace.created` (the default workspace at first start, or one created over the API) carries
`workspace_id`: domains with per-workspace reference data (the
detection levels) write it then.
"""

WORKSPACE_CREATED = "workspace.created"
