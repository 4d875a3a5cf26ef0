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

/** The platforms and OPSEC levels as the library's menus name them (values stay the API's). */
export const PLATFORM_LABELS: Record<(typeof PLATFORMS)[number], string> = {
  windows: "Windows",
  linux: "Linux",
  macos: "macOS",
  cloud: "Cloud",
  network: "Network",
  containers: "Containers",
  saas: "SaaS",
  identity: "Identity",
};
export const OPSEC_LABELS: Record<(typeof OPSEC_LEVELS)[number], string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
};
export const PLATFORM_OPTIONS = PLATFORMS.map((value) => ({
  value,
  label: PLATFORM_LABELS[value],
}));
export const OPSEC_OPTIONS = OPSEC_LEVELS.map((value) => ({ value, label: OPSEC_LABELS[value] }));

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
