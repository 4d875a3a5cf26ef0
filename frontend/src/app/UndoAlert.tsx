import { Alert, Button, Group, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { errorMessage } from "../api/problem";

/**
 * "X removed. Undo": after a soft delete, one click brings the object back. `undo` restores
 * it; the alert then goes away (`onDone`), or says why the restore failed.
 */
export function UndoAlert({
  message,
  undo,
  onDone,
  focusUndo = false,
}: {
  message: string;
  undo: () => Promise<unknown>;
  onDone: () => void;
  /** The delete took the focused control away (a drawer closed, its row went): the focus goes
   * to Undo rather than to the page. Whatever closed must not give the focus back itself. */
  focusUndo?: boolean;
}) {
  const restore = useMutation({ mutationFn: undo, onSuccess: onDone });
  const undoButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusUndo) undoButton.current?.focus();
  }, [focusUndo]);
  return (
    <Alert color="blue" withCloseButton closeButtonLabel="Dismiss" onClose={onDone} role="status">
      <Group justify="space-between">
        <Text size="sm">{message}</Text>
        <Button
          ref={undoButton}
          size="xs"
          variant="default"
          loading={restore.isPending}
          onClick={() => restore.mutate()}
        >
          Undo
        </Button>
      </Group>
      {restore.error ? (
        <Text size="sm" c="red.9" mt="xs">
          Not restored: {errorMessage(restore.error)}
        </Text>
      ) : null}
    </Alert>
  );
}
