import { DEFAULT_DOMAIN, type MitreDomain, asDomain } from "../mitre/api";

/**
 * The ATT&CK domain a coverage page draws: the one asked for (the URL's `domain`) when the data
 * has techniques in it, else the data's first domain (the API lists them, the one holding most
 * techniques first: a layer's default), else Enterprise.
 */
export function coverageDomain(
  domains: readonly string[] | undefined,
  requested: string | null,
): MitreDomain {
  const known = (domains ?? []).map(asDomain).filter((domain) => domain !== null);
  const asked = asDomain(requested);
  return (asked && known.includes(asked) ? asked : known[0]) ?? DEFAULT_DOMAIN;
}
