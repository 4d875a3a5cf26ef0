"""No one grants what they do not hold; no one changes a user who holds more than they do.

Every path is tried by a signed-in user and by an API token scoped to the same permission.
"""

from uuid import UUID

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from violet.auth.models import Group, Invitation, Permission, User
from violet.auth.service.credentials import verify_password
from violet.auth.service.directory import seed_permissions_and_groups
from violet.core.domain import declared_permissions
from violet.extensions import db


def administrators() -> Group:
    return db.session.scalars(select(Group).where(Group.name == "Administrators")).one()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(params=["session", "api token"])
def caller(request, client, make_user, auth_header):
    """A caller holding `user.manage`-like permissions: a user, or an admin's scoped token."""

    def make(perms: list[str]) -> tuple[User, dict[str, str]]:
        if request.param == "session":
            # Some administrator must remain, or every change is refused (409) for that reason.
            make_user(groups=[administrators()])
            user = make_user(perms=perms)
            return user, auth_header(user)
        owner = make_user(groups=[administrators()])
        created = client.post(
            "/api/v1/auth/tokens",
            json={"name": "scoped", "permissions": perms},
            headers=auth_header(owner),
        )
        assert created.status_code == 201
        return owner, bearer(created.json["token"])

    return make


def assert_refused(response, *codes: str) -> None:
    assert response.status_code == 403, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    for code in codes:
        assert code in response.json["detail"]


def test_user_manager_cannot_join_administrators(client, caller):
    me, headers = caller(["user.manage"])
    groups_before = [group.id for group in me.groups]

    response = client.patch(
        f"/api/v1/users/{me.id}", json={"group_ids": [str(administrators().id)]}, headers=headers
    )

    assert_refused(response, "group.manage", "diag.read")
    db.session.expire_all()
    assert [group.id for group in db.session.get(User, me.id).groups] == groups_before


def test_user_manager_cannot_create_an_administrator(client, caller):
    _, headers = caller(["user.manage"])

    response = client.post(
        "/api/v1/users",
        json={
            "email": "sock@example.test",
            "password": "a long enough password",
            "group_ids": [str(administrators().id)],
        },
        headers=headers,
    )

    assert_refused(response, "group.manage")
    assert db.session.scalar(select(User).where(User.email == "sock@example.test")) is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/users/{id}", {"password": "the attacker's password"}),
        ("patch", "/api/v1/users/{id}", {"is_active": False}),
        ("patch", "/api/v1/users/{id}", {"group_ids": []}),
        ("patch", "/api/v1/users/{id}", {"display_name": "pwned"}),
        ("delete", "/api/v1/users/{id}/mfa", None),
        ("delete", "/api/v1/users/{id}", None),
    ],
)
def test_user_manager_cannot_change_an_administrator(client, make_user, caller, method, path, body):
    target = make_user("boss@example.test", groups=[administrators()])
    target.mfa_enabled, target.mfa_secret = True, "JBSWY3DPEHPK3PXP"
    db.session.commit()
    _, headers = caller(["user.manage"])

    response = getattr(client, method)(path.format(id=target.id), json=body, headers=headers)

    assert_refused(response, "group.manage")
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert verify_password(target.password_hash, DEFAULT_PASSWORD)
    assert (target.is_active, target.deleted_at, target.mfa_enabled) == (True, None, True)
    assert target.display_name == "boss" and target.groups


def test_user_manager_cannot_restore_a_deleted_administrator(client, make_user, caller):
    target = make_user("gone-boss@example.test", groups=[administrators()])
    target.soft_delete()
    db.session.commit()
    _, headers = caller(["user.manage"])

    response = client.post(f"/api/v1/users/{target.id}/restore", headers=headers)

    assert_refused(response, "group.manage")
    db.session.expire_all()
    assert db.session.get(User, target.id).deleted_at is not None


def test_user_manager_may_change_users_who_hold_less(client, make_user, caller):
    target = make_user("plain@example.test", perms=["user.read"])
    _, headers = caller(["user.manage", "user.read"])

    response = client.patch(
        f"/api/v1/users/{target.id}", json={"display_name": "Renamed"}, headers=headers
    )

    assert response.status_code == 200
    assert response.json["display_name"] == "Renamed"


def test_inviter_cannot_invite_into_groups_granting_more(client, caller):
    _, headers = caller(["invitation.manage"])

    response = client.post(
        "/api/v1/invitations",
        json={"email": "my-second@example.test", "group_ids": [str(administrators().id)]},
        headers=headers,
    )

    assert_refused(response, "user.manage")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_inviter_may_invite_into_groups_within_their_permissions(client, make_user, caller):
    _, headers = caller(["invitation.manage", "test_template.read", "scenario_template.read"])
    analysts = db.session.scalars(select(Group).where(Group.name == "Analysts")).one()

    response = client.post(
        "/api/v1/invitations",
        json={"email": "analyst@example.test", "group_ids": [str(analysts.id)]},
        headers=headers,
    )

    assert response.status_code == 201


