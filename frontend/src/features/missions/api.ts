/** The missions API as the pages use it: fetchers, mutations and their query keys. */
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type { components, paths } from "../../api/schema";

export type Mission = components["schemas"]["MissionOut"];
export type MissionCreate = components["schemas"]["MissionCreate"];
export type MissionUpdate = components["schemas"]["MissionUpdate"];
export type Member = components["schemas"]["MissionMemberOut"];
export type Candidate = components["schemas"]["MemberCandidateOut"];
export type MissionTest = components["schemas"]["MissionTestOut"];
export type MissionTestCreate = components["schemas"]["MissionTestCreate"];
export type MissionTestUpdate = components["schemas"]["MissionTestUpdate"];
export type DetectionIn = components["schemas"]["DetectionIn"];
export type DetectionLevel = components["schemas"]["DetectionLevelOut"];
export type DefenseTool = components["schemas"]["DefenseToolOut"];
export type ScenarioTemplate = components["schemas"]["ScenarioTemplateOut"];
export type TestTemplate = components["schemas"]["TestTemplateOut"];

export type MissionStatus = NonNullable<MissionUpdate["status"]>;
export type TestState = NonNullable<MissionTestUpdate["state"]>;
export type Role = components["schemas"]["MissionMemberIn"]["role"];
type TestQuery = NonNullable<
  paths["/api/v1/missions/{mission_id}/tests"]["get"]["parameters"]["query"]
>;

export const MISSION_STATUSES: MissionStatus[] = ["planned", "active", "completed", "archived"];
export const ROLES: Role[] = ["lead", "red", "blue", "viewer"];
export const TEST_STATES: TestState[] = [
  "pending",
  "in_progress",
  "waiting_blue",
  "completed",
  "cancelled",
];
// In a module of its own (no API client) so pure code, like the audit trail's words, can use it.
export {
  EXECUTION_RESULT_LABELS,
  MISSION_STATUS_LABELS,
  ROLE_LABELS,
  STATE_LABELS,
  labelled,
} from "./stateLabels";
/** The API's state machine, for the buttons a test shows (the API has the last word). */
export const TRANSITIONS: Record<TestState, { to: TestState; label: string }[]> = {
  pending: [
    { to: "in_progress", label: "Start" },
    { to: "cancelled", label: "Cancel test" },
  ],
  in_progress: [
    { to: "waiting_blue", label: "Hand to blue" },
    { to: "cancelled", label: "Cancel test" },
  ],
  waiting_blue: [
    { to: "completed", label: "Complete" },
    { to: "cancelled", label: "Cancel test" },
  ],
  completed: [
    { to: "in_progress", label: "Reopen" },
    { to: "cancelled", label: "Cancel test" },
  ],
  cancelled: [],
};
/** Which fields each role may write (the API refuses the rest with 403). */
export const RED_FIELDS = [
  "state",
  "executed_at",
  "source_host",
  "target_host",
  "command_executed",
  "red_notes",
  "execution_result",
] as const;
export const BLUE_FIELDS = [
  "detection_level_id",
  "detected_at",
  "detection_notes",
  "detection_refs",
  "expected_tool_ids",
] as const;

export function canEditRed(role: string | null | undefined): boolean {
  return role === "lead" || role === "red";
}
export function canEditBlue(role: string | null | undefined): boolean {
  return role === "lead" || role === "blue";
}
/** The role whose rights apply: a manager acts as lead, an outsider who may read as viewer. */
export function actingRole(mission: Mission): Role {
  if (mission.can_manage) return "lead";
  return (mission.my_role as Role | null) ?? "viewer";
}

export const missionsKey = ["missions"] as const;
export const missionKey = (id: string) => [...missionsKey, id] as const;
export const testsKey = (id: string) => [...missionsKey, id, "tests"] as const;
export const levelsKey = ["detection-levels"] as const;
export const toolsKey = ["defense-tools"] as const;

/**
 * How often an open mission page asks again for the mission, its tests, its categories and the
 * defense tools, so that what others record shows without a reload. TanStack Query pauses it while the tab is
 * hidden (`refetchIntervalInBackground` is false). The notes and evidence shown on the page
 * are asked for again at the same pace. Forms are not refilled by it: the test drawer follows a
 * newer version only in the fields not being edited (see TestDrawer).
 */
