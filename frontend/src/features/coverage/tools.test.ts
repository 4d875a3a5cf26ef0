import { describe, expect, it } from "vitest";
import { type ToolFigures, outcomesText, toolSummaries, toolTechniqueScores } from "./tools";

const levels = [
  { id: "p", name: "Prevented", score: 100, color: "#2b8a3e" },
  { id: "a", name: "Alerted", score: 75, color: "#74b816" },
  { id: "n", name: "Not detected", score: 0, color: "#c92a2a" },
  { id: "x", name: "Not applicable", score: null, color: "#868e96" },
];

const edr: ToolFigures = {
  tool_id: "t1",
  name: "CrowdStrike",
  layer: "edr",
  deleted: false,
  score: 50,
  tests: 3,
  scored_tests: 2,
  outcomes: { n: 1, x: 1, p: 1 },
  techniques: [
    { external_id: "T1059", score: 50 },
    { external_id: "T1059.001", score: 100 },
  ],
};
const deleted: ToolFigures = {
  ...edr,
  tool_id: "t2",
  name: "Old SIEM",
  layer: "siem",
  deleted: true,
  outcomes: {},
  techniques: [],
};

describe("toolSummaries", () => {
  it("names the layer and lists the outcomes in the levels' order", () => {
    const [row] = toolSummaries([edr], levels);
    expect(row.layer).toBe("EDR");
    expect(row.tests).toBe(3);
    expect(row.scoredTests).toBe(2);
    expect(outcomesText(row.outcomes)).toBe("1 Prevented, 1 Not detected, 1 Not applicable");
  });

  it("names a deleted tool as such and says when it has no outcome", () => {
    const [row] = toolSummaries([deleted], levels);
    expect([row.name, row.title, row.deleted]).toEqual(["Old SIEM", "Old SIEM (deleted)", true]);
    expect(row.layer).toBe("SIEM");
    expect(outcomesText(row.outcomes)).toBe("No outcome");
  });
});

describe("toolTechniqueScores", () => {
  it("is null for all tools, the chosen tool's scores otherwise", () => {
    expect(toolTechniqueScores([edr], null)).toBeNull();
    expect(toolTechniqueScores([edr], "t1")?.get("T1059.001")).toBe(100);
    expect(toolTechniqueScores([edr], "gone")?.size).toBe(0);
  });
});
