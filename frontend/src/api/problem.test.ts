import { describe, expect, it } from "vitest";
import { toApiError, tryAgainIn } from "./problem";
import { localTimesIn } from "../app/format";

describe("rate limits", () => {
  it("say how long to wait from Retry-After instead of the limiter's wording", () => {
    const error = toApiError({ detail: "10 per 15 minute" }, 429, "840");
    expect(error.message).toBe("Too many attempts; try again in 14 minutes.");
    expect(error.retryAfter).toBe(840);
  });

  it("round up and speak in seconds under a minute", () => {
    expect(tryAgainIn(61)).toBe("Too many attempts; try again in 2 minutes.");
    expect(tryAgainIn(60)).toBe("Too many attempts; try again in 1 minute.");
    expect(tryAgainIn(1)).toBe("Too many attempts; try again in 1 second.");
    expect(tryAgainIn(30)).toBe("Too many attempts; try again in 30 seconds.");
  });

  it("keep the problem's detail without a usable Retry-After", () => {
    expect(toApiError({ detail: "Slow down." }, 429, null).message).toBe("Slow down.");
    expect(toApiError({ detail: "Slow down." }, 429, "soon").message).toBe("Slow down.");
    expect(toApiError({ detail: "Bad." }, 422, "30").message).toBe("Bad.");
  });
});

describe("times in messages", () => {
  const seconds = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  it("read in the browser's time zone, to the second, in the detail and the errors", () => {
    const message =
      "The detection (2026-12-03 09:12:00 UTC) is before the execution (2026-12-03 09:12:44 UTC); correct it.";
    const error = toApiError(
      { detail: "Invalid detections.", errors: { "0.detected_at": [message] } },
      422,
    );
    const expected =
      `The detection (${seconds.format(new Date("2026-12-03T09:12:00Z"))}) is before the ` +
      `execution (${seconds.format(new Date("2026-12-03T09:12:44Z"))}); correct it.`;
    expect(error.problem.errors?.["0.detected_at"]).toEqual([expected]);
    expect(toApiError({ detail: message }, 422).message).toBe(expected);
    expect(error.message).not.toMatch(/UTC|\.\d{6}/);
  });

  it("keep the milliseconds the API gave, and leave other text alone", () => {
    expect(localTimesIn("at 2026-11-30 10:00:00.250 UTC")).toMatch(/\d[.,]250/);
    expect(localTimesIn("Version 2026-11-30 is fine.")).toBe("Version 2026-11-30 is fine.");
    expect(toApiError({ detail: "Bad." }, 422).problem).toEqual({ detail: "Bad.", status: 422 });
  });
});
