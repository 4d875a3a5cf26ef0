import { describe, expect, it, vi } from "vitest";
import { SIGNED_IN_KEY, Session, type TokenStorage } from "./session";

const ORIGIN = "http://violet.test";

class MemoryStorage implements TokenStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/**
 * A fake server and the browser's cookie jar: access tokens `access-N` are valid only while N
 * is the current generation; the refresh cookie `refresh-N` can be spent once, and a refresh
 * sets the next one. Refresh answers wait for `releaseRefresh`.
 */
function fakeServer(options: { refreshStatus?: number } = {}) {
  let generation = 1;
  const jar = { cookie: "refresh-1" as string | null };
  // The cookie each refresh carried (what the browser sent by itself).
  const refreshBodies: (string | null)[] = [];
  let releaseRefresh: () => void = () => {};
  const refreshGate = new Promise<void>((resolve) => {
    releaseRefresh = resolve;
  });
  const handler = vi.fn(async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/auth/refresh") {
      expect(request.headers.get("X-Violet-Refresh")).toBe("cookie");
      expect(await request.json()).toEqual({});
      const cookie = jar.cookie;
      refreshBodies.push(cookie);
      await refreshGate;
      if (options.refreshStatus) return json(options.refreshStatus, { detail: "no" });
      if (cookie !== `refresh-${generation}`) return json(401, { detail: "spent" });
      generation += 1;
      jar.cookie = `refresh-${generation}`;
      return json(200, { access_token: `access-${generation}` });
    }
    const auth = request.headers.get("Authorization");
    if (auth !== `Bearer access-${generation}`) return json(401, { detail: "expired" });
    const echoed = request.method === "POST" ? await request.text() : "";
    return json(200, { path: url.pathname, echoed });
  });
  return {
    handler,
    jar,
    refreshBodies,
    releaseRefresh: () => releaseRefresh(),
  };
}

function newSession(server: ReturnType<typeof fakeServer>, storage = new MemoryStorage()) {
  const session = new Session({ fetch: server.handler, storage, baseUrl: ORIGIN });
  return { session, storage };
}

const get = (path: string) => new Request(`${ORIGIN}${path}`);

/** What the browser dispatches on `window` when another tab changes localStorage. */
function storageEvent(key: string | null, newValue: string | null): Event {
  return Object.assign(new Event("storage"), { key, newValue });
}

/** A session whose `storage` events come from `window`, faked by an EventTarget. */
function tabSession(server: ReturnType<typeof fakeServer>) {
  const storage = new MemoryStorage();
  const window = new EventTarget();
  const session = new Session({
    fetch: server.handler,
    storage,
    baseUrl: ORIGIN,
    storageEvents: window,
  });
  session.start({ access_token: "access-1" });
  const heard: boolean[] = [];
  session.subscribe((signedIn) => heard.push(signedIn));
  return { session, storage, window, heard };
}

