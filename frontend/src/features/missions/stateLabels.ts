/** A test's states as people read them: the mission page, its filters and the audit trail. */
import type { components } from "../../api/schema";

type TestState = NonNullable<components["schemas"]["MissionTestUpdate"]["state"]>;

export const STATE_LABELS: Record<TestState, string> = {
  pending: "Pending",
  in_progress: "In progress",
  waiting_blue: "Waiting for blue",
  completed: "Completed",
  cancelled: "Cancelled",
};
