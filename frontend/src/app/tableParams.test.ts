import { describe, expect, it } from "vitest";
import { readTableParams, writeTableParams } from "./tableParams";

const OPTIONS = { filters: { q: "", state: "open" }, sort: "name", pageSize: 20 };

describe("readTableParams", () => {
  it("gives the defaults for an empty query string", () => {
    const table = readTableParams(new URLSearchParams(), OPTIONS);
    expect(table.filters).toEqual({ q: "", state: "open" });
    expect(table.sort).toBe("name");
    expect(table.page).toBe(1);
    expect(table.apiQuery).toEqual({ state: "open", sort: "name", limit: 20, offset: 0 });
  });

  it("reads filters, sort and page, and turns the page into an offset", () => {
    const table = readTableParams(
      new URLSearchParams("q=%20power%20&state=&sort=-created_at&page=3&technique=T1059"),
      OPTIONS,
    );
    expect(table.filters).toEqual({ q: " power ", state: "" });
    expect(table.apiQuery).toEqual({ q: "power", sort: "-created_at", limit: 20, offset: 40 });
  });

  it.each(["0", "-2", "two", "1.5"])("treats page=%s as the first page", (page) => {
    expect(readTableParams(new URLSearchParams({ page }), OPTIONS).page).toBe(1);
  });
});

describe("writeTableParams", () => {
  it("goes back to the first page when a filter or the sort changes", () => {
    const params = new URLSearchParams("page=4&technique=T1059");
    expect(writeTableParams(params, { filters: { q: "cmd" } }, OPTIONS).toString()).toBe(
      "technique=T1059&q=cmd",
    );
    expect(writeTableParams(params, { sort: "-name" }, OPTIONS).toString()).toBe(
      "technique=T1059&sort=-name",
    );
  });

  it("leaves defaults out of the URL and keeps the rest", () => {
    const params = new URLSearchParams("q=cmd&state=closed&page=2");
    const next = writeTableParams(params, { filters: { q: "", state: "open" }, page: 1 }, OPTIONS);
    expect(next.toString()).toBe("");
    expect(writeTableParams(params, { page: 5 }, OPTIONS).toString()).toBe(
      "q=cmd&state=closed&page=5",
    );
  });

  it("round-trips through readTableParams", () => {
    const written = writeTableParams(
      new URLSearchParams(),
      { filters: { q: "T1059", state: "" }, sort: "-name" },
      OPTIONS,
    );
    const table = readTableParams(written, OPTIONS);
    expect(table.filters).toEqual({ q: "T1059", state: "" });
    expect(table.sort).toBe("-name");
  });
});