describe("Session", () => {
  it("sends the access token it was started with", async () => {
    const server = fakeServer();
    const { session } = newSession(server);
    session.start({ access_token: "access-1" });

    const response = await session.fetch(get("/api/v1/auth/me"));

    expect(response.status).toBe(200);
    expect(server.refreshBodies).toEqual([]);
  });

  it("shares one refresh between concurrent 401s, then retries each request once", async () => {
    const server = fakeServer();
    const { session, storage } = newSession(server);
    session.start({ access_token: "stale" });

    const pending = [
      session.fetch(get("/api/v1/a")),
      session.fetch(get("/api/v1/b")),
      session.fetch(new Request(`${ORIGIN}/api/v1/c`, { method: "POST", body: "payload" })),
    ];
    await vi.waitFor(() => expect(server.refreshBodies).toHaveLength(1));
    server.releaseRefresh();
    const responses = await Promise.all(pending);

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(server.refreshBodies).toEqual(["refresh-1"]);
    expect(server.jar.cookie).toBe("refresh-2");
    // Script-readable storage holds a marker, never a token.
    expect([...storage.items.values()]).toEqual(["1"]);
    // The retried POST still carries its body.
    expect(await responses[2].json()).toEqual({ path: "/api/v1/c", echoed: "payload" });
  });

  it("refreshes before the first request after a reload (only the cookie survived)", async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    storage.setItem(SIGNED_IN_KEY, "1");
    const { session } = newSession(server, storage);
    server.releaseRefresh();

    expect(session.signedIn).toBe(true);
    const response = await session.fetch(get("/api/v1/auth/me"));

    expect(response.status).toBe(200);
    expect(server.refreshBodies).toEqual(["refresh-1"]);
  });

  it("signs out and tells listeners when the refresh token is refused", async () => {
    const server = fakeServer({ refreshStatus: 401 });
    const { session, storage } = newSession(server);
    session.start({ access_token: "stale" });
    const heard: boolean[] = [];
    session.subscribe((signedIn) => heard.push(signedIn));
    server.releaseRefresh();

    const response = await session.fetch(get("/api/v1/auth/me"));

    expect(response.status).toBe(401);
    expect(session.signedIn).toBe(false);
    expect(storage.getItem(SIGNED_IN_KEY)).toBeNull();
    expect(heard).toEqual([false]);
  });

  it("keeps the session when the refresh fails with a server error", async () => {
    const server = fakeServer({ refreshStatus: 503 });
    const { session } = newSession(server);
    session.start({ access_token: "stale" });
    server.releaseRefresh();

    await expect(session.fetch(get("/api/v1/auth/me"))).rejects.toThrow(/503/);
    expect(session.signedIn).toBe(true);
  });

  it("does not refresh for anonymous requests", async () => {
    const server = fakeServer();
    const { session } = newSession(server);

    const response = await session.fetch(get("/api/v1/auth/me"));

    expect(response.status).toBe(401);
    expect(server.refreshBodies).toEqual([]);
  });

  it("refreshes again on a later expiry, with the rotated refresh cookie", async () => {
    const server = fakeServer();
    const { session } = newSession(server);
    session.start({ access_token: "stale" });
    server.releaseRefresh();
    await session.fetch(get("/api/v1/a"));

    session.start({ access_token: "stale-again" });
    const response = await session.fetch(get("/api/v1/b"));

    expect(response.status).toBe(200);
    expect(server.refreshBodies).toEqual(["refresh-1", "refresh-2"]);
  });

  it("signs out when another tab signs out (the marker left localStorage)", async () => {
    const server = fakeServer();
    const { session, storage, window, heard } = tabSession(server);

    storage.removeItem(SIGNED_IN_KEY); // what the other tab did
    window.dispatchEvent(storageEvent(SIGNED_IN_KEY, null));

    expect(heard).toEqual([false]);
    expect(session.signedIn).toBe(false);
    // The access token is forgotten too: nothing is sent with it any more.
    const response = await session.fetch(get("/api/v1/auth/me"));
    expect(response.status).toBe(401);
    expect(server.refreshBodies).toEqual([]);
  });

  it("signs out when another tab clears the whole storage", () => {
    const { storage, window, heard } = tabSession(fakeServer());

    storage.items.clear();
    window.dispatchEvent(storageEvent(null, null));

    expect(heard).toEqual([false]);
  });

  it("stays signed in when another tab refreshes or changes an unrelated key", async () => {
    const server = fakeServer();
    const { session, storage, window, heard } = tabSession(server);

    storage.setItem(SIGNED_IN_KEY, "1"); // the other tab signed in again
    window.dispatchEvent(storageEvent(SIGNED_IN_KEY, "1"));
    window.dispatchEvent(storageEvent("some.other.key", null));

    expect(heard).toEqual([]);
    expect(session.signedIn).toBe(true);
    expect((await session.fetch(get("/api/v1/auth/me"))).status).toBe(200);
  });
});
