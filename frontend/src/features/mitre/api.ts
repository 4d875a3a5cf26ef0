import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import type { Matrix, MitreStatus, MitreSyncResult, TechniqueDetail } from "../../api/types";

type MatrixParams = NonNullable<paths["/api/v1/mitre/matrix"]["get"]["parameters"]["query"]>;
export type MitreDomain = NonNullable<MatrixParams["domain"]>;

export const DEFAULT_DOMAIN: MitreDomain = "enterprise-attack";
const DOMAINS: readonly MitreDomain[] = ["enterprise-attack", "mobile-attack", "ics-attack"];

/** A domain name from the URL or the status, if the API knows it. */
export function asDomain(value: string | null | undefined): MitreDomain | null {
  return DOMAINS.find((domain) => domain === value) ?? null;
}

export const mitreQueryKey = ["mitre"] as const;
export const mitreStatusQueryKey = [...mitreQueryKey, "status"] as const;

export function fetchMitreStatus(): Promise<MitreStatus> {
  return unwrap(api.GET("/api/v1/mitre/status"));
}

export const matrixQueryKey = (domain: MitreDomain) =>
  [...mitreQueryKey, "matrix", domain] as const;

export function fetchMatrix(domain: MitreDomain): Promise<Matrix> {
  return unwrap(api.GET("/api/v1/mitre/matrix", { params: { query: { domain } } }));
}

export const techniqueQueryKey = (externalId: string) =>
  [...mitreQueryKey, "technique", externalId] as const;

export function fetchTechnique(externalId: string): Promise<TechniqueDetail> {
  return unwrap(
    api.GET("/api/v1/mitre/techniques/{external_id}", {
      params: { path: { external_id: externalId } },
    }),
  );
}

export interface SyncFromUrl {
  source?: string;
  expected_sha256?: string;
  allow_unverified: boolean;
  version?: string;
}

export function syncFromUrl(body: SyncFromUrl): Promise<MitreSyncResult> {
  return unwrap(api.POST("/api/v1/mitre/sync", { body }));
}
