import { describe, expect, it } from "vitest";
import { moveItem, removeItem, sameOrder } from "./order";

describe("moveItem", () => {
  it("moves an item up, down and across", () => {
    expect(moveItem(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveItem(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
  });

  it("keeps the list as it is for a move out of bounds", () => {
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], 1, 2)).toEqual(["a", "b"]);
  });
});

describe("removeItem and sameOrder", () => {
  it("removes one position, even of a duplicate", () => {
    expect(removeItem(["a", "b", "a"], 2)).toEqual(["a", "b"]);
  });

  it("compares orders", () => {
    expect(sameOrder(["a", "b"], ["a", "b"])).toBe(true);
    expect(sameOrder(["a", "b"], ["b", "a"])).toBe(false);
    expect(sameOrder(["a"], ["a", "a"])).toBe(false);
  });
});
