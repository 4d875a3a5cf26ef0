/** The API's largest page (`limit`). */
export const MAX_PAGE = 500;

/**
 * Every item of a list, however long: pages of `MAX_PAGE` fetched one after the other until
 * `total` is reached, so no screen silently shows only the first page. One request for most
 * lists.
 */
export async function allPages<T>(
  fetchPage: (page: { limit: number; offset: number }) => Promise<{ items: T[]; total: number }>,
): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage({ limit: MAX_PAGE, offset: items.length });
    items.push(...page.items);
    // A short page is the last one, whatever `total` said (rows deleted meanwhile).
    if (items.length >= page.total || page.items.length < MAX_PAGE) return items;
  }
}
