/**
 * The browser session: who is signed in and how requests carry their token.
 *
 * - The access token lives only in memory (a reload forgets it).
 * - The refresh token never reaches script: sign-in, refresh and invitation requests send
 *   `X-Violet-Refresh: cookie` (REFRESH_TRANSPORT), and the server keeps the token in an
 *   HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth, which the browser sends back to
 *   /auth/refresh and /auth/logout by itself (docs/security.md).
 * - localStorage holds only SIGNED_IN_KEY, a marker (no secret) saying a cookie session may
 *   exist, so a reload knows to refresh and other tabs hear of a sign-out.
 * - A 401 triggers one refresh, shared by every request that failed at the same time
 *   (single-flight), then the request is retried once. If the refresh fails, the session is
 *   cleared and listeners hear about it (the app sends the user to /sign-in?next=…).
 * - Tabs share the cookie: when another tab signs out (the marker disappears from
 *   localStorage, announced by a `storage` event), this tab signs out too.
 */

export const SIGNED_IN_KEY = "violet.signed_in";
export const REFRESH_PATH = "/api/v1/auth/refresh";
/** Asks the server to put the refresh token in its HttpOnly cookie instead of the body. */
export const REFRESH_TRANSPORT = { "X-Violet-Refresh": "cookie" } as const;

export interface TokenPair {
  access_token: string;
}

/** The subset of the Web Storage API the session needs (tests pass a Map-backed fake). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Serialises refreshes across tabs that share the refresh token (the Web Locks API). */
export type CrossTabLock = <T>(name: string, task: () => Promise<T>) => Promise<T>;

export interface SessionOptions {
  fetch: (request: Request) => Promise<Response>;
  storage: TokenStorage;
  /** Absolute origin for the refresh call; "" in the browser (same origin). */
  baseUrl?: string;
  lock?: CrossTabLock;
  /** Where other tabs' storage changes are announced (`window`); omitted: not followed. */
  storageEvents?: Pick<EventTarget, "addEventListener">;
}

type Listener = (signedIn: boolean) => void;

export class Session {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly options: SessionOptions;

  constructor(options: SessionOptions) {
    this.options = options;
    options.storageEvents?.addEventListener("storage", this.followOtherTabs);
  }

  /** True while there is something to authenticate with (a reload keeps the cookie). */
  get signedIn(): boolean {
    return this.accessToken !== null || this.hasCookieSession;
  }

  private get hasCookieSession(): boolean {
    return this.options.storage.getItem(SIGNED_IN_KEY) !== null;
  }

  /** The current access token, refreshing first when only the refresh cookie survived. */
  async accessTokenOrRefresh(): Promise<string | null> {
    if (this.accessToken === null && this.hasCookieSession) {
      await this.refresh();
    }
    return this.accessToken;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(pair: TokenPair): void {
    const wasSignedIn = this.signedIn;
    this.store(pair);
    if (!wasSignedIn) this.notify(true);
  }

  clear(): void {
    const wasSignedIn = this.signedIn;
    this.accessToken = null;
    this.options.storage.removeItem(SIGNED_IN_KEY);
    if (wasSignedIn) this.notify(false);
  }

  /**
   * Exchange the refresh cookie for a new pair. Concurrent callers share one request.
   * Resolves false (and clears the session) when the server refuses the refresh token;
   * rejects on a network or server error so a flaky connection does not sign the user out.
   */
  refresh(): Promise<boolean> {
    if (this.refreshing === null) {
      const run = () => this.exchangeRefreshToken();
      const task = this.options.lock ? this.options.lock("violet-refresh", run) : run();
      this.refreshing = task.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** fetch() with the bearer token; on 401, refresh once (shared) and retry once. */
  async fetch(request: Request): Promise<Response> {
    const retry = request.clone();
    const sentWith = await this.accessTokenOrRefresh();
    const response = await this.options.fetch(this.authorise(request, sentWith));
    if (response.status !== 401 || sentWith === null) return response;

    // Another request may already have refreshed while this one was in flight.
    const refreshed = this.accessToken !== sentWith || (await this.refresh());
    if (!refreshed || this.accessToken === null) return response;
    const second = await this.options.fetch(this.authorise(retry, this.accessToken));
    if (second.status === 401) this.clear();
    return second;
  }

  private async exchangeRefreshToken(): Promise<boolean> {
    // Checked now, not earlier: another tab may have signed out meanwhile.
    if (!this.hasCookieSession) {
      this.clear();
      return false;
    }
    const response = await this.options.fetch(
      new Request(`${this.options.baseUrl ?? ""}${REFRESH_PATH}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          ...REFRESH_TRANSPORT,
        },
        body: "{}",
        credentials: "same-origin",
      }),
    );
    if (response.status >= 500) {
      // The server is unwell, the token may still be good: keep the session.
      throw new Error(`Refreshing the session failed with HTTP ${response.status}.`);
    }
    if (!response.ok) {
      this.clear();
      return false;
    }
    this.store((await response.json()) as TokenPair);
    return true;
  }

  /**
   * A `storage` event: another tab changed localStorage. A vanished marker means that tab
   * signed out (and its cookie is gone), so this one forgets its access token and tells
   * listeners.
   */
  private readonly followOtherTabs = (event: Event): void => {
    const { key } = event as StorageEvent;
    // key is null when the other tab cleared the whole storage.
    if (key !== null && key !== SIGNED_IN_KEY) return;
    if (this.hasCookieSession) return;
    this.accessToken = null;
    this.notify(false);
  };

  private store(pair: TokenPair): void {
    this.accessToken = pair.access_token;
    this.options.storage.setItem(SIGNED_IN_KEY, "1");
  }

  private authorise(request: Request, token: string | null): Request {
    if (token === null) return request;
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return new Request(request, { headers });
  }

  private notify(signedIn: boolean): void {
    for (const listener of this.listeners) listener(signedIn);
  }
}

/** Web Locks when the browser has them, so two tabs never spend the same refresh cookie. */
export function browserLock(): CrossTabLock | undefined {
  if (typeof navigator === "undefined" || !("locks" in navigator)) return undefined;
  const locks = navigator.locks;
  return async function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    let result: { value: T } | undefined;
    await locks.request(name, async () => {
      result = { value: await task() };
    });
    return (result as { value: T }).value;
  };
}
