/** A mission's enumerations as people read them: the mission page, its menus and filters, the
 * audit trail. */
import type { components } from "../../api/schema";

type TestState = NonNullable<components["schemas"]["MissionTestUpdate"]["state"]>;

export const STATE_LABELS: Record<TestState, string> = {
  pending: "Pending",
  in_progress: "In progress",
  waiting_blue: "Waiting for blue",
  completed: "Completed",
  cancelled: "Cancelled",
};

type MissionStatus = NonNullable<components["schemas"]["MissionUpdate"]["status"]>;
type Role = components["schemas"]["MissionMemberIn"]["role"];
type ExecutionResult = NonNullable<components["schemas"]["MissionTestUpdate"]["execution_result"]>;

/** A mission's status as its menus show it (the badges show the value, upper-cased). */
export const MISSION_STATUS_LABELS: Record<MissionStatus, string> = {
  planned: "Planned",
  active: "Active",
  completed: "Completed",
  archived: "Archived",
};

/** A member's role in a mission: the Members dialog's choices. */
export const ROLE_LABELS: Record<Role, string> = {
  lead: "Lead",
  red: "Red",
  blue: "Blue",
  viewer: "Viewer",
};

/** How red's run went (a test's `execution_result`). */
export const EXECUTION_RESULT_LABELS: Record<ExecutionResult, string> = {
  success: "Success",
  failed: "Failed",
  partial: "Partial",
};

/** `values` as a Select's options, each named by `labels`. */
export function labelled<T extends string>(
  values: readonly T[],
  labels: Record<T, string>,
): { value: T; label: string }[] {
  return values.map((value) => ({ value, label: labels[value] }));
}
