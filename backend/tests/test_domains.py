"""Domain registration: what the domains declare is what the app seeds, serves and runs."""

from __future__ import annotations

import click
import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

import violet.domains
from tests.conftest import make_app
from violet.auth.models import Group, Permission
from violet.core.auth import require_auth
from violet.core.domain import (
    ADMINISTRATORS,
    ANALYSTS,
    OPERATORS,
    Domain,
    Mount,
    PermissionCode,
    declared_permissions,
    register_domains,
    seed_all,
)
from violet.extensions import api, db


def stored_codes() -> set[str]:
    return set(db.session.scalars(select(Permission.code)))


def test_every_declared_code_is_added_by_a_migration_and_nothing_else_is():
    # The test database is built by the migrations alone (each test's own writes roll back).
    assert stored_codes() == set(declared_permissions())


def test_seeded_permissions_are_the_union_of_the_declarations():
    db.session.execute(Permission.__table__.delete())
    seed_all()
    assert stored_codes() == set(declared_permissions())


def test_default_groups_hold_what_the_declarations_give_them():
    declared = declared_permissions().values()
    for name in (ADMINISTRATORS, OPERATORS, ANALYSTS):
        group = db.session.scalars(select(Group).where(Group.name == name)).one()
        expected = {p.code for p in declared if name == ADMINISTRATORS or name in p.default_groups}
        assert set(group.permission_codes) == expected, name


def test_auth_names_no_other_domains_codes():
    from violet.auth.permissions import PERMISSIONS

    assert {p.code.split(".")[0] for p in PERMISSIONS} == {"user", "group", "invitation"}


def test_a_code_declared_twice_is_refused(app):
    twice = Domain(name="twice", permissions=[PermissionCode("user.read", "Again")])
    with pytest.raises(RuntimeError, match="user.read"):
        register_domains(app, api, [*violet.domains.DOMAINS, twice])


class ProbeOut(Schema):
    value = fields.String(required=True)


def probe_domain() -> Domain:
    blp = Blueprint("probe", __name__, description="A domain made up by this test.")

    @blp.route("")
    class Probe(MethodView):
        @require_auth
        @blp.response(200, ProbeOut)
        def get(self):
            """The probe's configured value."""
            from flask import current_app

            return {"value": current_app.config["PROBE_VALUE"]}

    @click.command("probe")
    def probe_command() -> None:
        click.echo("probed")

    return Domain(
        name="probe",
        blueprints=[Mount(blp, "/api/v1/probe")],
        cli=[probe_command],
        config=lambda: {"PROBE_VALUE": "forty-two"},
    )


def test_a_new_domain_needs_only_its_declaration_in_the_list(
    database_url, monkeypatch, make_user, auth_header
):
    monkeypatch.setattr(violet.domains, "DOMAINS", [*violet.domains.DOMAINS, probe_domain()])
    app = make_app(database_url)
    client = app.test_client()

    with app.app_context():
        assert client.get("/api/v1/probe").status_code == 401
        answer = client.get("/api/v1/probe", headers=auth_header(make_user()))
        assert answer.status_code == 200 and answer.json == {"value": "forty-two"}
        assert "/api/v1/probe" in client.get("/api/v1/openapi.json").json["paths"]
    assert app.test_cli_runner().invoke(args=["probe"]).output == "probed\n"
