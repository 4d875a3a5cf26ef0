/** The library's enumerations and list filters (no API client here: unit tests import it). */

export const PLATFORMS = [
  "windows",
  "linux",
  "macos",
  "cloud",
  "network",
  "containers",
  "saas",
  "identity",
] as const;
export const OPSEC_LEVELS = ["low", "medium", "high"] as const;

/** The list filters, as kept in the URL (every value a string; absent = no filter). */
export interface TemplateFilters {
  q?: string;
  tactic?: string;
  technique?: string;
  tag?: string;
  platform?: (typeof PLATFORMS)[number];
  opsec?: (typeof OPSEC_LEVELS)[number];
  include_deleted?: boolean;
  sort?: string;
  limit: number;
  offset: number;
}
