/** Names for the generated API shapes the features use (see schema.d.ts, `make api-types`). */
import type { components } from "./schema";

export type Me = components["schemas"]["MeOut"];
export type TokenPairOut = components["schemas"]["TokenPairOut"];
/** A token pair, or `{mfa_required, mfa_token}` for a user with two-factor authentication. */
export type LoginOut = components["schemas"]["LoginOut"];
export type InvitationLookup = components["schemas"]["InvitationLookupOut"];
export type DatabaseStatus = components["schemas"]["DatabaseOut"];

export type MfaSetup = components["schemas"]["MfaSetupOut"];
export type ApiToken = components["schemas"]["ApiTokenOut"];
/** A new API token: the only answer that carries its secret (`token`). */
export type ApiTokenCreated = components["schemas"]["ApiTokenCreatedOut"];
export type ApiTokenCreate = components["schemas"]["ApiTokenCreate"];
/** A permission code the API accepts (Me's `permissions` are these, typed as plain strings). */
export type PermissionCode = ApiTokenCreate["permissions"][number];

export type MitreStatus = components["schemas"]["StatusOut"];
export type MitreSync = components["schemas"]["SyncOut"];
export type MitreSyncResult = components["schemas"]["SyncResultOut"];
export type Matrix = components["schemas"]["MatrixOut"];
export type MatrixTactic = components["schemas"]["MatrixTacticOut"];
export type MatrixTechnique = components["schemas"]["MatrixTechniqueOut"];
export type TechniqueDetail = components["schemas"]["TechniqueDetailOut"];

/** The status's last sync, or null before the first one (the spec types "none" loosely). */
export function lastSyncOf(status: MitreStatus): MitreSync | null {
  const lastSync = status.last_sync;
  return lastSync && "id" in lastSync ? (lastSync as MitreSync) : null;
}

export type Setting = components["schemas"]["SettingOut"];
