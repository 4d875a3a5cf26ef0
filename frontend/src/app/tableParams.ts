/**
 * The state of a list page — its filters, sort and page — kept in the URL's query string, so
 * a reload, the back button and a shared link all show the same rows. Values equal to their
 * default are left out of the URL; other query parameters (an open drawer, say) are kept.
 *
 * `readTableParams` / `writeTableParams` are the pure halves; `useTableParams` (in
 * useTableParams.ts) binds them to React Router.
 */

export interface TableParamsOptions<Filter extends string> {
  /** Every filter the page knows, with its default ("" = no filter). */
  filters: Record<Filter, string>;
  /** Default sort as the API takes it: `field` or `-field`; "" = the API's own order. */
  sort?: string;
  /** Rows per page (the API's `limit`). */
  pageSize?: number;
}

export interface TableParams<Filter extends string> {
  filters: Record<Filter, string>;
  sort: string;
  /** 1-based. */
  page: number;
  pageSize: number;
  /** The list endpoint's query: the non-empty filters, `sort`, `limit` and `offset`. */
  apiQuery: Record<string, string | number>;
}

export const DEFAULT_PAGE_SIZE = 50;

function positiveInteger(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 ? number : null;
}

export function readTableParams<Filter extends string>(
  params: URLSearchParams,
  options: TableParamsOptions<Filter>,
): TableParams<Filter> {
  const filters = { ...options.filters };
  for (const name of Object.keys(filters) as Filter[]) {
    const value = params.get(name);
    if (value !== null) filters[name] = value;
  }
  const sort = params.get("sort") ?? options.sort ?? "";
  const page = positiveInteger(params.get("page")) ?? 1;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const apiQuery: Record<string, string | number> = {};
  for (const [name, value] of Object.entries<string>(filters)) {
    if (value.trim() !== "") apiQuery[name] = value.trim();
  }
  if (sort) apiQuery.sort = sort;
  apiQuery.limit = pageSize;
  apiQuery.offset = (page - 1) * pageSize;
  return { filters, sort, page, pageSize, apiQuery };
}

export interface TableParamsChange<Filter extends string> {
  filters?: Partial<Record<Filter, string>>;
  sort?: string;
  page?: number;
}

/**
 * The query string after `change`. A new filter or sort shows the first page again (the old
 * page number may not exist any more); defaults are removed rather than written.
 */
export function writeTableParams<Filter extends string>(
  params: URLSearchParams,
  change: TableParamsChange<Filter>,
  options: TableParamsOptions<Filter>,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const setOrDrop = (name: string, value: string, fallback: string) => {
    if (value === fallback) next.delete(name);
    else next.set(name, value);
  };
  for (const [name, value] of Object.entries(change.filters ?? {}) as [Filter, string][]) {
    setOrDrop(name, value, options.filters[name]);
  }
  if (change.sort !== undefined) setOrDrop("sort", change.sort, options.sort ?? "");
  const resetsPage = change.filters !== undefined || change.sort !== undefined;
  const page = change.page ?? (resetsPage ? 1 : undefined);
  if (page !== undefined) setOrDrop("page", String(page), "1");
  return next;
}
