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

  it("draws Enterprise while nothing is tested, when it is synced or nothing is", () => {
    expect(coverageDomain([], "ics-attack")).toBe("enterprise-attack");
    expect(coverageDomain(undefined, null)).toBe("enterprise-attack");
    expect(coverageDomain([], null, ["enterprise-attack", "ics-attack"])).toBe("enterprise-attack");
  });

  it("draws the first synced domain while nothing is tested and Enterprise is not synced", () => {
    expect(coverageDomain([], null, ["ics-attack"])).toBe("ics-attack");
    expect(coverageDomain(undefined, null, ["mobile-attack", "ics-attack"])).toBe("mobile-attack");
    expect(coverageDomain([], null, ["pre-attack", "ics-attack"])).toBe("ics-attack");
  });

  it("draws the data's domain over the synced ones", () => {
    expect(coverageDomain(["enterprise-attack"], null, ["ics-attack"])).toBe("enterprise-attack");
  });
});
