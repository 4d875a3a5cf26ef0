"""Upgrades keep data: each revision's realistic rows survive every later migration.

The test walks the history from base to head. At each revision listed in `DATA_AT_REVISION` it
loads what an instance at that revision holds, with plain SQL written for that revision's schema
(the models describe head only). At head it checks every loaded set, then signs in with the old
user and calls the API with the old token, and finally downgrades step by step to base with the
data in place.

A new migration that changes or adds tables adds its own entry: the revision that introduced the
tables → a `DataStep` whose `load` writes rows and whose `check` reads them back at head.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from tests.conftest import DEFAULT_PASSWORD, fresh_database_url, make_app, password_hash_for
from violet.auth.service.credentials import token_hash
from violet.extensions import migrate


@dataclass(frozen=True)
class DataStep:
    load: Callable[[Connection], None]
    check: Callable[[Connection], None]


USER_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-000000000001")
USER_EMAIL = "veteran@upgrade.test"
API_TOKEN = "vlt_upgrade-test-token-kept-across-migrations"
FUTURE = datetime.now(UTC) + timedelta(days=300)


# --- 3b7c1a2d9e01 auth: users, groups, tokens --------------------------------------------------


def load_users_and_tokens(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO users (id, email, display_name, password_hash) "
            "VALUES (:id, :email, 'Veteran', :hash)"
        ),
        {"id": USER_ID, "email": USER_EMAIL, "hash": password_hash_for(DEFAULT_PASSWORD)},
    )
    connection.execute(
        text(
            "INSERT INTO user_groups (user_id, group_id) "
            "SELECT :id, id FROM groups WHERE name = 'Administrators'"
        ),
        {"id": USER_ID},
    )
    connection.execute(
        text(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, permissions, expires_at) "
            "VALUES (:user_id, 'ci', :hash, :prefix, ARRAY['mitre.sync', 'user.read'], :expires)"
        ),
        {
            "user_id": USER_ID,
            "hash": token_hash(API_TOKEN),
            "prefix": API_TOKEN[:10],
            "expires": FUTURE,
        },
    )
    connection.execute(
        text(
            "INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) "
            "VALUES (:user_id, :hash, gen_random_uuid(), :expires)"
        ),
        {"user_id": USER_ID, "hash": token_hash("refresh-token"), "expires": FUTURE},
    )


def check_users_and_tokens(connection: Connection) -> None:
    user = connection.execute(
        text("SELECT email, display_name, is_active FROM users WHERE id = :id"), {"id": USER_ID}
    ).one()
    assert tuple(user) == (USER_EMAIL, "Veteran", True)
    groups = connection.execute(
        text(
            "SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id "
            "WHERE ug.user_id = :id"
        ),
        {"id": USER_ID},
    ).scalars()
    assert list(groups) == ["Administrators"]
    token = connection.execute(
        text(
            "SELECT name, permissions, revoked_at, mission_access FROM api_tokens "
            "WHERE user_id = :id"
        ),
        {"id": USER_ID},
    ).one()
    # A token made before `mission_access` keeps what it could do: its owner's mission roles.
    assert tuple(token) == ("ci", ["mitre.sync", "user.read"], None, "write")
    assert (
        connection.execute(
            text("SELECT count(*) FROM refresh_tokens WHERE user_id = :id"), {"id": USER_ID}
        ).scalar_one()
        == 1
    )


# --- 6d4e2f8a1b93 mitre: a synced catalogue ------------------------------------------------------

TACTIC_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000a1")
TECHNIQUE_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000b1")


def load_catalogue(connection: Connection) -> None:
    common = "stix_id, name, description, url, domain, attack_version"
    connection.execute(
        text(
            f"INSERT INTO mitre_tactics (id, external_id, shortname, position, {common}) VALUES "
            "(:id, 'TA0002', 'execution', 1, 'x-mitre-tactic--1', 'Execution', 'Run code', "
            "'https://attack.mitre.org/tactics/TA0002', 'enterprise-attack', '18.1')"
        ),
        {"id": TACTIC_ID},
    )
    connection.execute(
        text(
            f"INSERT INTO mitre_techniques (id, external_id, platforms, {common}) VALUES "
            "(:id, 'T1059', ARRAY['Windows', 'Linux'], 'attack-pattern--1', "
            "'Command and Scripting Interpreter', 'Abuse interpreters', "
            "'https://attack.mitre.org/techniques/T1059', 'enterprise-attack', '18.1')"
        ),
        {"id": TECHNIQUE_ID},
    )
    connection.execute(
        text(
            f"INSERT INTO mitre_subtechniques (external_id, technique_id, platforms, {common}) "
            "VALUES ('T1059.001', :technique, ARRAY['Windows'], 'attack-pattern--2', 'PowerShell', "
            "'Abuse PowerShell', 'https://attack.mitre.org/techniques/T1059/001', "
            "'enterprise-attack', '18.1')"
        ),
        {"technique": TECHNIQUE_ID},
    )
    connection.execute(
        text("INSERT INTO mitre_technique_tactics (technique_id, tactic_id) VALUES (:te, :ta)"),
        {"te": TECHNIQUE_ID, "ta": TACTIC_ID},
    )
    connection.execute(
        text(
            "INSERT INTO mitre_syncs (status, domain, version, source, sha256, verified, "
            "started_at, finished_at, duration_ms, counts, started_by) VALUES ('succeeded', "
            "'enterprise-attack', '18.1', 'upload:enterprise-attack.json', :sha, true, now(), "
            'now(), 1234, \'{"tactics": 1, "techniques": 1, "subtechniques": 1}\', :user)'
        ),
        {"sha": "a" * 64, "user": USER_ID},
    )


def check_catalogue(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT ta.external_id, te.external_id, s.external_id, te.platforms "
            "FROM mitre_technique_tactics tt "
            "JOIN mitre_tactics ta ON ta.id = tt.tactic_id "
            "JOIN mitre_techniques te ON te.id = tt.technique_id "
            "JOIN mitre_subtechniques s ON s.technique_id = te.id"
        )
    ).all()
    assert [tuple(row) for row in rows] == [("TA0002", "T1059", "T1059.001", ["Windows", "Linux"])]
    sync = connection.execute(text("SELECT status, version, counts FROM mitre_syncs")).one()
    assert tuple(sync) == (
        "succeeded",
        "18.1",
        {"tactics": 1, "techniques": 1, "subtechniques": 1},
    )


# --- d81f4c6a2b7e TOTP recovery codes: one used, one not ---------------------------------------

RECOVERY_CODE_HASHES = (token_hash("usedupgradecode1"), token_hash("freshupgradecode"))


def load_recovery_codes(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO mfa_recovery_codes (user_id, code_hash, used_at) VALUES "
            "(:user, :used, now()), (:user, :fresh, NULL)"
        ),
        {"user": USER_ID, "used": RECOVERY_CODE_HASHES[0], "fresh": RECOVERY_CODE_HASHES[1]},
    )


def check_recovery_codes(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT code_hash, used_at IS NOT NULL FROM mfa_recovery_codes "
            "WHERE user_id = :user ORDER BY used_at NULLS LAST"
        ),
        {"user": USER_ID},
    ).all()
    assert [tuple(row) for row in rows] == [
        (RECOVERY_CODE_HASHES[0], True),
        (RECOVERY_CODE_HASHES[1], False),
    ]


# --- 8e4417d351d5, then 724a2efeb107 removes stale mission memberships --------------------------

# A workspace removal before `workspace.members_removed` ended mission memberships: the user left
# WORKSPACE but kept their memberships of its missions (one of them deleted). In OTHER, where they
# still are a member, their membership stays, as does the veteran's in WORKSPACE.
FORMER_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-000000000002")
WORKSPACE_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000a1")
OTHER_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000a2")
MISSION_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000b1")
DELETED_MISSION_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000b2")
OTHER_MISSION_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-0000000000b3")


def load_stale_mission_memberships(connection: Connection) -> None:
    ids = {
        "former": FORMER_ID,
        "veteran": USER_ID,
        "workspace": WORKSPACE_ID,
        "other": OTHER_ID,
        "mission": MISSION_ID,
        "deleted": DELETED_MISSION_ID,
        "other_mission": OTHER_MISSION_ID,
        "hash": password_hash_for(DEFAULT_PASSWORD),
    }
    statements = [
        "INSERT INTO users (id, email, display_name, password_hash) "
        "VALUES (:former, 'former@upgrade.test', 'Former', :hash)",
        "INSERT INTO workspaces (id, name, slug) "
        "VALUES (:workspace, 'Left', 'left'), (:other, 'Stayed', 'stayed')",
        "INSERT INTO workspace_members (workspace_id, user_id) "
        "VALUES (:workspace, :veteran), (:other, :former)",
        "INSERT INTO missions (id, workspace_id, name, status, deleted_at) VALUES "
        "(:mission, :workspace, 'Live', 'planned', NULL), "
        "(:deleted, :workspace, 'Deleted', 'planned', now()), "
        "(:other_mission, :other, 'Elsewhere', 'planned', NULL)",
        "INSERT INTO mission_members (workspace_id, mission_id, user_id, role) VALUES "
        "(:workspace, :mission, :veteran, 'lead'), (:workspace, :mission, :former, 'red'), "
        "(:workspace, :deleted, :former, 'lead'), (:other, :other_mission, :former, 'lead')",
    ]
    for statement in statements:
        connection.execute(text(statement), ids)


def check_stale_mission_memberships(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT mission_id, user_id FROM mission_members WHERE mission_id IN "
            "(:mission, :deleted, :other_mission) ORDER BY mission_id"
        ),
        {"mission": MISSION_ID, "deleted": DELETED_MISSION_ID, "other_mission": OTHER_MISSION_ID},
    ).all()
    assert [tuple(row) for row in rows] == [(MISSION_ID, USER_ID), (OTHER_MISSION_ID, FORMER_ID)]


# The revision that introduced the tables → the rows an instance at that revision holds.
DATA_AT_REVISION: dict[str, DataStep] = {
    "3b7c1a2d9e01": DataStep(load_users_and_tokens, check_users_and_tokens),
    "6d4e2f8a1b93": DataStep(load_catalogue, check_catalogue),
    "d81f4c6a2b7e": DataStep(load_recovery_codes, check_recovery_codes),
    "8e4417d351d5": DataStep(load_stale_mission_memberships, check_stale_mission_memberships),
}


def history_from_base() -> list[str]:
    script = ScriptDirectory.from_config(migrate.get_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def public_tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )


def test_upgrades_keep_the_data_of_every_earlier_revision(app_session):
    url = fresh_database_url("violet_migration_data")
    app = make_app(url)
    engine = create_engine(url)
    try:
        with app.app_context():
            history = history_from_base()
            assert set(DATA_AT_REVISION) <= set(history), "a data step names an unknown revision"
            for revision in history:
                upgrade(revision=revision)
                if revision in DATA_AT_REVISION:
                    with engine.begin() as connection:
                        DATA_AT_REVISION[revision].load(connection)
            upgrade()

            with engine.connect() as connection:
                for step in DATA_AT_REVISION.values():
                    step.check(connection)

        # Outside the app context above, so each request ends its own session (and its locks).
        client = app.test_client()
        login = client.post(
            "/api/v1/auth/login", json={"email": USER_EMAIL, "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200, login.get_json()
        technique = client.get(
            "/api/v1/mitre/techniques/T1059", headers={"Authorization": f"Bearer {API_TOKEN}"}
        )
        assert technique.status_code == 200, technique.get_json()
        assert [sub["external_id"] for sub in technique.get_json()["subtechniques"]] == [
            "T1059.001"
        ]

        with app.app_context():
            for _ in history:
                downgrade(revision="-1")
        assert public_tables(engine) <= {"alembic_version"}
    finally:
        engine.dispose()
