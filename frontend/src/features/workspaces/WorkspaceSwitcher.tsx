import { Button, Group, Menu, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { errorMessage } from "../../api/problem";
import {
  currentWorkspaceQueryKey,
  fetchCurrentWorkspace,
  fetchMyWorkspaces,
  myWorkspacesQueryKey,
  switchWorkspaceAndRefresh,
} from "./api";
import classes from "./WorkspaceSwitcher.module.css";

/**
 * The current workspace's name, always visible in the header; a menu to switch only when the
 * user belongs to more than one. Switching is remembered for the user (the API keeps it) and
 * refetches every page's data in the new workspace.
 */
export function WorkspaceSwitcher() {
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: currentWorkspaceQueryKey, queryFn: fetchCurrentWorkspace });
  const mine = useQuery({ queryKey: myWorkspacesQueryKey, queryFn: fetchMyWorkspaces });
  const switching = useMutation({
    mutationFn: (id: string) => switchWorkspaceAndRefresh(queryClient, id),
  });

  if (!current.data) return null;
  const name = current.data.name;
  const workspaces = mine.data ?? [];
  const failed = switching.error && (
    <Text size="sm" c="red.9" role="alert">
      Could not switch: {errorMessage(switching.error)}
    </Text>
  );

  if (workspaces.length <= 1) {
    return (
      <Text size="sm" data-testid="current-workspace" className={classes.current} title={name}>
        <Text span size="sm" c="gray.7" className={classes.prefix}>
          Workspace:{" "}
        </Text>
        {name}
      </Text>
    );
  }
  return (
    <Group gap="xs" wrap="nowrap" className={classes.switcher}>
      <Menu position="bottom-start" withinPortal>
        <Menu.Target>
          <Button
            variant="default"
            size="sm"
            px="xs"
            data-testid="current-workspace"
            title={name}
            classNames={{ root: classes.button, inner: classes.shrink, label: classes.shrink }}
          >
            <span className={classes.prefix}>Workspace: </span>
            <span className={classes.name}>{name}</span>
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Switch workspace</Menu.Label>
          {workspaces.map((workspace) => (
            <Menu.Item
              key={workspace.id}
              onClick={() => switching.mutate(workspace.id)}
              disabled={workspace.id === current.data.id}
              aria-current={workspace.id === current.data.id ? "true" : undefined}
            >
              {workspace.name}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {failed}
    </Group>
  );
}
