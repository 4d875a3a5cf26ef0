import { Badge, Button, Group, Table, Text, VisuallyHidden } from "@mantine/core";
import type { Ref } from "react";
import type { ApiToken, Workspace } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { tokenWorkspaceLabel } from "../../workspaces/labels";
import { missionAccessLabel } from "./missionAccess";

type TokenState = "active" | "expired" | "revoked";

function stateOf(token: ApiToken, now: number): TokenState {
  if (token.revoked_at) return "revoked";
  return new Date(token.expires_at).getTime() <= now ? "expired" : "active";
}

const STATE_BADGE: Record<TokenState, { color: string; label: string }> = {
  active: { color: "green", label: "Active" },
  expired: { color: "gray", label: "Expired" },
  revoked: { color: "red", label: "Revoked" },
};

/** The user's API tokens, newest first; active ones can be revoked. */
export function TokenTable({
  tokens,
  workspaces,
  onRevoke,
  tableRef,
}: {
  tokens: ApiToken[];
  /** The user's workspaces, when there are several: the table then names each token's. */
  workspaces?: Workspace[];
  onRevoke: (token: ApiToken) => void;
  /** The table, focusable from script: the focus goes there after a revoke. */
  tableRef?: Ref<HTMLTableElement>;
}) {
  if (tokens.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="no-api-tokens">
        You have no API tokens yet.
      </Text>
    );
  }
  const now = Date.now();
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table
        striped
        withTableBorder
        aria-label="Your API tokens"
        data-testid="api-token-table"
        ref={tableRef}
        tabIndex={-1}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Prefix</Table.Th>
            <Table.Th scope="col">Permissions</Table.Th>
            <Table.Th scope="col">Mission access</Table.Th>
            {workspaces && <Table.Th scope="col">Workspace</Table.Th>}
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">Last used</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.map((token) => {
            const state = stateOf(token, now);
            return (
              <Table.Tr key={token.id} data-testid="api-token-row">
                <Table.Td>{token.name}</Table.Td>
                <Table.Td>
                  <code>{token.prefix}…</code>
                </Table.Td>
                <Table.Td>
                  {token.permissions.length > 0 ? (
                    <Group gap={4}>
                      {token.permissions.map((code) => (
                        <Badge key={code} variant="light" tt="none" size="sm">
                          {code}
                        </Badge>
                      ))}
                    </Group>
                  ) : (
                    <Text size="sm" c="dimmed">
                      None
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-testid="api-token-mission-access">
                  {missionAccessLabel(token.mission_access)}
                </Table.Td>
                {workspaces && (
                  <Table.Td>{tokenWorkspaceLabel(token.workspace_id, workspaces)}</Table.Td>
                )}
                <Table.Td>{formatDateTime(token.expires_at)}</Table.Td>
                <Table.Td>
                  {token.last_used_at ? formatDateTime(token.last_used_at) : "Never"}
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={STATE_BADGE[state].color}
                    variant="light"
                    data-testid="api-token-state"
                  >
                    {STATE_BADGE[state].label}
                  </Badge>
                  {token.revoked_at && (
                    <Text size="xs" c="dimmed">
                      {formatDateTime(token.revoked_at)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {state !== "revoked" && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      color="red"
                      aria-label={`Revoke ${token.name}`}
                      onClick={() => onRevoke(token)}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
