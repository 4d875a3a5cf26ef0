import { Badge, Button, Popover, Stack, Text, UnstyledButton } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useWindowEvent } from "@mantine/hooks";
import { useRef, useState } from "react";
import { useNavigate } from "react-router";
import { getCurrentWorkspaceId } from "../../api/workspace";
import { switchWorkspaceAndRefresh } from "../workspaces/api";
import {
  POLL_MS,
  fetchLatest,
  fetchUnreadCount,
  markAllRead,
  markRead,
  notificationsKey,
} from "./api";
import type { Notification } from "./api";
import classes from "./NotificationBell.module.css";

/**
 * The header's bell: the unread count, refreshed every few seconds while the tab is open, and,
 * once opened, the latest notifications, from every workspace of the user. Clicking one marks it read,
 * switches to its workspace if need be, and opens its test (or its mission).
 */
export function NotificationBell() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const bell = useRef<HTMLButtonElement>(null);
  // Escape closes the list wherever the focus is (Mantine's Popover only listens inside the
  // dropdown, and the focus stays on the bell after a click), and gives the focus back to the bell.
  useWindowEvent("keydown", (event) => {
    if (!opened || event.key !== "Escape") return;
    setOpened(false);
    bell.current?.focus();
  });
  // Every open tab polls, so the poll is the cheapest question (how many unread); the list is
  // read when the bell opens, and kept fresh while it stays open.
  const unreadCount = useQuery({
    queryKey: [...notificationsKey, "unread"],
    queryFn: fetchUnreadCount,
    refetchInterval: POLL_MS,
  });
  const latest = useQuery({
    queryKey: [...notificationsKey, "latest"],
    queryFn: fetchLatest,
    enabled: opened,
    refetchInterval: opened ? POLL_MS : false,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: notificationsKey });
  const readAll = useMutation({ mutationFn: markAllRead, onSuccess: refresh });
  const unread = unreadCount.data ?? 0;
  const items = latest.data ?? [];

  const open = async (notification: Notification) => {
    setOpened(false);
    if (!notification.read_at) await markRead(notification.id).catch(() => undefined);
    // A notification may come from another of the user's workspaces: act in that one first,
    // or its mission would be "not found" here.
    if (notification.workspace_id !== getCurrentWorkspaceId()) {
      await switchWorkspaceAndRefresh(queryClient, notification.workspace_id).catch(
        () => undefined,
      );
    }
    refresh();
    // Something changed in that mission: fetch it again before the test opens (the drawer edits
    // the version it opened with), cached or not.
    await queryClient
      .invalidateQueries({ queryKey: ["missions", notification.mission_id], refetchType: "all" })
      .catch(() => undefined);
    const test = notification.mission_test_id ? `?test=${notification.mission_test_id}` : "";
    navigate(`/missions/${notification.mission_id}${test}`);
  };

  return (
    // The list is rendered at the end of the document: without the trap, Tab from the bell
    // walks the page and never reaches it. Trapped, opening moves the focus into the list.
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width={360}
      withinPortal
      trapFocus
      returnFocus
    >
      <Popover.Target>
        <Button
          ref={bell}
          variant="subtle"
          px="xs"
          onClick={() => setOpened((value) => !value)}
          aria-label={`Notifications: ${unread} unread`}
          data-testid="notification-bell"
          leftSection={<BellIcon />}
          rightSection={
            unread > 0 ? (
              <Badge size="sm" color="red.9" data-testid="notification-count">
                {unread}
              </Badge>
            ) : undefined
          }
        >
          <span className={classes.hidden}>Notifications</span>
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        {/* The trap's first stop, whether or not the list has loaded yet: Tab then reaches the
            notifications in order. */}
        <Stack gap="xs" data-testid="notification-list" tabIndex={-1} data-autofocus>
          {latest.isPending ? (
            <Text size="sm">Loading notifications…</Text>
          ) : items.length === 0 ? (
            <Text size="sm">No notifications.</Text>
          ) : (
            items.map((notification) => (
              <UnstyledButton
                key={notification.id}
                className={classes.item}
                onClick={() => open(notification)}
                data-testid="notification"
              >
                <Text size="sm" fw={notification.read_at ? 400 : 700}>
                  {notification.title}
                </Text>
                <Text size="xs" c="gray.7">
                  {new Date(notification.created_at).toLocaleString()}
                  {!notification.read_at && (
                    <Badge size="xs" ml="xs" color="red.9">
                      new
                    </Badge>
                  )}
                </Text>
              </UnstyledButton>
            ))
          )}
          {unread > 0 && (
            <Button size="xs" variant="light" onClick={() => readAll.mutate()}>
              Mark all as read
            </Button>
          )}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none">
      <path
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        fill="currentColor"
      />
    </svg>
  );
}
