/** The caller's notifications: the bell polls the unread ones. */
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type Notification = components["schemas"]["NotificationOut"];

export const notificationsKey = ["notifications"] as const;
/** How often the bell asks for news (no reload needed). */
export const POLL_MS = 10_000;

export function fetchNotifications(): Promise<{ items: Notification[]; unread: number }> {
  return Promise.all([
    unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 20 } } })),
    unwrap(api.GET("/api/v1/notifications", { params: { query: { unread: true, limit: 1 } } })),
  ]).then(([latest, unread]) => ({ items: latest.items, unread: unread.total }));
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
