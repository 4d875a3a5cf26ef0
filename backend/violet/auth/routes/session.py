"""`/auth`: login, MFA, refresh, logout, the caller's profile, password and API tokens."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.auth.routes.common import (
    caller_permissions,
    client,
    documents_api_token_refusal,
    forget_refresh_cookie,
    hand_over_session,
    interactive_only,
    presented_refresh_token,
    refuse_api_tokens,
)
from violet.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreatedOut,
    ApiTokenOut,
    ApiTokenQuery,
    LoginIn,
    LoginOut,
    MeOut,
    MeUpdate,
    MfaDisableIn,
    MfaEnableIn,
    MfaLoginIn,
    MfaRecoveryCodesOut,
    MfaSetupOut,
    PasswordChangeIn,
    RefreshIn,
    TokenPairOut,
)
from violet.auth.service import api_tokens, directory, mfa, sessions
from violet.auth.service.principals import MFA_ENROLMENT
from violet.core.auth import (
    allowed_while,
    current_principal,
    current_user,
    public,
    require_auth,
)
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint, Extended
from violet.extensions import db

blp = Blueprint("auth", __name__, description="Sign-in, sessions, MFA and API tokens.")


@blp.route("/login")
class Login(MethodView):
    @public
    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="Unknown email or wrong password, or a deactivated account.")
    @blp.alt_response(429, description="Too many failed attempts; see Retry-After.")
    def post(self, payload):
        """Sign in with email and password.

        Answers a token pair, or `{mfa_required: true, mfa_token}` for users with two-factor
        authentication, to be completed with `POST /auth/login/mfa`. 10 failures for one account
        from one address within 15 minutes (and more for an address or an account) → 429.
        """
        result = sessions.login(payload["email"], payload["password"], client())
        db.session.commit()
        return hand_over_session(result)


@blp.route("/login/mfa")
class LoginMfa(MethodView):
    @public
    @blp.arguments(MfaLoginIn)
    @blp.response(200, TokenPairOut)
    @blp.alt_response(401, description="A wrong code, or the challenge is invalid or expired.")
    @blp.alt_response(429, description="Too many wrong codes; see Retry-After.")
    def post(self, payload):
        """Complete an MFA sign-in with the challenge token and a TOTP code or a recovery code.

        Send exactly one of `code` and `recovery_code`; either works once.
        """
        result = sessions.complete_mfa_login(
            payload["mfa_token"],
            client(),
            code=payload.get("code"),
            recovery_code=payload.get("recovery_code"),
        )
        db.session.commit()
        return hand_over_session(result)


@blp.route("/refresh")
class Refresh(MethodView):
    @public
    @blp.arguments(RefreshIn, required=False)
    @blp.response(200, TokenPairOut)
    @blp.alt_response(401, description="The refresh token is unknown, spent, revoked or expired.")
    def post(self, payload):
        """Exchange a refresh token for a new pair; the old one is spent.

        The token comes in the body, or (the web interface) in the `violet_refresh` cookie.
        Presenting a spent refresh token again revokes every token of that sign-in.
        """
        result = sessions.refresh(presented_refresh_token(payload) or "", client())
        db.session.commit()
        return hand_over_session(result)


@blp.route("/logout")
class Logout(MethodView):
    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @blp.arguments(RefreshIn, required=False)
    @blp.response(204)
    def post(self, payload):
        """End this sign-in: its refresh token (body or cookie) stops working."""
        refresh_token = presented_refresh_token(payload)
        if refresh_token:
            sessions.logout(current_user(), refresh_token)
        forget_refresh_cookie()
        db.session.commit()


@blp.route("/logout-all")
class LogoutAll(MethodView):
    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @interactive_only
    @blp.response(204)
    def post(self):
        """Sign out everywhere: every refresh, access and API token of the caller stops working.

        Refused to API tokens (403): a leaked token must not sign its owner out.
        """
        sessions.logout_everywhere(current_user())
        forget_refresh_cookie()
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @blp.response(200, MeOut)
    def get(self):
        """The caller, their groups and effective permissions (an API token's: its own)."""
        return sessions.describe_caller(current_principal().user_id, caller_permissions())

    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @blp.arguments(MeUpdate)
    @blp.response(200, MeOut)
    @blp.alt_response(403, description="An API token lacking some permission of its owner.")
    def patch(self, payload):
        """Change the caller's display name.

        With an API token, the token must carry every permission of its owner (403 otherwise).
        """
        user = current_user()
        directory.update_own_profile(user, payload, caller_permissions=caller_permissions())
        db.session.commit()
        return sessions.describe(user, permissions=caller_permissions())


@blp.route("/password")
class Password(MethodView):
    @require_auth
    @interactive_only
    @blp.arguments(PasswordChangeIn)
    @blp.response(204)
    @blp.alt_response(429, description="Too many wrong passwords; see Retry-After.")
    def post(self, payload):
        """Change the caller's password; every session ends (sign in again).

        API tokens are revoked too, unless `keep_api_tokens` is true.
        """
        sessions.change_password(
            current_user(),
            payload["current_password"],
            payload["new_password"],
            keep_api_tokens=payload["keep_api_tokens"],
        )
        db.session.commit()


@blp.route("/mfa/setup")
class MfaSetup(MethodView):
    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @interactive_only
    @blp.response(200, MfaSetupOut)
    def post(self):
        """Start TOTP enrolment: a new secret and its otpauth:// URI (for a QR code)."""
        result = mfa.begin_setup(current_user())
        db.session.commit()
        return result


@blp.route("/mfa/enable")
class MfaEnable(MethodView):
    @require_auth
    @allowed_while(MFA_ENROLMENT.name)
    @interactive_only
    @blp.arguments(MfaEnableIn)
    @blp.response(200, MfaRecoveryCodesOut)
    def post(self, payload):
        """Turn TOTP on with the password and a current code (proving the app works).

        Answers ten recovery codes, shown this once.
        """
        recovery_codes = mfa.enable(current_user(), payload["password"], payload["code"])
        db.session.commit()
        return {"recovery_codes": recovery_codes}


@blp.route("/mfa/disable")
class MfaDisable(MethodView):
    @require_auth
    @interactive_only
    @blp.arguments(MfaDisableIn)
    @blp.response(204)
    def post(self, payload):
        """Turn TOTP off (password and a current code); refused while MFA is mandatory."""
        mfa.disable(current_user(), payload["password"], payload["code"])
        db.session.commit()


@blp.route("/mfa/recovery-codes")
class MfaRecoveryCodes(MethodView):
    @require_auth
    @interactive_only
    @blp.arguments(MfaDisableIn)
    @blp.response(200, MfaRecoveryCodesOut)
    @blp.alt_response(429, description="Too many wrong codes or passwords; see Retry-After.")
    def post(self, payload):
        """Replace the caller's TOTP recovery codes (password and a current code).

        Answers ten new codes, shown this once; the previous ones stop working.
        """
        recovery_codes = mfa.regenerate_recovery_codes(
            current_user(), payload["password"], payload["code"]
        )
        db.session.commit()
        return {"recovery_codes": recovery_codes}


@blp.route("/tokens")
class ApiTokens(MethodView):
    @require_auth
    @interactive_only
    @list_response(blp, ApiTokenQuery, ApiTokenOut)
    def get(self, query):
        """The caller's API tokens, newest first (secrets are never shown again).

        Refused to API tokens (403): sign in to manage tokens.
        """
        return api_tokens.list_for(current_user().id, query)

    @require_auth
    @interactive_only
    @blp.arguments(ApiTokenCreate)
    @blp.response(201, ApiTokenCreatedOut)
    def post(self, payload):
        """Create an API token carrying some of the caller's permissions; shown once.

        Refused to API tokens (403): sign in to manage tokens.
        """
        token, secret = api_tokens.create(current_user(), **payload)
        db.session.commit()
        return Extended(token, token=secret)


@blp.route("/tokens/<uuid:token_id>")
class ApiTokenById(MethodView):
    @require_auth
    @documents_api_token_refusal
    @blp.response(204)
    def delete(self, token_id: UUID):
        """Revoke one of the caller's API tokens.

        An API token may revoke itself (a job discarding its token when done, or on finding it
        leaked) but no other token (403): sign in to manage tokens.
        """
        if current_principal().api_token_id != token_id:
            refuse_api_tokens()
        api_tokens.revoke(current_user().id, token_id)
        db.session.commit()
