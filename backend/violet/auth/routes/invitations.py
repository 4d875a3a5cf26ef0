"""`/invitations`: invite people by email; they accept with the one-time link (docs/api.md)."""

from __future__ import annotations

from uuid import UUID

from flask import current_app, request
from flask.views import MethodView

from violet.auth.routes.common import caller_permissions, client, hand_over_session
from violet.auth.schemas import (
    InvitationAcceptIn,
    InvitationCreate,
    InvitationCreatedOut,
    InvitationLookupOut,
    InvitationOut,
    InvitationQuery,
    InvitationTokenQuery,
    TokenPairOut,
)
from violet.auth.service import invitations
from violet.core.auth import current_principal, public, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint, Extended
from violet.extensions import db

blp = Blueprint("invitations", __name__, description="Invitations to join Violet.")

TOO_MANY_TRIES = "Too many unknown or unusable links from this address; see Retry-After."
UNKNOWN_LINK = "No invitation has this token."
UNUSABLE_LINK = (
    "The invitation is accepted, revoked or expired, or its inviter may no longer invite."
)


def public_base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url


@blp.route("")
class Invitations(MethodView):
    @require_perm("invitation.manage")
    @list_response(blp, InvitationQuery, InvitationOut)
    def get(self, query):
        """List invitations, newest first; filter by `status`."""
        return invitations.list_invitations(query)

    @require_perm("invitation.manage")
    @blp.arguments(InvitationCreate)
    @blp.response(201, InvitationCreatedOut)
    def post(self, payload):
        """Invite an email into groups and workspaces (none: the default one); the answer carries
        the one-time token and accept URL."""
        invitation, token = invitations.create(**payload, caller_permissions=caller_permissions())
        db.session.commit()
        return Extended(
            invitation, token=token, accept_url=invitations.accept_url(public_base_url(), token)
        )


@blp.route("/<uuid:invitation_id>")
class InvitationById(MethodView):
    @require_perm("invitation.manage")
    @blp.response(204)
    def delete(self, invitation_id: UUID):
        """Revoke a pending invitation (its link then answers 410)."""
        invitations.revoke(invitation_id, by=current_principal().user_id)
        db.session.commit()


@blp.route("/lookup")
class InvitationLookup(MethodView):
    @public
    @blp.arguments(InvitationTokenQuery, location="query")
    @blp.response(200, InvitationLookupOut)
    @blp.alt_response(404, description=UNKNOWN_LINK)
    @blp.alt_response(410, description=UNUSABLE_LINK)
    @blp.alt_response(429, description=TOO_MANY_TRIES)
    def get(self, query):
        """What an invitation link is for: email, expiry, who invited (410 when unusable)."""
        return invitations.find_usable(query["token"], address=client().ip_address)


@blp.route("/accept")
class InvitationAccept(MethodView):
    @public
    @blp.arguments(InvitationAcceptIn)
    @blp.response(201, TokenPairOut)
    @blp.alt_response(404, description=UNKNOWN_LINK)
    @blp.alt_response(410, description=UNUSABLE_LINK)
    @blp.alt_response(429, description=TOO_MANY_TRIES)
    def post(self, payload):
        """Accept an invitation: creates the account in the invited groups and signs in."""
        result = invitations.accept(
            payload["token"],
            display_name=payload["display_name"],
            password=payload["password"],
            client=client(),
        )
        db.session.commit()
        return hand_over_session(result)
