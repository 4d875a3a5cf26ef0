import { Alert, Button, Group, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { errorMessage } from "../api/problem";

/**
 * "X removed. Undo": after a soft delete, one click brings the object back. `undo` restores
 * it; the alert then goes away (`onDone`), or says why the restore failed.
 */
export function UndoAlert({
  message,
  undo,
  onDone,
}: {
  message: string;
  undo: () => Promise<unknown>;
  onDone: () => void;
}) {
  const restore = useMutation({ mutationFn: undo, onSuccess: onDone });
  return (
    <Alert color="blue" withCloseButton closeButtonLabel="Dismiss" onClose={onDone} role="status">
      <Group justify="space-between">
        <Text size="sm">{message}</Text>
        <Button
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
