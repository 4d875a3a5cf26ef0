/** The caller's notifications: the bell polls the unread count and lists the latest when opened. */
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type Notification = components["schemas"]["NotificationOut"];

export const notificationsKey = ["notifications"] as const;
/** How often the bell asks for news (no reload needed). */
export const POLL_MS = 10_000;

/** The latest notifications, read or not: fetched when the bell opens. */
export function fetchLatest(): Promise<Notification[]> {
  return unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 20 } } })).then(
    (page) => page.items,
  );
}

/** The number of unread notifications: what the bell polls (one row asked, the total read). */
export function fetchUnreadCount(): Promise<number> {
  return unwrap(
    api.GET("/api/v1/notifications", { params: { query: { unread: true, limit: 1 } } }),
  ).then((page) => page.total);
}

export function markRead(id: string) {
  return unwrap(
    api.POST("/api/v1/notifications/{notification_id}/read", {
      params: { path: { notification_id: id } },
    }),
  );
}

export function markAllRead() {
  return unwrap(api.POST("/api/v1/notifications/read-all"));
}
