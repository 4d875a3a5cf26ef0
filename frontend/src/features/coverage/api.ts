import { api, session, unwrap } from "../../api/client";
import { dispositionFilename } from "../../api/disposition";
import { toApiError } from "../../api/problem";
import { withWorkspace } from "../../api/workspace";
import type { components } from "../../api/schema";
import type { MitreDomain } from "../mitre/domains";

export type MissionCoverage = components["schemas"]["MissionCoverageOut"];
export type OrgCoverage = components["schemas"]["OrgCoverageOut"];
export type Compare = components["schemas"]["CompareOut"];
export type CompareChange = Compare["techniques"][number]["change"];
export type Plan = components["schemas"]["PlanOut"];
export type ThreatGroup = components["schemas"]["ThreatGroupOut"];
export type GroupCoverage = components["schemas"]["GroupCoverageOut"];
export type CoverageLevel = MissionCoverage["levels"][number];
export type SavedScenario = components["schemas"]["SavedScenarioOut"];
export type ScenarioPreview = components["schemas"]["ScenarioPreviewOut"];

export const coverageKey = ["coverage"] as const;

/** The mission's coverage; with `byTool`, per defense tool too (`tools`). */
export function fetchMissionCoverage(missionId: string, byTool = false): Promise<MissionCoverage> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/coverage", {
      params: { path: { mission_id: missionId }, query: byTool ? { by: "tool" } : {} },
    }),
  );
}

/** The latest outcome per technique across `missionIds` (every visible mission when empty). */
export function fetchOrgCoverage(missionIds: string[]): Promise<OrgCoverage> {
  const query = missionIds.length ? { mission_ids: missionIds } : {};
  return unwrap(
    api.GET("/api/v1/coverage", {
      params: { query },
      querySerializer: { array: { style: "form", explode: false } },
    }),
  );
}

export function fetchCompare(from: string, to: string): Promise<Compare> {
  return unwrap(api.GET("/api/v1/coverage/compare", { params: { query: { from, to } } }));
}

/** How the latest outcomes across every visible mission cover a threat group's techniques. */
export function fetchGroupCoverage(group: string): Promise<GroupCoverage> {
  return unwrap(
    api.GET("/api/v1/coverage/groups/{external_id}", { params: { path: { external_id: group } } }),
  );
}

export function fetchGroups(q: string): Promise<ThreatGroup[]> {
  return unwrap(api.GET("/api/v1/mitre/groups", { params: { query: { q, limit: 20 } } })).then(
    (page) => page.items,
  );
}

/** A layer's enabled entries are planned; with a score bound, those scored within it. */
type ScoreRange = { min_score?: number; max_score?: number };
export type PlanSource =
  | { group: string; domain?: MitreDomain }
  | ({ layer: Record<string, unknown> } & ScoreRange)
  | ({ layers: Record<string, unknown>[] } & ScoreRange);

/** Plan tests from a threat group or a layer; `dryRun` previews and adds nothing. */
export function planTests(missionId: string, source: PlanSource, dryRun: boolean): Promise<Plan> {
  const params = { path: { mission_id: missionId } };
  if ("group" in source) {
    return unwrap(
      api.POST("/api/v1/missions/{mission_id}/tests/from-group", {
        params,
        body: { group: source.group, domain: source.domain, dry_run: dryRun },
      }),
    );
  }
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/tests/from-layer", {
      params,
      body: { ...source, dry_run: dryRun },
    }),
  );
}

/** What saving the mission as a scenario takes, and whether the caller may (writes nothing). */
export function previewScenario(missionId: string): Promise<ScenarioPreview> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/save-as-scenario", {
      params: { path: { mission_id: missionId } },
    }),
  );
}

export function saveAsScenario(missionId: string, name: string): Promise<SavedScenario> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/save-as-scenario", {
      params: { path: { mission_id: missionId } },
      body: { name },
    }),
  );
}

/**
 * Fetch a file the API serves to a signed-in caller (a plain link would carry neither the access
 * token nor the workspace) and have the browser save it under the name the server gives.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const response = await session.fetch(withWorkspace(new Request(path)));
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw toApiError(body, response.status);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = dispositionFilename(disposition) ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * Show an HTML document of the API (the printable report) in `tab`, a window opened by the
 * click (so no popup blocker stops it): fetched with the session's token, which a plain link
 * could not send, and shown from a blob URL. The document has no script, and the SPA's policy
 * (no inline script) goes with it.
 */
export async function openDocument(path: string, tab: Window): Promise<void> {
  const response = await session.fetch(withWorkspace(new Request(path)));
  if (!response.ok) {
    tab.close();
    const body: unknown = await response.json().catch(() => undefined);
    throw toApiError(body, response.status);
  }
  const html = new Blob([await response.blob()], { type: "text/html" });
  const url = URL.createObjectURL(html);
  tab.location.href = url;
  // The tab has loaded it well before then; the URL is only a handle on the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export type ImportedMission = components["schemas"]["ImportedMissionOut"];

/** Restore a mission archive (multipart `file`) as a new mission of the current workspace. */
export async function importMission(file: File): Promise<ImportedMission> {
  const form = new FormData();
  form.append("file", file);
  const request = new Request("/api/v1/missions/import", {
    method: "POST",
    headers: { Accept: "application/json" },
    body: form,
  });
  const response = await session.fetch(withWorkspace(request));
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(body, response.status);
  return body as ImportedMission;
}
