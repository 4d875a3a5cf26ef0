/** Names for the generated API shapes the features use (see schema.d.ts, `make api-types`). */
import type { components } from "./schema";

export type Me = components["schemas"]["MeOut"];
export type TokenPairOut = components["schemas"]["TokenPairOut"];
/** A token pair, or `{mfa_required, mfa_token}` for a user with two-factor authentication. */
export type LoginOut = components["schemas"]["LoginOut"];
export type InvitationLookup = components["schemas"]["InvitationLookupOut"];
export type DatabaseStatus = components["schemas"]["DatabaseOut"];

// Interim, from the team contract, until the MITRE blueprint lands (then generated aliases too).
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
