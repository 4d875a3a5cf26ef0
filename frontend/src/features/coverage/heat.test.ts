import { describe, expect, it } from "vitest";
import { closestLevel, contrast, formatScore, textColorOn } from "./heat";

const levels = [
  { id: "p", name: "Prevented", score: 100, color: "#2b8a3e" },
  { id: "a", name: "Alerted", score: 75, color: "#74b816" },
  { id: "l", name: "Logged", score: 40, color: "#fab005" },
  { id: "n", name: "Not detected", score: 0, color: "#c92a2a" },
  { id: "x", name: "Not applicable", score: null, color: "#868e96" },
];

describe("closestLevel", () => {
  it("picks the scored level closest to the score, the lower one on a tie", () => {
    expect(closestLevel(83.3, levels)?.name).toBe("Alerted");
    expect(closestLevel(20, levels)?.name).toBe("Not detected");
    expect(closestLevel(100, levels)?.name).toBe("Prevented");
  });

  it("has no level for a null score or unscored levels", () => {
    expect(closestLevel(null, levels)).toBeNull();
    expect(closestLevel(50, [levels[4]])).toBeNull();
  });
});

describe("textColorOn", () => {
  it("keeps at least 4.5:1 on any background", () => {
    for (const background of ["#2b8a3e", "#fab005", "#c92a2a", "#777777", "#d0d0d0", "#1971c2"]) {
      expect(contrast(background, textColorOn(background))).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("formatScore", () => {
  it("rounds to one decimal and shows a dash for none", () => {
    expect(formatScore(83.333)).toBe("83.3");
    expect(formatScore(75)).toBe("75");
    expect(formatScore(null)).toBe("—");
  });
});
