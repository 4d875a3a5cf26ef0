import { describe, expect, it } from "vitest";
import type { DefenseTool, DetectionLevel, MissionTest } from "./api";
import { theirValue } from "./ConflictDialog";

const names = {
  levels: [{ id: "alerted", name: "Alerted" }] as DetectionLevel[],
  tools: [{ id: "edr", name: "EDR" }] as DefenseTool[],
  categories: [],
};

describe("theirValue", () => {
  it("names the level and tools (a deleted one as its outcome does) and each outcome in full", () => {
    const test = {
      detection_level_id: "alerted",
      expected_tool_ids: ["edr", "gone", "unheard"],
      detections: [
        {
          tool_id: "edr",
          tool_name: "EDR",
          tool_deleted: false,
          detection_level_id: "alerted",
          detected_at: null,
          rule_ref: "EDR-4104",
          notes: "Fired late",
        },
        {
          tool_id: "gone",
          tool_name: "NDR",
          tool_deleted: true,
          detection_level_id: "alerted",
          detected_at: null,
          rule_ref: null,
          notes: null,
        },
      ],
    } as unknown as MissionTest;
    expect(theirValue(test, "detection_level_id", names)).toBe("Alerted");
    expect(theirValue(test, "expected_tool_ids", names)).toBe("EDR, NDR (deleted), Deleted tool");
    expect(theirValue(test, "detections", names)).toBe(
      "EDR: Alerted, rule EDR-4104, Fired late; NDR (deleted): Alerted",
    );
  });
});

describe("an execution result", () => {
  it("reads as the drawer's menu names it", () => {
    const test = { execution_result: "partial" } as unknown as MissionTest;
    expect(theirValue(test, "execution_result", names)).toBe("Partial");
    expect(
      theirValue({ execution_result: null } as unknown as MissionTest, "execution_result", names),
    ).toBe("(empty)");
  });
});
