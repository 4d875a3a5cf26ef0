import { DEFAULT_DOMAIN, type MitreDomain, asDomain } from "../mitre/domains";

/**
 * The ATT&CK domain a coverage page draws: the one asked for (the URL's `domain`) when the data
 * has techniques in it, else the data's first domain (the API lists them, the one holding most
 * techniques first: a layer's default), else, with nothing tested, one of the `synced` domains
 * (the catalogue's, from the MITRE status): Enterprise when synced (or nothing is), else the
 * first, so that an instance holding only ICS draws the ICS matrix rather than an empty one.
 */
export function coverageDomain(
  domains: readonly string[] | undefined,
  requested: string | null,
  synced: readonly string[] = [],
): MitreDomain {
  const known = knownDomains(domains ?? []);
  const asked = asDomain(requested);
  return (asked && known.includes(asked) ? asked : known[0]) ?? untestedDomain(synced);
}

function untestedDomain(synced: readonly string[]): MitreDomain {
  const domains = knownDomains(synced);
  return domains.length === 0 || domains.includes(DEFAULT_DOMAIN)
    ? DEFAULT_DOMAIN
    : (domains[0] ?? DEFAULT_DOMAIN);
}

function knownDomains(names: readonly string[]): MitreDomain[] {
  return names.map(asDomain).filter((domain) => domain !== null);
}
