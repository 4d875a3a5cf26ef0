/**
 * The library's filters, sort and page live in the URL (`?tactic=TA0002&platform=linux&page=2`),
 * so a filtered view can be bookmarked, shared and restored by the back button.
 */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { OPSEC_LEVELS, PLATFORMS, type TemplateFilters } from "./filters";

export const PAGE_SIZE = 25;
export const FILTER_KEYS = ["q", "tactic", "technique", "tag", "platform", "opsec"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number] | "deleted" | "sort" | "page";

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((candidate) => candidate === value);
}

/** The query the API gets for the URL's search parameters (unknown values are dropped). */
export function filtersFromParams(params: URLSearchParams): TemplateFilters {
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  const text = (key: string) => params.get(key)?.trim() || undefined;
  return {
    q: text("q"),
    tactic: text("tactic"),
    technique: text("technique"),
    tag: text("tag"),
    platform: oneOf(PLATFORMS, params.get("platform")),
    opsec: oneOf(OPSEC_LEVELS, params.get("opsec")),
    include_deleted: params.get("deleted") === "1" || undefined,
    sort: text("sort"),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
}

export function useTemplateFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);

  /** Change one parameter; any change but the page itself goes back to page 1. */
  const set = useCallback(
    (key: FilterKey, value: string | null) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(key, value);
          else next.delete(key);
          if (key !== "page") next.delete("page");
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  /** Drop every filter (sort and "show deleted" stay). */
  const clear = useCallback(() => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const key of [...FILTER_KEYS, "page"]) next.delete(key);
        return next;
      },
      { replace: true },
    );
  }, [setParams]);

  return { params, filters, set, clear, page: filters.offset / PAGE_SIZE + 1 };
}
