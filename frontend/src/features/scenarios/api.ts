/** Scenario templates: list, create, read, rename, replace the ordered tests, delete. */
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type { ScenarioTemplate, ScenarioTemplateDetail } from "../../api/types";

export const scenariosQueryKey = ["scenarios"] as const;
export const scenarioQueryKey = (id: string) => [...scenariosQueryKey, id] as const;

export function fetchScenarios(q: string, includeDeleted = false): Promise<ScenarioTemplate[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/scenario-templates", {
        params: {
          query: { ...page, q: q || undefined, sort: "name", include_deleted: includeDeleted },
        },
      }),
    ),
  );
}

export function fetchScenario(id: string): Promise<ScenarioTemplateDetail> {
  return unwrap(
    api.GET("/api/v1/scenario-templates/{scenario_id}", {
      params: { path: { scenario_id: id } },
    }),
  );
}

export function createScenario(body: {
  name: string;
  description: string | null;
}): Promise<ScenarioTemplateDetail> {
  return unwrap(
    api.POST("/api/v1/scenario-templates", { body: { ...body, test_template_ids: [] } }),
  );
}

/** Name and description; a stale `version` (someone saved since) answers 412. */
export function updateScenario(
  id: string,
  version: number,
  body: { name: string; description: string | null },
): Promise<ScenarioTemplateDetail> {
  return unwrap(
    api.PATCH("/api/v1/scenario-templates/{scenario_id}", {
      params: { path: { scenario_id: id } },
      headers: { "If-Match": `"${version}"` },
      body,
    }),
  );
}

/** Replace the order in one request; a stale `version` (someone saved since) answers 412. */
export function replaceTests(
  id: string,
  version: number,
  testTemplateIds: string[],
): Promise<ScenarioTemplateDetail> {
  return unwrap(
    api.PUT("/api/v1/scenario-templates/{scenario_id}/tests", {
      params: { path: { scenario_id: id } },
      headers: { "If-Match": `"${version}"` },
      body: { test_template_ids: testTemplateIds },
    }),
  );
}

/** Soft delete: `restoreScenario` brings it back with its ordered tests. */
export function deleteScenario(id: string): Promise<void> {
  return unwrap(
    api.DELETE("/api/v1/scenario-templates/{scenario_id}", {
      params: { path: { scenario_id: id } },
    }),
  );
}

export function restoreScenario(id: string): Promise<ScenarioTemplateDetail> {
  return unwrap(
    api.POST("/api/v1/scenario-templates/{scenario_id}/restore", {
      params: { path: { scenario_id: id } },
    }),
  );
}
