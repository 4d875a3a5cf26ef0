"""HTTP routes of the auth domain, one blueprint per resource."""

from violet.auth.routes.groups import blp as groups_blp
from violet.auth.routes.invitations import blp as invitations_blp
from violet.auth.routes.session import blp as session_blp
from violet.auth.routes.users import blp as users_blp
from violet.core.domain import Mount

# In the order they appear in the API docs.
BLUEPRINTS = [
    Mount(session_blp, "/api/v1/auth"),
    Mount(users_blp, "/api/v1/users"),
    Mount(groups_blp, "/api/v1"),
    Mount(invitations_blp, "/api/v1/invitations"),
]
