import { describe, expect, it } from "vitest";
import { fileNameOf } from "./fileName";

describe("fileNameOf", () => {
  it("names a mission's file as the API does", () => {
    expect(fileNameOf("Purple week", "-report.html")).toBe("Purple-week-report.html");
    expect(fileNameOf('Übung Q3 / "final"', "-report.html")).toBe("Übung-Q3-final-report.html");
    expect(fileNameOf("..//..", "-tests.csv")).toBe("mission-tests.csv");
  });
});
