import { describe, expect, it } from "vitest";
import { attackLink } from "./attackLink";

describe("attackLink", () => {
  it("keeps links to attack.mitre.org", () => {
    const url = "https://attack.mitre.org/techniques/T1059/001";
    expect(attackLink(url)).toBe(url);
  });

  it.each([
    "javascript:alert(1)",
    "http://attack.mitre.org/techniques/T1059",
    "https://attack.mitre.org.evil.example/techniques/T1059",
    "https://evil.example/?https://attack.mitre.org/",
    "",
    null,
  ])("drops %s", (url) => {
    expect(attackLink(url)).toBeNull();
  });
});
