"""Invitations: create, look up, accept once, revoke, expire."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from violet.auth.models import Group, Invitation, User
from violet.core.models import utcnow
from violet.extensions import db

PASSWORD = "invited person password"


@pytest.fixture
def analysts():
    return db.session.scalars(select(Group).where(Group.name == "Analysts")).one()


def invite(client, headers, email="guest@example.test", **extra):
    return client.post("/api/v1/invitations", json={"email": email, **extra}, headers=headers)


def accept(client, token, password=PASSWORD):
    return client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "display_name": "Guest", "password": password},
    )


def test_invite_lookup_accept_signs_the_new_user_in(client, admin, admin_header, analysts):
    created = invite(client, admin_header, group_ids=[str(analysts.id)], expires_in_hours=48)
    assert created.status_code == 201
    token = created.json["token"]
    assert created.json["accept_url"] == f"http://localhost/accept-invitation?token={token}"
    assert created.json["status"] == "pending"
    assert db.session.scalars(select(Invitation.token_hash)).one() != token

    lookup = client.get(f"/api/v1/invitations/lookup?token={token}")
    assert lookup.status_code == 200
    assert lookup.json["email"] == "guest@example.test"
    assert lookup.json["invited_by"] == admin.email

    accepted = accept(client, token)
    assert accepted.status_code == 201
    assert accepted.json["user"]["email"] == "guest@example.test"
    assert [g["name"] for g in accepted.json["user"]["groups"]] == ["Analysts"]
    assert "test_template.read" in accepted.json["user"]["permissions"]
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {accepted.json['access_token']}"}
    )
    assert me.status_code == 200


def test_invitation_is_single_use(client, admin_header):
    token = invite(client, admin_header).json["token"]
    assert accept(client, token).status_code == 201

    again = accept(client, token)
    lookup = client.get(f"/api/v1/invitations/lookup?token={token}")

    assert again.status_code == 410
    assert lookup.status_code == 410
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "guest@example.test")
        )
        == 1
    )


def test_revoked_and_expired_invitations_are_gone(client, admin_header):
    revoked = invite(client, admin_header, "r@example.test").json
    expired = invite(client, admin_header, "e@example.test").json
    client.delete(f"/api/v1/invitations/{revoked['id']}", headers=admin_header)
    db.session.get(Invitation, expired["id"]).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert accept(client, revoked["token"]).status_code == 410
    assert accept(client, expired["token"]).status_code == 410
    assert client.get(f"/api/v1/invitations/lookup?token={expired['token']}").status_code == 410


def test_unknown_token_is_404(client):
    assert client.get("/api/v1/invitations/lookup?token=nope").status_code == 404
    assert accept(client, "nope").status_code == 404


def test_list_filters_by_status(client, admin_header):
    pending = invite(client, admin_header, "p@example.test").json
    used = invite(client, admin_header, "u@example.test").json
    accept(client, used["token"])
    revoked = invite(client, admin_header, "x@example.test").json
    client.delete(f"/api/v1/invitations/{revoked['id']}", headers=admin_header)

    def emails(status):
        response = client.get(f"/api/v1/invitations?status={status}", headers=admin_header)
        return [item["email"] for item in response.json["items"]]

    assert emails("pending") == [pending["email"]]
    assert emails("accepted") == [used["email"]]
    assert emails("revoked") == [revoked["email"]]
    assert emails("expired") == []
    assert client.get("/api/v1/invitations?status=lost", headers=admin_header).status_code == 422


def test_inviting_an_existing_user_is_a_conflict(client, make_user, admin_header):
    make_user("member@example.test")
    response = invite(client, admin_header, "Member@example.test")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.test", "expires_in_hours": 721}, "expires_in_hours"),
        ({"email": "a@example.test", "group_ids": ["not-a-uuid"]}, "group_ids.0"),
        (
            {"email": "a@example.test", "group_ids": ["6f1d2b1e-0000-4000-8000-000000000000"]},
            "group_ids",
        ),
        ({"email": "a@example.test", "role": "admin"}, "role"),
        ({"email": "x" * 250 + "@example.test"}, "email"),
    ],
)
def test_bad_invitations_are_refused_and_nothing_is_created(client, admin_header, payload, field):
    response = client.post("/api/v1/invitations", json=payload, headers=admin_header)

    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_accept_with_a_short_password_creates_nothing(client, admin_header):
    token = invite(client, admin_header).json["token"]

    response = accept(client, token, password="short")

    assert response.status_code == 422
    assert "password" in response.json["errors"]
    assert client.get(f"/api/v1/invitations/lookup?token={token}").status_code == 200


def test_an_address_scanning_for_links_is_refused_for_a_while(client, admin_header):
    """Unknown or used links count against the caller's address, in PostgreSQL (every worker
    sees the same count): after 30 of them even a good link gets 429 from that address."""
    token = invite(client, admin_header).json["token"]
    for attempt in range(30):
        response = client.get(f"/api/v1/invitations/lookup?token=guess-{attempt}")
        assert response.status_code == 404

    refused = client.get(f"/api/v1/invitations/lookup?token={token}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "invitation links" in refused.json["detail"]
    assert accept(client, token).status_code == 429
    other_address = client.get(
        f"/api/v1/invitations/lookup?token={token}", environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert other_address.status_code == 200


@pytest.mark.parametrize("what", ["deactivated", "deleted", "demoted"])
def test_an_invitation_ends_with_its_inviters_authority(
    client, make_user, make_group, auth_header, admin_header, what
):
    # A compromised inviter leaves themselves a 30-day link; cleaning up the account must end it.
    inviters = make_group(perms=["invitation.manage", "user.read"])
    inviter = make_user("inviter@example.test", groups=[inviters])
    token = invite(
        client,
        auth_header(inviter),
        "back-door@example.test",
        group_ids=[str(inviters.id)],
        expires_in_hours=720,
    ).json["token"]
    if what == "deactivated":
        change = client.patch(
            f"/api/v1/users/{inviter.id}", json={"is_active": False}, headers=admin_header
        )
    elif what == "deleted":
        change = client.delete(f"/api/v1/users/{inviter.id}", headers=admin_header)
    else:
        change = client.patch(
            f"/api/v1/users/{inviter.id}", json={"group_ids": []}, headers=admin_header
        )
    assert change.status_code in (200, 204)

    lookup = client.get(f"/api/v1/invitations/lookup?token={token}")
    accepted = accept(client, token)

    assert (lookup.status_code, accepted.status_code) == (410, 410)
    assert "ask for a new one" in accepted.json["detail"]
    assert db.session.scalar(select(User).where(User.email == "back-door@example.test")) is None


def test_an_invitation_stays_good_while_its_inviter_may_make_it(
    client, make_user, make_group, auth_header, admin_header
):
    inviters = make_group(perms=["invitation.manage", "user.read"])
    inviter = make_user("inviter@example.test", groups=[inviters])
    token = invite(client, auth_header(inviter), group_ids=[str(inviters.id)]).json["token"]
    # A change that leaves them able to make it does not end it.
    client.patch(f"/api/v1/users/{inviter.id}", json={"display_name": "I"}, headers=admin_header)

    assert accept(client, token).status_code == 201


@pytest.mark.parametrize("made_by", ["invitation", "administrator"])
def test_an_account_revokes_the_emails_other_invitations(client, admin_header, made_by):
    # A "resend" left the first link pending: once the account was deleted, it made it again.
    first = invite(client, admin_header, "twice@example.test").json
    second = invite(client, admin_header, "TWICE@example.test").json
    if made_by == "invitation":
        created = accept(client, second["token"])
    else:
        created = client.post(
            "/api/v1/users",
            json={"email": "twice@example.test", "password": PASSWORD},
            headers=admin_header,
        )
    assert created.status_code == 201
    user_id = created.json["user"]["id"] if made_by == "invitation" else created.json["id"]

    statuses = {
        item["id"]: item["status"]
        for item in client.get("/api/v1/invitations", headers=admin_header).json["items"]
    }
    client.delete(f"/api/v1/users/{user_id}", headers=admin_header)
    again = accept(client, first["token"])

    assert statuses[first["id"]] == "revoked"
    assert statuses[second["id"]] == ("accepted" if made_by == "invitation" else "revoked")
    assert again.status_code == 410
    assert "ask for a new one" in again.json["detail"]  # the account is gone: a new link it is
    assert db.session.scalar(select(User).where(User.email == "twice@example.test")) is None


@pytest.mark.parametrize("made_by", ["invitation", "administrator"])
def test_a_link_ended_by_the_account_made_for_its_email_says_to_sign_in(
    client, admin_header, made_by
):
    """ "Ask for a new one" sent the invitee for a link that every new invitation to their email
    refuses (409: the account exists). Their link now says to sign in with the account."""
    first = invite(client, admin_header, "made@example.test").json
    second = invite(client, admin_header, "made@example.test").json
    if made_by == "invitation":
        assert accept(client, second["token"]).status_code == 201
    else:
        created = client.post(
            "/api/v1/users",
            json={"email": "made@example.test", "password": PASSWORD},
            headers=admin_header,
        )
        assert created.status_code == 201

    for token in (first["token"], second["token"]):
        for response in (
            accept(client, token),
            client.get(f"/api/v1/invitations/lookup?token={token}"),
        ):
            assert response.status_code == 410
            assert "An account for made@example.test exists now: sign in" in response.json["detail"]


@pytest.mark.parametrize("made_by", ["invitation", "administrator"])
def test_a_link_revoked_by_hand_tells_its_holder_nothing_of_an_account_made_since(
    client, admin_header, made_by
):
    """An attacker's test. An administrator revokes a link because it reached the wrong person
    (a mistyped address, a forwarded email); the invitee gets an account later, through a new
    link or from an administrator. The old link's holder, not the invitee, was told "An account
    for lena@example.test exists now: sign in with it (an administrator resets its password
    if you do not know it)": that the account exists, and whom to ask to reset it. A link
    revoked by hand says only that it is revoked, as before the account existed."""
    leaked = invite(client, admin_header, "lena@example.test").json
    revoked = client.delete(f"/api/v1/invitations/{leaked['id']}", headers=admin_header)
    assert revoked.status_code == 204
    if made_by == "invitation":
        fresh = invite(client, admin_header, "lena@example.test").json
        assert accept(client, fresh["token"]).status_code == 201
    else:
        created = client.post(
            "/api/v1/users",
            json={"email": "lena@example.test", "password": PASSWORD},
            headers=admin_header,
        )
        assert created.status_code == 201

    for response in (
        accept(client, leaked["token"]),
        client.get(f"/api/v1/invitations/lookup?token={leaked['token']}"),
    ):
        assert response.status_code == 410
        assert response.json["detail"] == "This invitation is revoked; ask for a new one."
