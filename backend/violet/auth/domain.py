"""The auth domain: users, groups, permissions, invitations, sessions and API tokens."""

from __future__ import annotations

from flask import Flask

from violet.auth.cli import users_cli
from violet.auth.permissions import PERMISSIONS
from violet.auth.routes import BLUEPRINTS
from violet.auth.service.directory import seed_first_admin, seed_permissions_and_groups
from violet.auth.service.principals import authenticate_bearer, load_user
from violet.core.auth import set_authenticator
from violet.core.domain import Domain


def init_app(app: Flask) -> None:
    set_authenticator(app, authenticate_bearer, load_user)


domain = Domain(
    name="auth",
    blueprints=BLUEPRINTS,
    permissions=PERMISSIONS,
    # Permissions and groups first: the first administrator joins Administrators.
    seed_steps=[seed_permissions_and_groups, seed_first_admin],
    cli=[users_cli],
    init_app=init_app,
)
