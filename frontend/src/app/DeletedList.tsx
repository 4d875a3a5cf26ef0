import { Button, Loader, Stack, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { QueryKey } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "./ErrorAlert";
import { formatDateTime } from "./format";

interface Deletable {
  id: string;
  name: string;
  deleted_at?: string | null;
}

/**
 * "Show deleted …": the soft-deleted objects of a page, each with Restore, long after the
 * delete's Undo has gone. For the holders of the delete permission (the API asks for it when a
 * list includes deleted objects).
 *
 * `fetchWithDeleted` lists the objects with `include_deleted=true`; the deleted ones are shown.
 * `queryKey` is the page's own list: a restore refreshes it, and a delete on the page refreshes
 * this list with it (kept under `[...queryKey, "deleted", what]`). `describe` adds a Details
 * column (what tells two deleted objects of the same name apart); `unrestorable` gives the
 * reason an object can no longer be restored, shown in place of its button.
 */
export function DeletedList<T extends Deletable>({
  what,
  queryKey,
  fetchWithDeleted,
  restore,
  describe,
  unrestorable,
}: {
  what: string;
  queryKey: QueryKey;
  fetchWithDeleted: () => Promise<T[]>;
  restore: (item: T) => Promise<unknown>;
  describe?: (item: T) => string;
  unrestorable?: (item: T) => string | null;
}) {
  const queryClient = useQueryClient();
  const [shown, setShown] = useState(false);
  const deleted = useQuery({
    queryKey: [...queryKey, "deleted", what],
    queryFn: async () => (await fetchWithDeleted()).filter((item) => item.deleted_at),
    enabled: shown,
  });
  const restoring = useMutation({
    mutationFn: restore,
    onSuccess: () => queryClient.invalidateQueries({ queryKey }),
  });

  return (
    <Stack gap="xs" mt="md">
      <Switch
        label={`Show deleted ${what}`}
        checked={shown}
        onChange={(event) => setShown(event.currentTarget.checked)}
      />
      {!shown ? null : deleted.isPending ? (
        <Loader size="sm" aria-label={`Loading deleted ${what}`} />
      ) : deleted.error ? (
        <ErrorAlert title={`Could not load the deleted ${what}`} error={deleted.error} />
      ) : deleted.data.length === 0 ? (
        <Text size="sm">No deleted {what}.</Text>
      ) : (
        <Table aria-label={`Deleted ${what}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              {describe && <Table.Th scope="col">Details</Table.Th>}
              <Table.Th scope="col">Deleted</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deleted.data.map((item) => {
              const reason = unrestorable?.(item);
              return (
                <Table.Tr key={item.id}>
                  <Table.Td>{item.name}</Table.Td>
                  {describe && <Table.Td>{describe(item)}</Table.Td>}
                  <Table.Td>{item.deleted_at ? formatDateTime(item.deleted_at) : ""}</Table.Td>
                  <Table.Td>
                    {reason ? (
                      <Text size="sm">{reason}</Text>
                    ) : (
                      <Button
                        size="xs"
                        variant="light"
                        aria-label={`Restore ${item.name}`}
                        loading={restoring.isPending && restoring.variables?.id === item.id}
                        onClick={() => restoring.mutate(item)}
                      >
                        Restore
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {restoring.error && <ErrorAlert title="Not restored" error={restoring.error} />}
    </Stack>
  );
}
