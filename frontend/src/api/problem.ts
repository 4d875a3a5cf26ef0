/** RFC 9457 problem details, the shape of every API error (docs/api.md, "Conventions"). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

/** An API answer that was not 2xx; `message` is the problem's `detail` (what users see). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `Request failed with HTTP ${problem.status}.`);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** Field errors flattened to one line per field, for forms that show them inline. */
  fieldError(field: string): string | undefined {
    return this.problem.errors?.[field]?.join(" ");
  }
}

function isProblemLike(body: unknown): body is Partial<Problem> {
  return typeof body === "object" && body !== null && ("detail" in body || "title" in body);
}

/** Build an ApiError from a parsed body (anything) and the HTTP status. */
export function toApiError(body: unknown, status: number): ApiError {
  if (isProblemLike(body)) return new ApiError({ ...body, status });
  return new ApiError({ status, title: `HTTP ${status}` });
}

/** The text to show for any error thrown by a query or mutation. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** The API's message for one form field, when `error` is an ApiError that names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(field) : undefined;
}
