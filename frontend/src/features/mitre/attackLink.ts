/**
 * A technique's URL comes from the synced bundle, so it is only made a link when it points at
 * MITRE's ATT&CK site (the API already drops other URLs; this keeps the page safe on its own).
 */
const ATTACK_SITE = "https://attack.mitre.org/";

export function attackLink(url: string | null | undefined): string | null {
  return url && url.startsWith(ATTACK_SITE) ? url : null;
}
