import { describe, expect, it } from "vitest";
import { safeNextPath, signInPathFor } from "./nextPath";

describe("safeNextPath", () => {
  it.each([
    [null, "/"],
    ["", "/"],
    ["/matrix", "/matrix"],
    ["/matrix?q=T1059#x", "/matrix?q=T1059#x"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/sign-in?next=/matrix", "/"],
  ])("%s → %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});

describe("signInPathFor", () => {
  it("keeps the page the user was on", () => {
    expect(signInPathFor({ pathname: "/matrix", search: "?q=T1", hash: "" })).toBe(
      "/sign-in?next=%2Fmatrix%3Fq%3DT1",
    );
  });

  it("needs no next for home", () => {
    expect(signInPathFor({ pathname: "/", search: "", hash: "" })).toBe("/sign-in");
  });
});
