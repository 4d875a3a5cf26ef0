import { describe, expect, it } from "vitest";
import { PAGE_SIZE, filtersFromParams } from "./useTemplateFilters";

describe("filtersFromParams", () => {
  it("turns the URL into the API query", () => {
    const filters = filtersFromParams(
      new URLSearchParams("q=%20cradle%20&tactic=TA0002&platform=linux&opsec=high&page=3"),
    );
    expect(filters).toMatchObject({
      q: "cradle",
      tactic: "TA0002",
      platform: "linux",
      opsec: "high",
      limit: PAGE_SIZE,
      offset: 2 * PAGE_SIZE,
    });
  });

  it("drops values the API would refuse", () => {
    const filters = filtersFromParams(new URLSearchParams("platform=amiga&opsec=x&page=-4&q="));
    expect(filters.platform).toBeUndefined();
    expect(filters.opsec).toBeUndefined();
    expect(filters.q).toBeUndefined();
    expect(filters.offset).toBe(0);
  });

  it("shows deleted templates only when asked", () => {
    expect(filtersFromParams(new URLSearchParams("deleted=1")).include_deleted).toBe(true);
    expect(filtersFromParams(new URLSearchParams("")).include_deleted).toBeUndefined();
  });
});
