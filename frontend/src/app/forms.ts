/**
 * Forms are built with @mantine/form (`useForm`): values, client-side validation and the
 * errors shown under each field live in one object. The API checks everything again; its 422
 * `errors` land on the same fields through `apiFieldErrors`.
 */
import { type RefObject, useEffect } from "react";
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

/**
 * After a failed submit, the keyboard focus goes to the first field the API refused (its
 * message is under it), else back to the submit button. The button's loading state disabled it
 * while the request ran, which drops the focus to the page: a keyboard user was sent back to
 * the top of it, away from the message. Focus the user put somewhere else meanwhile stays.
 */
export function useFocusAfterFailure(
  form: RefObject<HTMLFormElement | null>,
  error: unknown,
): void {
  useEffect(() => {
    const element = form.current;
    if (!error || !element) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    const target =
      element.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      element.querySelector<HTMLElement>('button[type="submit"]');
    target?.focus();
  }, [form, error]);
}