export const LIVE_REFRESH_MS = 15_000;

type MissionQuery = {
  mine?: boolean;
  status?: MissionStatus;
  q?: string;
  include_deleted?: boolean; // adds the deleted ones the caller leads (all: mission.manage_all)
};

/** One page of the missions the caller sees (all of them with mission.read_all). */
export function fetchMissionPage(
  query: MissionQuery & { limit: number; offset: number },
): Promise<{ items: Mission[]; total: number }> {
  return unwrap(api.GET("/api/v1/missions", { params: { query } }));
}

/** Every mission the caller sees (all of them with mission.read_all) that matches `query`. */
export function fetchMissions(query: MissionQuery): Promise<Mission[]> {
  return allPages((page) => fetchMissionPage({ ...query, ...page }));
}

export function fetchMission(id: string): Promise<Mission> {
  return unwrap(api.GET("/api/v1/missions/{mission_id}", { params: { path: { mission_id: id } } }));
}

export function createMission(body: MissionCreate): Promise<Mission> {
  return unwrap(api.POST("/api/v1/missions", { body }));
}

/** PATCH; with the `version` the edit is based on, a 412 means someone else changed it meanwhile. */
export function updateMission(id: string, body: MissionUpdate, version?: number): Promise<Mission> {
  return unwrap(
    api.PATCH("/api/v1/missions/{mission_id}", {
      params: { path: { mission_id: id } },
      headers: version === undefined ? {} : { "If-Match": `"${version}"` },
      body,
    }),
  );
}

/** Soft delete: `restoreMission` brings it back with its tests, notes and evidence. */
export async function deleteMission(id: string): Promise<void> {
  await unwrap(
    api.DELETE("/api/v1/missions/{mission_id}", { params: { path: { mission_id: id } } }),
  );
}

export function restoreMission(id: string): Promise<Mission> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/restore", { params: { path: { mission_id: id } } }),
  );
}

export function fetchMembers(id: string): Promise<Member[]> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/members", { params: { path: { mission_id: id } } }),
  );
}

export function replaceMembers(
  id: string,
  members: { user_id: string; role: Role }[],
): Promise<Member[]> {
  return unwrap(
    api.PUT("/api/v1/missions/{mission_id}/members", {
      params: { path: { mission_id: id } },
      body: members,
    }),
  );
}

export function fetchCandidates(id: string, q: string): Promise<Candidate[]> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/member-candidates", {
      params: { path: { mission_id: id }, query: { q } },
    }),
  );
}

/** Every test of the mission that matches `query`, however many. */
export function fetchTests(id: string, query: TestQuery): Promise<MissionTest[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/missions/{mission_id}/tests", {
        params: { path: { mission_id: id }, query: { ...query, ...page } },
      }),
    ),
  );
}

export function fetchTest(missionId: string, testId: string): Promise<MissionTest> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/tests/{test_id}", {
      params: { path: { mission_id: missionId, test_id: testId } },
    }),
  );
}

export function addTest(missionId: string, body: MissionTestCreate): Promise<MissionTest> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/tests", {
      params: { path: { mission_id: missionId } },
      body,
    }),
  );
}

export function addScenario(
  missionId: string,
  scenarioTemplateId: string,
  categoryId: string | null = null,
) {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/scenarios", {
      params: { path: { mission_id: missionId } },
      body: { scenario_template_id: scenarioTemplateId, category_id: categoryId },
    }),
  );
}

// --- categories: a mission's own grouping of its tests (a phase, a day, a team) ---

export type Category = components["schemas"]["CategoryOut"];
export const categoriesKey = (missionId: string) =>
  [...missionKey(missionId), "categories"] as const;

/** The mission's categories; with `includeDeleted` (the lead), the deleted ones too. */
export function fetchCategories(missionId: string, includeDeleted = false): Promise<Category[]> {
  return unwrap(
    api.GET("/api/v1/missions/{mission_id}/categories", {
      params: { path: { mission_id: missionId }, query: { include_deleted: includeDeleted } },
    }),
  );
}

export function createCategory(missionId: string, name: string): Promise<Category> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/categories", {
      params: { path: { mission_id: missionId } },
      body: { name },
    }),
  );
}

