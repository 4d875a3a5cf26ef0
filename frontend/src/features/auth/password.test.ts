import { describe, expect, it } from "vitest";
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from "./password";

describe("passwordProblem", () => {
  it("accepts the shortest and the longest allowed password", () => {
    expect(passwordProblem("x".repeat(PASSWORD_MIN))).toBeNull();
    expect(passwordProblem("x".repeat(PASSWORD_MAX))).toBeNull();
  });

  it("names the limit a password breaks", () => {
    expect(passwordProblem("x".repeat(PASSWORD_MIN - 1))).toBe("At least 12 characters.");
    expect(passwordProblem("x".repeat(PASSWORD_MAX + 1))).toBe("At most 128 characters.");
  });
});
