import { session } from "../../api/client";
import { call } from "../../api/request";
import type { InvitationLookup, LoginOut, Me, TokenPairOut } from "../../api/types";

export const meQueryKey = ["me"] as const;

export function fetchMe(): Promise<Me> {
  return call<Me>("GET", "/api/v1/auth/me");
}

export function login(email: string, password: string): Promise<LoginOut> {
  return call<LoginOut>("POST", "/api/v1/auth/login", {
    body: { email, password },
    anonymous: true,
  });
}

export function loginMfa(mfaToken: string, code: string): Promise<TokenPairOut> {
  return call<TokenPairOut>("POST", "/api/v1/auth/login/mfa", {
    body: { mfa_token: mfaToken, code },
    anonymous: true,
  });
}

/** Spend the refresh token server-side; the local session is cleared whatever happens. */
export async function logout(): Promise<void> {
  const refreshToken = session.refreshToken;
  try {
    if (refreshToken) {
      await call<void>("POST", "/api/v1/auth/logout", {
        body: { refresh_token: refreshToken },
        anonymous: true,
      });
    }
  } finally {
    session.clear();
  }
}

export function lookupInvitation(token: string): Promise<InvitationLookup> {
  const query = new URLSearchParams({ token });
  return call<InvitationLookup>("GET", `/api/v1/invitations/lookup?${query}`, {
    anonymous: true,
  });
}

export function acceptInvitation(body: {
  token: string;
  display_name: string;
  password: string;
}): Promise<TokenPairOut> {
  return call<TokenPairOut>("POST", "/api/v1/invitations/accept", { body, anonymous: true });
}
