"""Remove the mission memberships left behind by workspace removals made before they ended them.

Since `workspace.members_removed` (missions/service/missions.py, `leave_workspace_missions`),
whoever leaves a workspace leaves its missions, deleted ones included (docs/api.md,
"Workspaces"). Removals made before kept those memberships: dormant while the user is out of the
workspace, and given back whole if they joined it again. This deletes every mission membership
whose user is not a member of the mission's workspace, in one set-based statement. Mission
memberships are the only grant that removal ends.

Unlike a removal today, the only lead of a live mission is removed too (a removal refuses that):
the grant is stale either way, and a mission left without a lead is given one by a
`mission.manage_all` holder. The number removed is logged; no audit event is written (a
migration acts for no user).

Downgrade: nothing to do (the rows were grants nobody should hold; they are not restored).

Revision ID: 724a2efeb107
Revises: 8e4417d351d5
Create Date: 2026-12-02
"""

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger("alembic.runtime.migration")

revision = "724a2efeb107"
down_revision = "8e4417d351d5"
branch_labels = None
depends_on = None

DELETE_STALE_MISSION_MEMBERSHIPS = """
DELETE FROM mission_members
USING missions
WHERE missions.id = mission_members.mission_id
  AND NOT EXISTS (
    SELECT 1 FROM workspace_members
    WHERE workspace_members.workspace_id = missions.workspace_id
      AND workspace_members.user_id = mission_members.user_id
  )
"""


def upgrade():
    removed = op.get_bind().execute(sa.text(DELETE_STALE_MISSION_MEMBERSHIPS)).rowcount
    log.info("Removed %d stale mission memberships (users no longer in the workspace)", removed)


def downgrade():
    pass
