import { Alert } from "@mantine/core";
import { isConflict } from "../api/problem";
import { ErrorAlert } from "./ErrorAlert";

/**
 * Why a save failed. A 412 (someone changed the object since the form was filled: the save
 * named that version in If-Match, so nothing was overwritten) says so and how to get their
 * version; any other error shows its problem detail under `title`.
 */
export function SaveError({ error, title, what }: { error: unknown; title: string; what: string }) {
  if (!error) return null;
  if (isConflict(error)) {
    return (
      <Alert color="orange" title="Changed by someone else" role="alert">
        This {what} was changed by someone else since you opened it. Close this form and open it
        again to edit the current version.
      </Alert>
    );
  }
  return <ErrorAlert title={title} error={error} />;
}
