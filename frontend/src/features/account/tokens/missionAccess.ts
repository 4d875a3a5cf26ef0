import type { ApiToken } from "../../../api/types";

/** How far a token reaches into the missions its owner belongs to (docs/security.md, "API
 * tokens and missions"). */
export type MissionAccess = ApiToken["mission_access"];

/** The API's default, and the form's: a token reaches no mission unless asked. */
export const MISSION_ACCESS_DEFAULT: MissionAccess = "none";

export const MISSION_ACCESS_CHOICES: {
  value: MissionAccess;
  label: string;
  description: string;
}[] = [
  {
    value: "none",
    label: "None",
    description: "Your missions are hidden from the token, as if you were not a member.",
  },
  {
    value: "read",
    label: "Read",
    description: "Reads and exports your missions, evidence included; changes nothing.",
  },
  {
    value: "write",
    label: "Write",
    description: "Acts with your own role in each mission.",
  },
];

/** What the token table shows for a token's mission access. */
export function missionAccessLabel(access: MissionAccess): string {
  return MISSION_ACCESS_CHOICES.find((choice) => choice.value === access)?.label ?? access;
}
