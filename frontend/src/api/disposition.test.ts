import { describe, expect, it } from "vitest";
import { dispositionFilename } from "./disposition";

describe("dispositionFilename", () => {
  it("prefers the UTF-8 name", () => {
    const header =
      "attachment; filename=\"Ubung-Q3-tests.csv\"; filename*=UTF-8''%C3%9Cbung-Q3-tests.csv";
    expect(dispositionFilename(header)).toBe("Übung-Q3-tests.csv");
  });

  it("falls back to the plain name", () => {
    expect(dispositionFilename('attachment; filename="violet-library.json"')).toBe(
      "violet-library.json",
    );
    expect(dispositionFilename("attachment; filename=\"a.csv\"; filename*=UTF-8''%E0%A4%A")).toBe(
      "a.csv",
    );
  });

  it("gives nothing without a name", () => {
    expect(dispositionFilename("attachment")).toBeNull();
  });
});
