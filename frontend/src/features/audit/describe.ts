/**
 * Audit events in words: "mission_test.update" → "changed the mission test", a change as
 * "state: Pending → In progress", ids of detection levels, tools and users by their names,
 * times as the rest of the app shows them.
 */
import { formatDateTime } from "../../app/format";
import { STATE_LABELS } from "../missions/stateLabels";
import type { AuditEvent } from "./api";

const VERBS: Record<string, string> = {
  create: "created",
  update: "changed",
  delete: "deleted",
  restore: "restored",
  remove: "removed",
  detections_replaced: "recorded the detections of",
  members_replaced: "changed the members of",
};

const ACCOUNT_EVENTS: Record<string, string> = {
  "auth.login": "signed in",
  "auth.login_failed": "failed to sign in",
  "auth.second_factor_failed": "gave a wrong second factor",
  "auth.logout_all": "signed out everywhere",
  "auth.password_changed": "changed their password",
  "auth.password_reset": "reset the password of",
  "auth.refresh_token_reused": "replayed a spent refresh token: every session ended",
  "auth.recovery_codes_replaced": "made new recovery codes",
};

/** The kinds of objects the filter offers: the action prefix each stands for. */
export const ACTION_GROUPS: { value: string; label: string }[] = [
  { value: "auth.", label: "Sign-ins and accounts" },
  { value: "mission.", label: "Missions" },
  { value: "mission_test.", label: "Mission tests" },
  { value: "mission_category.", label: "Mission categories" },
  { value: "mission_note.", label: "Notes" },
  { value: "evidence_file.", label: "Evidence" },
  { value: "test_template.", label: "Test templates" },
  { value: "scenario_template.", label: "Scenarios" },
  { value: "user.", label: "Users" },
  { value: "group.", label: "Groups" },
  { value: "invitation.", label: "Invitations" },
  { value: "api_token.", label: "API tokens" },
  { value: "workspace.", label: "Workspaces" },
  { value: "setting.", label: "Settings" },
  { value: "detection_level.", label: "Detection levels" },
  { value: "defense_tool.", label: "Defense tools" },
];

/** Object types whose words are not their snake_case ("api token"). */
const OBJECT_NAMES: Record<string, string> = { api_token: "API token" };

export function describeAction(event: Pick<AuditEvent, "action" | "object_type">): string {
  const account = ACCOUNT_EVENTS[event.action];
  if (account) return account;
  const verb = event.action.slice(event.object_type.length + 1);
  const object = OBJECT_NAMES[event.object_type] ?? event.object_type.replace(/_/g, " ");
  return `${VERBS[verb] ?? verb.replace(/_/g, " ")} the ${object}`;
}

/** Names for ids the trail records (detection levels, defense tools, users by email). */
export type Names = Map<string, string>;

/** Fields holding a user's id (besides those ending in `_by`: `executed_by`, `updated_by`…). */
const USER_FIELDS = new Set(["user_id", "lead_id", "author_id", "actor_id", "owner_id"]);

/** How one field's value reads: a test's state by its label, a time in the browser's locale, a
 * user by email (or "a user" and the id's start when the page could not name them). */
function fieldValue(field: string, raw: unknown, names: Names): string {
  if (typeof raw === "string" && raw) {
    if (field === "state" && raw in STATE_LABELS)
      return STATE_LABELS[raw as keyof typeof STATE_LABELS];
    if (field.endsWith("_at")) return formatDateTime(raw);
    if ((field.endsWith("_by") || USER_FIELDS.has(field)) && !names.has(raw))
      return `a user (${raw.slice(0, 8)})`;
  }
  return value(raw, names);
}

function value(raw: unknown, names: Names): string {
  if (raw === null || raw === undefined || raw === "") return "—";
  if (typeof raw === "boolean") return raw ? "yes" : "no";
  if (typeof raw === "string") return names.get(raw) ?? raw;
  if (Array.isArray(raw))
    return raw.length ? raw.map((item) => value(item, names)).join(", ") : "—";
  if (typeof raw === "object") {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (!entries.length) return "—";
    return entries.map(([key, item]) => `${value(key, names)}: ${value(item, names)}`).join(", ");
  }
  return String(raw);
}

/** One line per changed field: "state: Pending → In progress", "groups: + Operators − Analysts". */
export function describeChanges(changes: AuditEvent["changes"], names: Names): string[] {
  if (!changes) return [];
  return Object.entries(changes).map(([field, change]) => {
    const label = field.replace(/_id$/, "").replace(/_/g, " ");
    const { from, to, added, removed } = change as Record<string, unknown>;
    if (Array.isArray(added) || Array.isArray(removed)) {
      const parts = [
        ...((added as string[] | undefined) ?? []).map((name) => `+ ${name}`),
        ...((removed as string[] | undefined) ?? []).map((name) => `− ${name}`),
      ];
      return `${label}: ${parts.join(" ")}`;
    }
    return `${label}: ${fieldValue(field, from, names)} → ${fieldValue(field, to, names)}`;
  });
}
