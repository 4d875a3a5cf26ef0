/**
 * Audit events in words: "mission_test.update" → "changed the mission test", a change as
 * "state: pending → in_progress", ids of detection levels and tools by their names.
 */
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

export function describeAction(event: Pick<AuditEvent, "action" | "object_type">): string {
  const account = ACCOUNT_EVENTS[event.action];
  if (account) return account;
  const verb = event.action.slice(event.object_type.length + 1);
  return `${VERBS[verb] ?? verb.replace(/_/g, " ")} the ${event.object_type.replace(/_/g, " ")}`;
}

/** Names for ids the trail records (detection levels, defense tools). */
export type Names = Map<string, string>;

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

/** One line per changed field: "state: pending → in_progress", "groups: + Operators − Analysts". */
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
    return `${label}: ${value(from, names)} → ${value(to, names)}`;
  });
}
