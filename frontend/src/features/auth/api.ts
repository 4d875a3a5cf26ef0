import { api, publicApi, session, unwrap } from "../../api/client";
import { REFRESH_TRANSPORT } from "../../api/session";
import type { InvitationLookup, LoginOut, Me, TokenPairOut } from "../../api/types";

export const meQueryKey = ["me"] as const;

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET("/api/v1/auth/me"));
}

export function login(email: string, password: string): Promise<LoginOut> {
  return unwrap(
    publicApi.POST("/api/v1/auth/login", {
      body: { email, password },
      headers: REFRESH_TRANSPORT,
    }),
  );
}

/** The login answer's token pair, or null when it is an MFA challenge instead. */
export function tokenPairOf(answer: LoginOut): TokenPairOut | null {
  const { access_token, token_type, expires_in, user } = answer;
  if (!access_token || !user) return null;
  return {
    access_token,
    token_type: token_type ?? "Bearer",
    expires_in: expires_in ?? 0,
    user,
  };
}

export function loginMfa(mfaToken: string, code: string): Promise<TokenPairOut> {
  return unwrap(
    publicApi.POST("/api/v1/auth/login/mfa", {
      body: { mfa_token: mfaToken, code },
      headers: REFRESH_TRANSPORT,
    }),
  );
}

/** Revoke the refresh cookie server-side; the local session is cleared whatever happens. */
export async function logout(): Promise<void> {
  try {
    // Refresh first if needed: logging out needs an access token (the cookie goes by itself).
    if (await session.accessTokenOrRefresh()) {
      await unwrap(api.POST("/api/v1/auth/logout", { body: {} }));
    }
  } finally {
    session.clear();
  }
}

export function lookupInvitation(token: string): Promise<InvitationLookup> {
  return unwrap(publicApi.GET("/api/v1/invitations/lookup", { params: { query: { token } } }));
}

export function acceptInvitation(body: {
  token: string;
  display_name: string;
  password: string;
}): Promise<TokenPairOut> {
  return unwrap(publicApi.POST("/api/v1/invitations/accept", { body, headers: REFRESH_TRANSPORT }));
}
