import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type AuditEvent = components["schemas"]["AuditEventOut"];

export const auditKey = ["audit-events"] as const;

export interface AuditQuery {
  q?: string;
  action?: string;
  mission_id?: string;
  token_id?: string;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

/** A page of events, and the emails of the users their changes name by id (`user_emails`). */
export type AuditPage = components["schemas"]["AuditEventPage"];

export function fetchAuditPage(query: AuditQuery): Promise<AuditPage> {
  return unwrap(api.GET("/api/v1/audit-events", { params: { query } }));
}
