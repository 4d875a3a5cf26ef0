import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import {
  type TableParams,
  type TableParamsChange,
  type TableParamsOptions,
  readTableParams,
  writeTableParams,
} from "./tableParams";

export interface TableParamsControls<Filter extends string> extends TableParams<Filter> {
  /** Typing in a filter replaces the history entry instead of adding one per keystroke. */
  setFilter: (name: Filter, value: string) => void;
  setSort: (sort: string) => void;
  setPage: (page: number) => void;
}

/**
 * Filters, sort and page of a list page, read from and written to the URL. Pass `options`
 * as a constant (module level): it describes the page, not its state.
 *
 *   const table = useTableParams(TEMPLATE_TABLE);
 *   useQuery({ queryKey: ["templates", table.apiQuery], queryFn: () => list(table.apiQuery) });
 */
export function useTableParams<Filter extends string>(
  options: TableParamsOptions<Filter>,
): TableParamsControls<Filter> {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readTableParams(params, options), [params, options]);
  const change = useCallback(
    (changes: TableParamsChange<Filter>, replace: boolean) =>
      setParams((current) => writeTableParams(current, changes, options), { replace }),
    [setParams, options],
  );
  return {
    ...state,
    setFilter: useCallback(
      (name: Filter, value: string) =>
        change({ filters: { [name]: value } as Partial<Record<Filter, string>> }, true),
      [change],
    ),
    setSort: useCallback((sort: string) => change({ sort }, false), [change]),
    setPage: useCallback((page: number) => change({ page }, false), [change]),
  };
}
