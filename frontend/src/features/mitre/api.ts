import { call } from "../../api/request";
import type { Matrix, MitreStatus, MitreSyncResult, TechniqueDetail } from "../../api/types";

export const mitreQueryKey = ["mitre"] as const;
export const mitreStatusQueryKey = [...mitreQueryKey, "status"] as const;

export function fetchMitreStatus(): Promise<MitreStatus> {
  return call<MitreStatus>("GET", "/api/v1/mitre/status");
}

export const matrixQueryKey = (domain: string) => [...mitreQueryKey, "matrix", domain] as const;

export function fetchMatrix(domain: string): Promise<Matrix> {
  return call<Matrix>("GET", `/api/v1/mitre/matrix?${new URLSearchParams({ domain })}`);
}

export const techniqueQueryKey = (externalId: string) =>
  [...mitreQueryKey, "technique", externalId] as const;

export function fetchTechnique(externalId: string): Promise<TechniqueDetail> {
  return call<TechniqueDetail>("GET", `/api/v1/mitre/techniques/${encodeURIComponent(externalId)}`);
}

export interface SyncFromUrl {
  source?: string;
  expected_sha256?: string;
  allow_unverified?: boolean;
}

export function syncFromUrl(body: SyncFromUrl): Promise<MitreSyncResult> {
  return call<MitreSyncResult>("POST", "/api/v1/mitre/sync", { body });
}
