import {
  type MitreDomainStatus,
  type MitreStatus,
  type MitreSync,
  lastSyncOf,
} from "../../api/types";

/**
 * What the catalogue is, in one word, for every place that shows it (home card, sync page):
 * - `syncing`: a sync holds the lock right now;
 * - `failed`: nothing is loaded and the last attempt failed (`reason` says why);
 * - `empty`: nothing is loaded and nothing was tried;
 * - `loaded`: at least one domain has live objects (`failure` when the latest attempt failed,
 *   which left the loaded catalogue as it was).
 */
export type CatalogueState =
  | { kind: "syncing"; domains: MitreDomainStatus[] }
  | { kind: "failed"; reason: string; lastSync: MitreSync }
  | { kind: "empty" }
  | { kind: "loaded"; domains: MitreDomainStatus[]; failure: MitreSync | null };

export function catalogueState(status: MitreStatus): CatalogueState {
  const lastSync = lastSyncOf(status);
  const loaded = status.domains.filter((domain) => domain.counts.techniques > 0);
  if (status.sync_running) return { kind: "syncing", domains: loaded };
  const failed = lastSync?.status === "failed" ? lastSync : null;
  if (loaded.length === 0) {
    if (failed) return { kind: "failed", reason: failureReason(failed), lastSync: failed };
    return { kind: "empty" };
  }
  return { kind: "loaded", domains: loaded, failure: failed };
}

export function failureReason(sync: MitreSync): string {
  return sync.error || "The server recorded no reason.";
}

const DOMAIN_NAMES: Record<string, string> = {
  "enterprise-attack": "Enterprise",
  "mobile-attack": "Mobile",
  "ics-attack": "ICS",
};

/** "Enterprise", "Mobile", "ICS" (the raw name for a domain this SPA does not know yet). */
export function domainName(domain: string): string {
  return DOMAIN_NAMES[domain] ?? domain;
}

/** "ATT&CK Enterprise v18.1", or "… (release unknown)" for a bundle that did not say. */
export function domainTitle(domain: MitreDomainStatus): string {
  const release = domain.version ? `v${domain.version}` : "(release unknown)";
  return `ATT&CK ${domainName(domain.domain)} ${release}`;
}

export function countsText(counts: MitreDomainStatus["counts"]): string {
  return `${counts.tactics} tactics · ${counts.techniques} techniques · ${counts.subtechniques} subtechniques`;
}
