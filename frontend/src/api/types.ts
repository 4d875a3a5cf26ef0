/**
 * Resource shapes the SPA reads. Interim: written from the team contract until the auth and
 * MITRE blueprints land; then these become aliases of the generated `components["schemas"]`.
 */
export interface Me {
  id: string;
  email: string;
  display_name: string | null;
  is_active: boolean;
  mfa_enabled: boolean;
  groups: { id: string; name: string }[];
  created_at: string;
  last_login_at: string | null;
  permissions: string[];
  unread_notifications: number;
  mfa_enrolment_required: boolean;
}

export interface TokenPairOut {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: Me;
}

export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
}

export type LoginOut = TokenPairOut | MfaChallenge;

export interface InvitationLookup {
  email: string;
  expires_at: string;
  invited_by: string | null;
}

export interface DatabaseStatus {
  reachable: boolean;
  alembic_revision?: string | null;
  table_count?: number;
}

export interface MitreCounts {
  tactics: number;
  techniques: number;
  subtechniques: number;
}

export interface MitreChanges {
  added: number;
  updated: number;
  unchanged: number;
  deprecated: number;
}

export interface MitreSync {
  id: string;
  status: "running" | "succeeded" | "failed";
  domain: string | null;
  version: string | null;
  source: string | null;
  sha256: string | null;
  started_at: string;
  finished_at: string | null;
  counts: MitreCounts | null;
  changes: MitreChanges | null;
  error: string | null;
  duration_ms: number | null;
  started_by: string | null;
}

export interface MitreStatus {
  last_sync: MitreSync | null;
  version: string | null;
  source_url: string | null;
  sha256: string | null;
  domains: string[];
  counts: MitreCounts;
  default_url: string;
  default_version: string;
}

export interface MitreSyncResult {
  status: string;
  domain: string;
  version: string | null;
  sha256: string;
  counts: MitreCounts;
  changes: MitreChanges;
  duration_ms: number;
}

export interface MatrixSubtechnique {
  external_id: string;
  name: string;
  url: string | null;
  platforms: string[];
}

export interface MatrixTechnique extends MatrixSubtechnique {
  subtechniques: MatrixSubtechnique[];
}

export interface MatrixTactic {
  external_id: string;
  name: string;
  shortname: string;
  url: string | null;
  techniques: MatrixTechnique[];
}

export interface Matrix {
  domain: string;
  version: string | null;
  tactics: MatrixTactic[];
}

export interface SubtechniqueOut {
  id: string;
  external_id: string;
  name: string;
  description: string | null;
  url: string | null;
  domain: string;
  platforms: string[];
  deprecated: boolean;
  revoked: boolean;
}

export interface TechniqueDetail extends SubtechniqueOut {
  tactics: { external_id: string; name: string; shortname: string }[];
  subtechnique_count: number;
  subtechniques: SubtechniqueOut[];
  detection?: string | null;
}
