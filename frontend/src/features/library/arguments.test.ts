import { describe, expect, it } from "vitest";
import { procedureListsArguments } from "./arguments";

describe("procedureListsArguments", () => {
  it("finds the table an Atomic import writes", () => {
    const procedure = [
      "Executor: `powershell`",
      "```powershell\nStart-Sleep #{timeout_seconds}\n```",
      "Input arguments (written `#{name}` where they are used):",
      "",
      "| Name | Type | Default | Description |",
    ].join("\n\n");
    expect(procedureListsArguments(procedure)).toBe(true);
  });

  it("is false for a procedure that only uses the arguments, or none", () => {
    expect(procedureListsArguments("Run `sweep #{subnet}`.")).toBe(false);
    expect(procedureListsArguments("Mentions Input arguments (written in passing).")).toBe(false);
    expect(procedureListsArguments(null)).toBe(false);
  });
});
