// Apart from api.ts so that pure code (and its tests) can use them without the API client,
// which needs a browser.
import type { paths } from "../../api/schema";

type MatrixParams = NonNullable<paths["/api/v1/mitre/matrix"]["get"]["parameters"]["query"]>;
export type MitreDomain = NonNullable<MatrixParams["domain"]>;

export const DEFAULT_DOMAIN: MitreDomain = "enterprise-attack";
const DOMAINS: readonly MitreDomain[] = ["enterprise-attack", "mobile-attack", "ics-attack"];

/** A domain name from the URL or the status, if the API knows it. */
export function asDomain(value: string | null | undefined): MitreDomain | null {
  return DOMAINS.find((domain) => domain === value) ?? null;
}
