/** Instance-wide settings: every known key with its value, default and type. */
import { api, unwrap } from "../../api/client";
import type { Setting } from "../../api/types";

export const settingsQueryKey = ["settings"] as const;

export function fetchSettings(): Promise<Setting[]> {
  return unwrap(api.GET("/api/v1/settings"));
}

export function putSetting(key: Setting["key"], value: unknown): Promise<Setting> {
  return unwrap(api.PUT("/api/v1/settings/{key}", { params: { path: { key } }, body: { value } }));
}
