/**
 * The API clients the features use. Types come from `schema.d.ts`, generated from the live
 * OpenAPI spec by `make api-types` (never edit it by hand; `make frontend-check` fails when it
 * is stale).
 *
 * - `api` sends the access token and refreshes it transparently (see session.ts), and the
 *   workspace the tab acts in (see workspace.ts).
 * - `publicApi` is for the anonymous endpoints (login, invitation lookup/accept): their 401s
 *   are answers for the user, not a reason to refresh.
 */
import createClient from "openapi-fetch";
import { toApiError } from "./problem";
import type { paths } from "./schema";
import { Session, browserLock } from "./session";
import { setCurrentWorkspaceId, withWorkspace } from "./workspace";

export const session = new Session({
  fetch: (request) => fetch(request),
  storage: window.localStorage,
  lock: browserLock(),
  storageEvents: window,
});

// A new sign-in (maybe another user) starts from that user's default workspace.
session.subscribe(() => setCurrentWorkspaceId(null));

export const api = createClient<paths>({
  fetch: (request) => session.fetch(withWorkspace(request)),
});
export const publicApi = createClient<paths>();

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a 2xx answer; any other status becomes an ApiError carrying the problem. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response.status, response.headers.get("Retry-After"));
  return data as T;
}
