/** The library's API calls: test templates, their import/export, and the MITRE tag search. */
import { api, session, unwrap } from "../../api/client";
import { toApiError } from "../../api/problem";
import type {
  ImportResult,
  LibrarySummary,
  MitreTagIn,
  TestTemplate,
  TestTemplateCreate,
  TestTemplatePage,
  TestTemplateUpdate,
} from "../../api/types";
import type { TemplateFilters } from "./filters";

export {
  OPSEC_LEVELS,
  OPSEC_OPTIONS,
  PLATFORMS,
  PLATFORM_OPTIONS,
  type TemplateFilters,
} from "./filters";

export const libraryQueryKey = ["library"] as const;
export const templatesQueryKey = (filters: TemplateFilters) =>
  [...libraryQueryKey, "templates", filters] as const;
export const summaryQueryKey = [...libraryQueryKey, "summary"] as const;

export function fetchTemplates(filters: TemplateFilters): Promise<TestTemplatePage> {
  return unwrap(api.GET("/api/v1/test-templates", { params: { query: filters } }));
}

export function fetchTemplate(id: string): Promise<TestTemplate> {
  return unwrap(
    api.GET("/api/v1/test-templates/{template_id}", { params: { path: { template_id: id } } }),
  );
}

export function createTemplate(body: TestTemplateCreate): Promise<TestTemplate> {
  return unwrap(api.POST("/api/v1/test-templates", { body }));
}

/** PATCH with If-Match: a template changed by someone else since `version` answers 412. */
export function updateTemplate(
  id: string,
  version: number,
  body: TestTemplateUpdate,
): Promise<TestTemplate> {
  return unwrap(
    api.PATCH("/api/v1/test-templates/{template_id}", {
      params: { path: { template_id: id } },
      headers: { "If-Match": `"${version}"` },
      body,
    }),
  );
}

export function deleteTemplate(id: string): Promise<void> {
  return unwrap(
    api.DELETE("/api/v1/test-templates/{template_id}", {
      params: { path: { template_id: id } },
    }),
  );
}

export function restoreTemplate(id: string): Promise<TestTemplate> {
  return unwrap(
    api.POST("/api/v1/test-templates/{template_id}/restore", {
      params: { path: { template_id: id } },
    }),
  );
}

export function fetchSummary(): Promise<LibrarySummary> {
  return unwrap(api.GET("/api/v1/test-templates/summary"));
}

export type ImportFormat = "atomic-red-team" | "violet";

/** Upload a document (multipart `file`) to the import endpoint; one refresh on 401. */
export async function importTemplates(file: File, format: ImportFormat): Promise<ImportResult> {
  const send = async () => {
    const form = new FormData();
    form.append("file", file);
    form.append("format", format);
    const token = await session.accessTokenOrRefresh();
    return fetch("/api/v1/test-templates/import", {
      method: "POST",
      headers: token ? { Authorization: `Bearer ${token}`, Accept: "application/json" } : {},
      body: form,
    });
  };
  let response = await send();
  if (response.status === 401 && (await session.refresh())) response = await send();
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(body, response.status);
  return body as ImportResult;
}

/** The whole library as Violet's portable JSON, saved by the browser as a file. */
export async function downloadExport(): Promise<void> {
  const { data, error, response } = await api.GET("/api/v1/test-templates/export");
  if (!response.ok || !data) throw toApiError(error, response.status);
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `violet-library-${data.exported_at.slice(0, 10)}.json`;
  link.click();
  URL.revokeObjectURL(url);
}

/** A MITRE object the tag picker offers: its tag (kind, id) and a label. */
export interface MitreOption extends MitreTagIn {
  name: string;
}

/** Tactics, techniques and sub-techniques whose id or name contains `text` (10 of each). */
export async function searchMitre(text: string): Promise<MitreOption[]> {
  const query = { q: text, limit: 10 };
  const [tactics, techniques, subtechniques] = await Promise.all([
    unwrap(api.GET("/api/v1/mitre/tactics", { params: { query } })),
    unwrap(api.GET("/api/v1/mitre/techniques", { params: { query } })),
    unwrap(api.GET("/api/v1/mitre/subtechniques", { params: { query } })),
  ]);
  return [
    ...tactics.items.map((item) => ({ kind: "tactic" as const, ...pick(item) })),
    ...techniques.items.map((item) => ({ kind: "technique" as const, ...pick(item) })),
    ...subtechniques.items.map((item) => ({ kind: "subtechnique" as const, ...pick(item) })),
  ];
}

function pick(item: { external_id: string; name: string }) {
  return { external_id: item.external_id, name: item.name };
}

export const tacticsQueryKey = ["mitre", "tactics", "all"] as const;

export function fetchAllTactics() {
  return unwrap(api.GET("/api/v1/mitre/tactics", { params: { query: { limit: 500 } } }));
}
