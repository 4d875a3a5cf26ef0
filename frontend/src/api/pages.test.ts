import { describe, expect, it } from "vitest";
import { MAX_PAGE, allPages } from "./pages";

/** A list of `total` numbers served like the API: `limit` from `offset`, with the total. */
function listOf(total: number) {
  const asked: { limit: number; offset: number }[] = [];
  const all = Array.from({ length: total }, (_, index) => index);
  const fetchPage = async (page: { limit: number; offset: number }) => {
    asked.push(page);
    return { items: all.slice(page.offset, page.offset + page.limit), total };
  };
  return { asked, fetchPage };
}

describe("allPages", () => {
  it("asks once for a list that fits one page", async () => {
    const list = listOf(3);
    expect(await allPages(list.fetchPage)).toEqual([0, 1, 2]);
    expect(list.asked).toEqual([{ limit: MAX_PAGE, offset: 0 }]);
  });

  it("fetches every page of a longer list, in order", async () => {
    const list = listOf(2 * MAX_PAGE + 1);
    const items = await allPages(list.fetchPage);
    expect(items).toHaveLength(2 * MAX_PAGE + 1);
    expect(items[MAX_PAGE]).toBe(MAX_PAGE);
    expect(list.asked.map((page) => page.offset)).toEqual([0, MAX_PAGE, 2 * MAX_PAGE]);
  });

  it("stops at an exact multiple of the page and on an empty list", async () => {
    const full = listOf(MAX_PAGE);
    expect(await allPages(full.fetchPage)).toHaveLength(MAX_PAGE);
    expect(full.asked).toHaveLength(1);
    const empty = listOf(0);
    expect(await allPages(empty.fetchPage)).toEqual([]);
    expect(empty.asked).toHaveLength(1);
  });

  it("stops on a short page even when the total said more (rows deleted meanwhile)", async () => {
    const fetchPage = async () => ({ items: [1, 2], total: 10 });
    expect(await allPages(fetchPage)).toEqual([1, 2]);
  });
});
