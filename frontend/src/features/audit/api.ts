import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type AuditEvent = components["schemas"]["AuditEventOut"];

export const auditKey = ["audit-events"] as const;

export interface AuditQuery {
  q?: string;
  action?: string;
  mission_id?: string;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

export function fetchAuditPage(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
  return unwrap(api.GET("/api/v1/audit-events", { params: { query } }));
}
