import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { apiRowErrors, newRow, rowErrors, rowsToBody, toLocalInput } from "./DetectionRows";

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

describe("rowErrors of a tool chosen twice", () => {
  it("names the tool and its first row on the later row", () => {
    const first = newRow({ tool_id: "edr", detection_level_id: "alerted" });
    const again = newRow({ tool_id: "edr", detection_level_id: "logged" });
    const tools = [{ id: "edr", name: "EDR" }] as Parameters<typeof rowErrors>[1];
    expect(rowErrors([first, again], tools)).toEqual({
      [again.key]: { tool: "EDR is already in row 1" },
    });
  });
});

describe("apiRowErrors", () => {
  it("puts a refused time on the row sent at that place, blank rows aside", () => {
    const blank = newRow();
    const edr = newRow({ tool_id: "edr", detection_level_id: "alerted", detected_at: "x" });
    const tools = [{ id: "edr", name: "EDR" }] as Parameters<typeof apiRowErrors>[2];
    const error = new ApiError({
      status: 422,
      detail: "Invalid detections.",
      errors: { "0.detected_at": ["Too early."], tool_id: ["No live defense tool t."] },
    });
    expect(apiRowErrors(error, [blank, edr], tools)).toEqual({
      rows: { [edr.key]: { time: "Too early." } },
      lines: ["Row 2 (EDR), time of detection: Too early.", "No live defense tool t."],
    });
  });

  it("says nothing of an error that is not the API's", () => {
    expect(apiRowErrors(new Error("offline"), [])).toEqual({ rows: {}, lines: [] });
  });
});

describe("rowsToBody of a row's notes", () => {
  it("sends the notes as typed, and none for a box left blank or with spaces only", () => {
    const noted = newRow({
      tool_id: "edr",
      detection_level_id: "alerted",
      notes: "Fired **late**\n",
    });
    const spaces = newRow({ tool_id: "ndr", detection_level_id: "logged", notes: "  " });
    expect(rowsToBody([noted, spaces]).map((row) => row.notes)).toEqual(["Fired **late**\n", null]);
  });
});

describe("rowsToBody of a saved time", () => {
  it("sends the saved time to the second when the row's time was not changed", () => {
    const saved = "2026-11-30T10:03:42.123456+00:00";
    const kept = newRow({
      tool_id: "edr",
      detection_level_id: "alerted",
      detected_at: toLocalInput(saved),
      saved_detected_at: saved,
    });
    const changed = { ...kept, key: "changed", tool_id: "ndr", detected_at: "2026-11-30T12:00" };
    const [first, second] = rowsToBody([kept, changed]);
    expect(first.detected_at).toBe(saved);
    expect(second.detected_at).toBe(new Date("2026-11-30T12:00").toISOString());
  });
});
