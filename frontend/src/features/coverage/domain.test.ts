import { describe, expect, it } from "vitest";
import { coverageDomain } from "./domain";

describe("coverageDomain", () => {
  it("draws the domain holding most of the data's techniques (listed first)", () => {
    expect(coverageDomain(["ics-attack"], null)).toBe("ics-attack");
    expect(coverageDomain(["mobile-attack", "enterprise-attack"], null)).toBe("mobile-attack");
  });

  it("draws the domain asked for when the data has it", () => {
    expect(coverageDomain(["enterprise-attack", "ics-attack"], "ics-attack")).toBe("ics-attack");
    expect(coverageDomain(["enterprise-attack"], "ics-attack")).toBe("enterprise-attack");
    expect(coverageDomain(["enterprise-attack"], "nonsense")).toBe("enterprise-attack");
  });

  it("draws Enterprise while nothing is tested", () => {
    expect(coverageDomain([], "ics-attack")).toBe("enterprise-attack");
    expect(coverageDomain(undefined, null)).toBe("enterprise-attack");
  });
});
