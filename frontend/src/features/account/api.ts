/** The signed-in user's own account: profile, password, two-factor authentication, API tokens. */
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  Me,
  MfaRecoveryCodes,
  MfaSetup,
} from "../../api/types";

export function updateMe(body: { display_name: string }): Promise<Me> {
  return unwrap(api.PATCH("/api/v1/auth/me", { body }));
}

/**
 * 204; the API then ends every session of the user (this one included) and revokes their API
 * tokens, unless `keep_api_tokens` (the page keeps the default: they are revoked).
 */
export function changePassword(body: {
  current_password: string;
  new_password: string;
}): Promise<void> {
  return unwrap(api.POST("/api/v1/auth/password", { body: { ...body, keep_api_tokens: false } }));
}

/** Sign out everywhere: every session of the user (this one included) and every API token of
 * theirs stop working at once. */
export async function logoutEverywhere(): Promise<void> {
  await unwrap(api.POST("/api/v1/auth/logout-all"));
}

/** A new TOTP secret (replacing any unconfirmed one); two-factor stays off until enabled. */
export function setUpMfa(): Promise<MfaSetup> {
  return unwrap(api.POST("/api/v1/auth/mfa/setup"));
}

/** Turns two-factor authentication on (the password and a code); answers the first set of
 * recovery codes (shown once). */
export function enableMfa(body: { password: string; code: string }): Promise<MfaRecoveryCodes> {
  return unwrap(api.POST("/api/v1/auth/mfa/enable", { body }));
}

/** A new set of recovery codes in place of the old one (which stops working). */
export function regenerateRecoveryCodes(body: {
  password: string;
  code: string;
}): Promise<MfaRecoveryCodes> {
  return unwrap(api.POST("/api/v1/auth/mfa/recovery-codes", { body }));
}

export function disableMfa(body: { password: string; code: string }): Promise<void> {
  return unwrap(api.POST("/api/v1/auth/mfa/disable", { body }));
}

export const apiTokensQueryKey = ["auth", "tokens"] as const;

export function fetchApiTokens(): Promise<ApiToken[]> {
  return allPages((page) => unwrap(api.GET("/api/v1/auth/tokens", { params: { query: page } })));
}

export function createApiToken(body: ApiTokenCreate): Promise<ApiTokenCreated> {
  return unwrap(api.POST("/api/v1/auth/tokens", { body }));
}

export function revokeApiToken(id: string): Promise<void> {
  return unwrap(
    api.DELETE("/api/v1/auth/tokens/{token_id}", { params: { path: { token_id: id } } }),
  );
}
