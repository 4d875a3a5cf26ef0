/** Names for the generated API shapes the features use (see schema.d.ts, `make api-types`). */
import type { components } from "./schema";

export type Me = components["schemas"]["MeOut"];
export type TokenPairOut = components["schemas"]["TokenPairOut"];
/** A token pair, or `{mfa_required, mfa_token}` for a user with two-factor authentication. */
export type LoginOut = components["schemas"]["LoginOut"];
export type InvitationLookup = components["schemas"]["InvitationLookupOut"];
export type DatabaseStatus = components["schemas"]["DatabaseOut"];

export type MfaSetup = components["schemas"]["MfaSetupOut"];
/** Ten single-use TOTP recovery codes: the only answers that carry them in clear. */
export type MfaRecoveryCodes = components["schemas"]["MfaRecoveryCodesOut"];
export type ApiToken = components["schemas"]["ApiTokenOut"];
/** A new API token: the only answer that carries its secret (`token`). */
export type ApiTokenCreated = components["schemas"]["ApiTokenCreatedOut"];
export type ApiTokenCreate = components["schemas"]["ApiTokenCreate"];
/**
 * A permission code, as the OpenAPI spec enumerates them (`make api-types`). Me's
 * `permissions` are these, typed as plain strings; `can()` takes only these.
 */
export type PermissionCode = ApiTokenCreate["permissions"][number];

export type MitreStatus = components["schemas"]["StatusOut"];
export type MitreDomainStatus = components["schemas"]["DomainStatusOut"];
export type MitreSync = components["schemas"]["SyncOut"];
export type MitreSyncResult = components["schemas"]["SyncResultOut"];
export type Matrix = components["schemas"]["MatrixOut"];
export type MatrixTactic = components["schemas"]["MatrixTacticOut"];
export type MatrixTechnique = components["schemas"]["MatrixTechniqueOut"];
export type TechniqueDetail = components["schemas"]["TechniqueDetailOut"];

/** The last sync of the status or of a domain, or null (the spec types "none" loosely). */
export function lastSyncOf(status: { last_sync: MitreStatus["last_sync"] }): MitreSync | null {
  const lastSync = status.last_sync;
  return lastSync && "id" in lastSync ? (lastSync as MitreSync) : null;
}

export type Setting = components["schemas"]["SettingOut"];
export type TestTemplate = components["schemas"]["TestTemplateOut"];
export type TestTemplatePage = components["schemas"]["TestTemplateOutPage"];
export type TestTemplateCreate = components["schemas"]["TestTemplateCreate"];
export type TestTemplateUpdate = components["schemas"]["TestTemplateUpdate"];
export type MitreTag = components["schemas"]["MitreTagOut"];
export type MitreTagIn = components["schemas"]["MitreTagIn"];
export type Platform = NonNullable<TestTemplateCreate["platforms"]>[number];
export type OpsecLevel = NonNullable<TestTemplateCreate["opsec_level"]>;
export type ImportResult = components["schemas"]["ImportResultOut"];
export type LibrarySummary = components["schemas"]["LibrarySummaryOut"];
export type ScenarioTemplate = components["schemas"]["ScenarioTemplateOut"];
export type ScenarioTemplateDetail = components["schemas"]["ScenarioTemplateDetailOut"];
export type ScenarioTest = components["schemas"]["ScenarioTestOut"];
export type Workspace = components["schemas"]["WorkspaceOut"];
export type CurrentWorkspace = components["schemas"]["CurrentWorkspaceOut"];
export type WorkspaceMember = components["schemas"]["MemberOut"];
export type WorkspaceCreate = components["schemas"]["WorkspaceCreate"];
export type Group = components["schemas"]["GroupOut"];
export type Invitation = components["schemas"]["InvitationOut"];
export type InvitationCreated = components["schemas"]["InvitationCreatedOut"];
