import { describe, expect, it } from "vitest";
import type { Matrix } from "../../../api/types";
import { resultCount, searchMatrix, subtechniqueMatch, techniqueMatch } from "./search";

const technique = (external_id: string, name: string, subs: [string, string][] = []) => ({
  external_id,
  name,
  url: null,
  platforms: [],
  subtechniques: subs.map(([id, subName]) => ({
    external_id: id,
    name: subName,
    url: null,
    platforms: [],
  })),
});

const matrix: Matrix = {
  domain: "enterprise-attack",
  version: "18.1",
  tactics: [
    {
      external_id: "TA0002",
      name: "Execution",
      shortname: "execution",
      url: null,
      techniques: [
        technique("T1059", "Command and Scripting Interpreter", [
          ["T1059.001", "PowerShell"],
          ["T1059.003", "Windows Command Shell"],
        ]),
        technique("T1204", "User Execution"),
      ],
    },
    {
      external_id: "TA0003",
      name: "Persistence",
      shortname: "persistence",
      url: null,
      techniques: [
        technique("T1053", "Scheduled Task/Job"),
        technique("T1059", "Command and Scripting Interpreter"),
      ],
    },
  ],
};

describe("searchMatrix", () => {
  it("returns null for a blank query so nothing is dimmed", () => {
    expect(searchMatrix(matrix, "  ")).toBeNull();
    expect(techniqueMatch(null, "T1059")).toBe("none");
  });

  it("matches techniques by ID, case-insensitively", () => {
    const search = searchMatrix(matrix, "t1204");
    expect(techniqueMatch(search, "T1204")).toBe("match");
    expect(techniqueMatch(search, "T1059")).toBe("dimmed");
  });

  it("matches subtechniques by name and marks their parent as containing a match", () => {
    const search = searchMatrix(matrix, "powershell");
    expect(subtechniqueMatch(search, "T1059.001")).toBe("match");
    expect(subtechniqueMatch(search, "T1059.003")).toBe("dimmed");
    expect(techniqueMatch(search, "T1059")).toBe("contains");
    expect(techniqueMatch(search, "T1053")).toBe("dimmed");
  });

  it("counts a technique listed under two tactics once", () => {
    const search = searchMatrix(matrix, "T1059");
    expect(search && resultCount(search)).toBe(3);
  });
});
