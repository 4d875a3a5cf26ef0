import { api, unwrap } from "../../api/client";
import type { Matrix, MitreStatus, MitreSyncResult, TechniqueDetail } from "../../api/types";
import type { MitreDomain } from "./domains";

export { DEFAULT_DOMAIN, type MitreDomain, asDomain } from "./domains";

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
