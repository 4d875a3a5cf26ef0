import { localTimesIn } from "../app/format";

/** RFC 9457 problem details, the shape of every API error (docs/api.md, "Conventions"). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

/**
 * An API answer that was not 2xx; `message` is the problem's `detail` (what users see), or for
 * a rate limit (429 with `Retry-After`) how long to wait, in words.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds to wait before trying again (`Retry-After`), when the API said. */
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(
      (problem.status === 429 && retryAfter !== null && tryAgainIn(retryAfter)) ||
        problem.detail ||
        problem.title ||
        `Request failed with HTTP ${problem.status}.`,
    );
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

function isProblemLike(body: unknown): body is Partial<Problem> {
  return typeof body === "object" && body !== null && ("detail" in body || "title" in body);
}

/** "Too many attempts; try again in 3 minutes." for a Retry-After of 121–180 seconds. */
export function tryAgainIn(seconds: number): string {
  if (seconds < 60) {
    const whole = Math.max(1, Math.ceil(seconds));
    return `Too many attempts; try again in ${whole} second${whole === 1 ? "" : "s"}.`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `Too many attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** Retry-After in seconds (only the delay form; an HTTP date is rare from our API). */
export function parseRetryAfter(header: string | null | undefined): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * Build an ApiError from a parsed body (anything), the HTTP status and its Retry-After. The
 * times the API writes in UTC into its messages read in the browser's time zone, as every
 * other time on the page does (a blue analyst typed 10:12 local, not 09:12 UTC).
 */
export function toApiError(body: unknown, status: number, retryAfter?: string | null): ApiError {
  const seconds = parseRetryAfter(retryAfter);
  if (isProblemLike(body)) return new ApiError(localised({ ...body, status }), seconds);
  return new ApiError({ status, title: `HTTP ${status}` }, seconds);
}

function localised(problem: Problem): Problem {
  const errors = problem.errors
    ? Object.fromEntries(
        Object.entries(problem.errors).map(([field, messages]) => [
          field,
          Array.isArray(messages)
            ? messages.map((message) => localTimesIn(String(message)))
            : messages,
        ]),
      )
    : problem.errors;
  const detail = typeof problem.detail === "string" ? localTimesIn(problem.detail) : problem.detail;
  return errors ? { ...problem, detail, errors } : { ...problem, detail };
}

/** The text to show for any error thrown by a query or mutation. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** A 412: the object changed since the version the request named (If-Match). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

/** A 409: the object's state refuses the change (a mission archived meanwhile, a move the test's
 * state forbids). */
export function isRefused(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/** A 403: the caller may not do this (in a mission, often a role changed meanwhile). */
export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}
