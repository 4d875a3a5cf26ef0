/** Defense tool layers (pure: the coverage page's unit tests import it without the API client). */

import type { components } from "../../api/schema";

export type ToolLayer = components["schemas"]["DefenseToolCreate"]["layer"];

/** The API's tool layers, named as a security team says them. */
export const TOOL_LAYERS: { value: ToolLayer; label: string }[] = [
  { value: "edr", label: "EDR" },
  { value: "siem", label: "SIEM" },
  { value: "ndr", label: "NDR" },
  { value: "firewall", label: "Firewall" },
  { value: "email", label: "Email security" },
  { value: "identity", label: "Identity" },
  { value: "av", label: "Antivirus" },
  { value: "other", label: "Other" },
];
