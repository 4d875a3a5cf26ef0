import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ApiToken } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { apiTokensQueryKey, revokeApiToken } from "../api";

/** "Revoke this token?" — anything using it is refused from then on. */
export function RevokeTokenModal({
  token,
  onClose,
  onRevoked,
}: {
  token: ApiToken | null;
  onClose: () => void;
  /** After the revoke, once the dialog is closing (its row's Revoke is gone). */
  onRevoked?: () => void;
}) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: string) => revokeApiToken(id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: apiTokensQueryKey });
      onClose();
      onRevoked?.();
    },
  });

  const close = () => {
    mutation.reset();
    onClose();
  };

  return (
    <Modal
      opened={token !== null}
      onClose={close}
      title="Revoke API token"
      // After a revoke the button that opened it is gone: onRevoked places the focus.
      returnFocus={!mutation.isSuccess}
    >
      {token && (
        <Stack>
          <Text size="sm">
            Revoke <strong>{token.name}</strong> (<code>{token.prefix}…</code>)? Scripts using it
            are refused from now on. This cannot be undone.
          </Text>
          {mutation.error && (
            <ErrorAlert title="Could not revoke the token" error={mutation.error} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={mutation.isPending}
              onClick={() => mutation.mutate(token.id)}
            >
              Revoke token
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
