import { describe, expect, it } from "vitest";
import { formatChange, scoreTrend } from "./trend";

function mission(
  id: string,
  score: number | null,
  dates: { start_date?: string; end_date?: string; created_at?: string },
) {
  return {
    id,
    name: `Mission ${id}`,
    start_date: dates.start_date ?? null,
    end_date: dates.end_date ?? null,
    created_at: dates.created_at ?? "2026-01-01T09:00:00Z",
    progress: { tests_total: 1, tests_by_state: {}, score },
  };
}

describe("scoreTrend", () => {
  it("orders scored missions by end, else start, else creation date, with each change", () => {
    const points = scoreTrend(
      [
        mission("c", 80, { end_date: "2026-09-30" }),
        mission("a", 37.5, { start_date: "2026-02-01" }),
        mission("b", 62.5, { created_at: "2026-05-04T10:00:00Z" }),
      ],
      "UTC",
    );
    expect(points.map((point) => [point.id, point.date, point.change, point.previousId])).toEqual([
      ["a", "2026-02-01", null, null],
      ["b", "2026-05-04", 25, "a"],
      ["c", "2026-09-30", 17.5, "b"],
    ]);
  });

  it("leaves out missions with no score and keeps creation order on the same day", () => {
    const points = scoreTrend([
      mission("late", 50, { end_date: "2026-03-01", created_at: "2026-02-02T00:00:00Z" }),
      mission("none", null, { end_date: "2026-01-01" }),
      mission("early", 75, { end_date: "2026-03-01", created_at: "2026-02-01T00:00:00Z" }),
    ]);
    expect(points.map((point) => [point.id, point.change])).toEqual([
      ["early", null],
      ["late", -25],
    ]);
  });

  it("dates an undated mission by the day it was created where the user is", () => {
    const created = { created_at: "2026-12-02T03:56:00Z" }; // Dec 1, 22:56 in New York
    expect(scoreTrend([mission("a", 50, created)], "America/New_York")[0].date).toBe("2026-12-01");
    expect(scoreTrend([mission("a", 50, created)], "Europe/Paris")[0].date).toBe("2026-12-02");
  });

  it("rounds a change to one decimal, as scores are shown", () => {
    const points = scoreTrend([
      mission("a", 33.333, { end_date: "2026-01-01" }),
      mission("b", 66.667, { end_date: "2026-02-01" }),
    ]);
    expect(points[1].change).toBe(33.3);
  });
});

describe("formatChange", () => {
  it("signs a change and dashes the first", () => {
    expect(formatChange(12.5)).toBe("+12.5");
    expect(formatChange(-5)).toBe("−5");
    expect(formatChange(0)).toBe("±0");
    expect(formatChange(null)).toBe("—");
  });
});
