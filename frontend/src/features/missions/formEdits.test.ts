import { describe, expect, it } from "vitest";
import { clashes, keepEdits, same } from "./formEdits";

const server = { source_host: "", target_host: "", red_notes: "old" };

describe("keepEdits", () => {
  it("keeps what the user typed through a state change", () => {
    const typed = { ...server, source_host: "WS-01", target_host: "DC-01" };
    const after = { ...server, red_notes: "old" };
    expect(keepEdits(typed, server, after, ["state"])).toEqual(typed);
  });

  it("takes the server's value for fields the user did not edit", () => {
    const typed = { ...server, source_host: "WS-01" };
    const after = { ...server, red_notes: "someone else's" };
    expect(keepEdits(typed, server, after, ["state"])).toEqual({
      ...after,
      source_host: "WS-01",
    });
  });

  it("takes the server's value for the fields just sent", () => {
    const typed = { ...server, source_host: " WS-01 " };
    const after = { ...server, source_host: "WS-01" };
    expect(keepEdits(typed, server, after, ["source_host"])).toEqual(after);
  });
});

describe("clashes", () => {
  it("names the fields both the user and the newer version changed", () => {
    const typed = { ...server, source_host: "WS-01", red_notes: "mine" };
    const theirs = { ...server, red_notes: "theirs", target_host: "DC-01" };
    expect(clashes(typed, server, theirs)).toEqual(["red_notes"]);
  });

  it("is empty when they changed only what the user left alone", () => {
    const typed = { ...server, source_host: "WS-01" };
    const theirs = { ...server, target_host: "DC-01" };
    expect(clashes(typed, server, theirs)).toEqual([]);
  });
});

describe("same", () => {
  it("ignores the rows' client-side keys", () => {
    expect(same([{ key: "row-1", tool_id: "a" }], [{ key: "row-9", tool_id: "a" }])).toBe(true);
    expect(same([{ key: "row-1", tool_id: "a" }], [{ key: "row-1", tool_id: "b" }])).toBe(false);
  });
});
