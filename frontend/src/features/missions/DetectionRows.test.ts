import { describe, expect, it } from "vitest";
import { newRow, rowErrors, rowsToBody } from "./DetectionRows";

describe("rowErrors", () => {
  it("asks for the tool of a row with a level, and for the level of a row with a tool", () => {
    const noTool = newRow({ detection_level_id: "alerted" });
    const noLevel = newRow({ tool_id: "edr" });
    const whole = newRow({ tool_id: "ndr", detection_level_id: "alerted" });
    expect(rowErrors([noTool, noLevel, whole])).toEqual({
      [noTool.key]: { tool: "Choose a tool" },
      [noLevel.key]: { level: "Choose a level" },
    });
  });

  it("asks for the tool of a row with only a rule reference", () => {
    const row = newRow({ rule_ref: "EDR-4104" });
    expect(rowErrors([row])).toEqual({ [row.key]: { tool: "Choose a tool" } });
  });

  it("skips a row left wholly blank", () => {
    const blank = newRow();
    expect(rowErrors([blank])).toEqual({});
    expect(rowsToBody([blank])).toEqual([]);
  });
});
