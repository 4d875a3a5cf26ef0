import { lazy } from "react";
import type { ComponentType } from "react";

export interface LazyPage {
  (): React.ReactNode;
  /** Start downloading the page's chunk now (e.g. for the URL the app opens on). */
  preload: () => Promise<unknown>;
}

/**
 * React.lazy for a route's page, plus `preload()`. Once the chunk has arrived the page renders
 * directly instead of through React.lazy, so a preloaded first page never suspends — React
 * holds a revealed Suspense fallback for at least 300 ms, which the first paint would pay.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let Loaded: ComponentType | null = null;
  let pending: Promise<{ default: ComponentType }> | null = null;
  const preload = () => {
    pending ??= load().then(
      (module) => {
        Loaded = module.default;
        return module;
      },
      (error: unknown) => {
        pending = null; // let the next render try again
        throw error;
      },
    );
    return pending;
  };
  const Lazy = lazy(preload);
  const Page = () => (Loaded ? <Loaded /> : <Lazy />);
  Page.preload = preload;
  return Page;
}
