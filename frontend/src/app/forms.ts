/**
 * Forms are built with @mantine/form (`useForm`): values, client-side validation and the
 * errors shown under each field live in one object. The API checks everything again; its 422
 * `errors` land on the same fields through `apiFieldErrors`.
 */
import { ApiError } from "../api/problem";

/** The API's per-field messages of a failed request, one line per field (none otherwise). */
export function apiFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields = error.problem.errors ?? {};
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([field]) => field !== "_schema")
      .map(([field, messages]) => [field, messages.join(" ")]),
  );
}

/** "Required." unless the trimmed value has something in it (a `validate` rule). */
export function required(message: string) {
  return (value: string) => (value.trim() === "" ? message : null);
}