def test_group_manager_cannot_grant_permissions_they_lack(client, caller):
    _, headers = caller(["group.manage"])
    plain = Group(name="Plain")
    db.session.add(plain)
    db.session.commit()

    created = client.post(
        "/api/v1/groups",
        json={"name": "Escalators", "permissions": ["user.manage"]},
        headers=headers,
    )
    widened = client.patch(
        f"/api/v1/groups/{plain.id}", json={"permissions": ["user.manage"]}, headers=headers
    )

    assert_refused(created, "user.manage")
    assert_refused(widened, "user.manage")
    assert db.session.scalar(select(Group).where(Group.name == "Escalators")) is None
    db.session.expire_all()
    assert db.session.get(Group, plain.id).permission_codes == []


def test_group_manager_cannot_restore_a_group_granting_more(client, caller):
    _, headers = caller(["group.manage"])
    group = Group(name="Powerful")
    group.permissions = [db.session.get(Permission, "user.manage")]
    db.session.add(group)
    db.session.flush()
    group.soft_delete()
    db.session.commit()

    response = client.post(f"/api/v1/groups/{group.id}/restore", headers=headers)

    assert_refused(response, "user.manage")


def test_group_manager_may_rename_a_group_granting_more(client, caller):
    _, headers = caller(["group.manage", "diag.read"])
    everything = caller(list(declared_permissions()))[1]
    auditors = client.post(
        "/api/v1/groups",
        json={"name": "Auditors", "permissions": ["audit.read", "diag.read"]},
        headers=everything,
    ).json

    response = client.patch(
        f"/api/v1/groups/{auditors['id']}",
        json={"name": "Audit", "permissions": ["audit.read"]},
        headers=headers,
    )

    assert response.status_code == 200
    assert (response.json["name"], response.json["permissions"]) == ("Audit", ["audit.read"])


def test_group_manager_cannot_take_away_permissions_they_lack(client, caller):
    # Taking audit.read from a group changes its members, who hold more than the caller; taken
    # from Administrators, nobody would hold it any more to give it back.
    _, headers = caller(["group.manage", "diag.read"])
    everything = caller(list(declared_permissions()))[1]
    auditors = client.post(
        "/api/v1/groups",
        json={"name": "Auditors", "permissions": ["audit.read", "diag.read"]},
        headers=everything,
    ).json
    codes = administrators().permission_codes

    narrowed = client.patch(
        f"/api/v1/groups/{auditors['id']}", json={"permissions": ["diag.read"]}, headers=headers
    )
    stripped = client.patch(
        f"/api/v1/groups/{administrators().id}",
        json={"permissions": [code for code in codes if code != "audit.read"]},
        headers=headers,
    )
    deleted = client.delete(f"/api/v1/groups/{auditors['id']}", headers=headers)

    for response in (narrowed, stripped, deleted):
        assert_refused(response, "take away", "audit.read")
    db.session.expire_all()
    assert db.session.get(Group, UUID(auditors["id"])).permission_codes == [
        "audit.read",
        "diag.read",
    ]
    assert db.session.get(Group, UUID(auditors["id"])).deleted_at is None
    assert administrators().permission_codes == codes


def test_group_manager_may_delete_a_group_granting_only_what_they_hold(client, caller):
    _, headers = caller(["group.manage", "diag.read"])
    diag = Group(name="Diagnostics")
    diag.permissions = [db.session.get(Permission, "diag.read")]
    db.session.add(diag)
    db.session.commit()

    response = client.delete(f"/api/v1/groups/{diag.id}", headers=headers)

    assert response.status_code == 204


def test_group_manager_cannot_name_a_group_administrators(client, caller):
    # The seed gives the group named Administrators every permission at each start: renaming
    # the real one away and one's own group to "administrators" gave its members everything.
    me, headers = caller(["group.manage"])
    real = administrators()
    mine = Group(name="Group managers")
    mine.permissions = [db.session.get(Permission, "group.manage")]
    db.session.add(mine)
    db.session.commit()

    away = client.patch(f"/api/v1/groups/{real.id}", json={"name": "Old admins"}, headers=headers)
    renamed = client.patch(
        f"/api/v1/groups/{mine.id}", json={"name": " administrators "}, headers=headers
    )
    created = client.post(
        "/api/v1/groups", json={"name": "ADMINISTRATORS", "permissions": []}, headers=headers
    )

    assert away.status_code == 200
    assert_refused(renamed, "user.manage", "audit.read")
    assert_refused(created, "user.manage", "audit.read")
    seed_permissions_and_groups()
    db.session.expire_all()
    assert db.session.get(Group, mine.id).permission_codes == ["group.manage"]


