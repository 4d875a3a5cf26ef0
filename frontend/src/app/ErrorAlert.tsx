import { Alert } from "@mantine/core";
import { errorMessage } from "../api/problem";

/** An API error as users see it: a title and the problem `detail`. */
export function ErrorAlert({ title, error }: { title: string; error: unknown }) {
  return (
    <Alert color="red" title={title} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}
