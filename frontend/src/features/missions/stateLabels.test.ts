import { describe, expect, it } from "vitest";
import {
  EXECUTION_RESULT_LABELS,
  MISSION_STATUS_LABELS,
  ROLE_LABELS,
  labelled,
} from "./stateLabels";
import { OPSEC_OPTIONS, PLATFORM_OPTIONS } from "../library/filters";

describe("menu labels", () => {
  it("name each value as the rest of the page does, keeping the API's value", () => {
    expect(labelled(["lead", "red", "blue", "viewer"] as const, ROLE_LABELS)).toEqual([
      { value: "lead", label: "Lead" },
      { value: "red", label: "Red" },
      { value: "blue", label: "Blue" },
      { value: "viewer", label: "Viewer" },
    ]);
    expect(
      labelled(["planned", "active", "completed", "archived"] as const, MISSION_STATUS_LABELS).map(
        (o) => o.label,
      ),
    ).toEqual(["Planned", "Active", "Completed", "Archived"]);
    expect(EXECUTION_RESULT_LABELS.success).toBe("Success");
    expect(PLATFORM_OPTIONS.find((o) => o.value === "macos")?.label).toBe("macOS");
    expect(OPSEC_OPTIONS.map((o) => o.label)).toEqual(["Low", "Medium", "High"]);
  });
});