def test_group_manager_cannot_restore_a_group_named_administrators(client, caller):
    _, headers = caller(["group.manage"])
    administrators().name = "Old admins"
    ghost = Group(name="Administrators")
    db.session.add(ghost)
    db.session.flush()
    ghost.soft_delete()
    db.session.commit()

    response = client.post(f"/api/v1/groups/{ghost.id}/restore", headers=headers)

    assert_refused(response, "user.manage")
    db.session.expire_all()
    assert db.session.get(Group, ghost.id).deleted_at is not None


def test_a_scoped_token_cannot_change_its_owner(client, make_user, auth_header):
    owner = make_user(perms=["user.manage", "user.read", "diag.read"])
    scoped = client.post(
        "/api/v1/auth/tokens",
        json={"name": "user admin", "permissions": ["user.manage"]},
        headers=auth_header(owner),
    ).json["token"]

    # (Its password it cannot set at all: test_own_password_and_totp_change_only_through_auth.)
    response = client.patch(
        f"/api/v1/users/{owner.id}", json={"group_ids": []}, headers=bearer(scoped)
    )

    assert_refused(response, "diag.read", "user.read")


def test_a_token_without_permissions_cannot_change_its_owners_profile(
    client, make_user, auth_header
):
    owner = make_user(perms=["user.read"], display_name="Owner")
    empty = client.post(
        "/api/v1/auth/tokens",
        json={"name": "nothing", "permissions": []},
        headers=auth_header(owner),
    ).json["token"]

    response = client.patch(
        "/api/v1/auth/me", json={"display_name": "Renamed by a token"}, headers=bearer(empty)
    )

    assert_refused(response, "user.read")
    db.session.expire_all()
    assert db.session.get(User, owner.id).display_name == "Owner"


def test_me_with_an_api_token_reports_the_tokens_permissions(client, make_user, auth_header):
    owner = make_user(perms=["user.read", "diag.read"])
    token = client.post(
        "/api/v1/auth/tokens",
        json={"name": "reader", "permissions": ["diag.read"]},
        headers=auth_header(owner),
    ).json["token"]

    me = client.get("/api/v1/auth/me", headers=bearer(token))

    assert me.status_code == 200
    assert me.json["permissions"] == ["diag.read"]


def token_with_everything(client, owner, auth_header) -> dict[str, str]:
    """An automation token carrying every permission its (administrator) owner holds."""
    created = client.post(
        "/api/v1/auth/tokens",
        json={"name": "automation", "permissions": sorted(declared_permissions())},
        headers=auth_header(owner),
    )
    assert created.status_code == 201
    return bearer(created.json["token"])


@pytest.mark.parametrize("by", ["session", "api token"])
@pytest.mark.parametrize(
    ("method", "path", "body", "says"),
    [
        ("patch", "/api/v1/users/{id}", {"password": "the thief's password"}, "/auth/password"),
        ("delete", "/api/v1/users/{id}/mfa", None, "/auth/mfa/disable"),
    ],
)
def test_own_password_and_totp_change_only_through_auth(
    client, make_user, auth_header, by, method, path, body, says
):
    # The owner holds everything they hold, so the rules for changing a user let a stolen
    # session or a leaked token reset the password and drop the TOTP: sign in as the owner.
    owner = make_user("owner@example.test", groups=[administrators()])
    owner.mfa_enabled, owner.mfa_secret = True, "JBSWY3DPEHPK3PXP"
    db.session.commit()
    headers = (
        auth_header(owner) if by == "session" else token_with_everything(client, owner, auth_header)
    )

    response = getattr(client, method)(path.format(id=owner.id), json=body, headers=headers)

    assert_refused(response, says)
    db.session.expire_all()
    owner = db.session.get(User, owner.id)
    assert verify_password(owner.password_hash, DEFAULT_PASSWORD)
    assert owner.mfa_enabled


@pytest.mark.parametrize(("method", "body"), [("patch", {"is_active": False}), ("delete", None)])
def test_an_api_token_cannot_deactivate_or_delete_its_owner(
    client, make_user, auth_header, method, body
):
    make_user(groups=[administrators()])  # another administrator remains: not a 409
    owner = make_user("owner@example.test", groups=[administrators()])
    headers = token_with_everything(client, owner, auth_header)

    response = getattr(client, method)(f"/api/v1/users/{owner.id}", json=body, headers=headers)

    assert_refused(response, "sign in")
    db.session.expire_all()
    owner = db.session.get(User, owner.id)
    assert owner.is_active and owner.deleted_at is None


def test_an_administrator_still_resets_another_users_password_and_totp(
    client, make_user, auth_header
):
    admin = make_user(groups=[administrators()])
    target = make_user("lost-phone@example.test", perms=["user.read"])
    target.mfa_enabled, target.mfa_secret = True, "JBSWY3DPEHPK3PXP"
    db.session.commit()

    reset = client.delete(f"/api/v1/users/{target.id}/mfa", headers=auth_header(admin))
    password = client.patch(
        f"/api/v1/users/{target.id}",
        json={"password": "a new long password"},
        headers=auth_header(admin),
    )

    assert (reset.status_code, password.status_code) == (204, 200)
