import { Alert, List } from "@mantine/core";
import { errorMessage } from "../api/problem";

/**
 * An API error as users see it: a title and the problem `detail`, then `details` (what the
 * problem's `errors` say, in words) when the detail alone does not say what is wrong.
 */
export function ErrorAlert({
  title,
  error,
  details = [],
}: {
  title: string;
  error: unknown;
  details?: string[];
}) {
  return (
    <Alert color="red" title={title} role="alert">
      {errorMessage(error)}
      {details.length > 0 && (
        <List size="sm" mt={4}>
          {details.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
