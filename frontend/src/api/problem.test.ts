import { describe, expect, it } from "vitest";
import { toApiError, tryAgainIn } from "./problem";

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
