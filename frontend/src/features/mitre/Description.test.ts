import { describe, expect, it } from "vitest";
import { stripCitations } from "./Description";

describe("stripCitations", () => {
  it("drops inline citations, keeping the sentence", () => {
    expect(
      stripCitations(
        "Adversaries may abuse PowerShell.(Citation: TechNet PowerShell) It is common. (Citation: A)(Citation: B)",
      ),
    ).toBe("Adversaries may abuse PowerShell. It is common.");
  });

  it("handles one level of parentheses inside a citation", () => {
    expect(stripCitations("Text (Citation: Vendor (2019)) more.")).toBe("Text more.");
  });

  it("leaves other parentheses alone", () => {
    expect(stripCitations("Use `cmd` (the shell).")).toBe("Use `cmd` (the shell).");
  });
});
