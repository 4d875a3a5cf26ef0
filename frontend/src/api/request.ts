/**
 * Interim untyped calls for endpoints the generated schema does not have yet (auth, MITRE).
 * Replaced by the typed `api`/`publicApi` clients once those blueprints land.
 */
import { session } from "./client";
import { toApiError } from "./problem";

interface CallOptions {
  body?: unknown;
  /** Anonymous endpoints (login, invitations) skip the token and its refresh. */
  anonymous?: boolean;
  /** Statuses whose body is a normal answer rather than an error (e.g. 503 from /diag/db). */
  accept?: number[];
}

export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const response = await (options.anonymous ? fetch(request) : session.fetch(request));
  const parsed: unknown =
    response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok && !options.accept?.includes(response.status)) {
    throw toApiError(parsed, response.status);
  }
  return parsed as T;
}