export function renameCategory(
  missionId: string,
  categoryId: string,
  name: string,
): Promise<Category> {
  return unwrap(
    api.PATCH("/api/v1/missions/{mission_id}/categories/{category_id}", {
      params: { path: { mission_id: missionId, category_id: categoryId } },
      body: { name },
    }),
  );
}

/** Soft: the tests keep their category id, and show no category while it is deleted. */
export async function deleteCategory(missionId: string, categoryId: string): Promise<void> {
  await unwrap(
    api.DELETE("/api/v1/missions/{mission_id}/categories/{category_id}", {
      params: { path: { mission_id: missionId, category_id: categoryId } },
    }),
  );
}

/** Its tests, which kept its id, are grouped under it again. */
export function restoreCategory(missionId: string, categoryId: string): Promise<Category> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/categories/{category_id}/restore", {
      params: { path: { mission_id: missionId, category_id: categoryId } },
    }),
  );
}

/** PATCH with `If-Match: <version>`: a 412 means someone else changed the test meanwhile. */
export function updateTest(test: MissionTest, body: MissionTestUpdate): Promise<MissionTest> {
  return unwrap(
    api.PATCH("/api/v1/missions/{mission_id}/tests/{test_id}", {
      params: {
        path: { mission_id: test.mission_id, test_id: test.id },
      },
      headers: { "If-Match": `"${test.version}"` },
      body,
    }),
  );
}

export function replaceDetections(test: MissionTest, body: DetectionIn[]): Promise<MissionTest> {
  return unwrap(
    api.PUT("/api/v1/missions/{mission_id}/tests/{test_id}/detections", {
      params: {
        path: { mission_id: test.mission_id, test_id: test.id },
      },
      headers: { "If-Match": `"${test.version}"` },
      body,
    }),
  );
}

export function retest(test: MissionTest): Promise<MissionTest> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/tests/{test_id}/retest", {
      params: { path: { mission_id: test.mission_id, test_id: test.id } },
    }),
  );
}

/** Put the mission's tests in this order: `testIds` lists every live test of it once. */
export async function reorderTests(missionId: string, testIds: string[]): Promise<void> {
  await unwrap(
    api.PUT("/api/v1/missions/{mission_id}/tests/order", {
      params: { path: { mission_id: missionId } },
      body: { test_ids: testIds },
    }),
  );
}

/** Remove a test from its mission (soft: `restoreTest` puts it back). */
export async function deleteTest(test: MissionTest): Promise<void> {
  await unwrap(
    api.DELETE("/api/v1/missions/{mission_id}/tests/{test_id}", {
      params: { path: { mission_id: test.mission_id, test_id: test.id } },
    }),
  );
}

export function restoreTest(test: MissionTest): Promise<MissionTest> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/tests/{test_id}/restore", {
      params: { path: { mission_id: test.mission_id, test_id: test.id } },
    }),
  );
}

/** The detection levels; with `includeDeleted` (settings.manage), the deleted ones too. */
export function fetchLevels(includeDeleted = false): Promise<DetectionLevel[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/detection-levels", {
        params: { query: { ...page, include_deleted: includeDeleted } },
      }),
    ),
  );
}

export function restoreLevel(id: string): Promise<DetectionLevel> {
  return unwrap(
    api.POST("/api/v1/detection-levels/{level_id}/restore", {
      params: { path: { level_id: id } },
    }),
  );
}

/** The defense tools; with `includeDeleted` (settings.manage), the deleted ones too. */
export function fetchTools(includeDeleted = false): Promise<DefenseTool[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/defense-tools", {
        params: { query: { ...page, include_deleted: includeDeleted } },
      }),
    ),
  );
}

export function restoreTool(id: string): Promise<DefenseTool> {
  return unwrap(
    api.POST("/api/v1/defense-tools/{tool_id}/restore", { params: { path: { tool_id: id } } }),
  );
}

export function fetchScenarioTemplates(q: string): Promise<ScenarioTemplate[]> {
  return unwrap(
    api.GET("/api/v1/scenario-templates", { params: { query: { q, limit: 20 } } }),
  ).then((page) => page.items);
}

export function fetchTestTemplates(q: string): Promise<TestTemplate[]> {
  return unwrap(api.GET("/api/v1/test-templates", { params: { query: { q, limit: 20 } } })).then(
    (page) => page.items,
  );
}
