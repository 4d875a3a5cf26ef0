import { call } from "../../api/request";
import type { DatabaseStatus } from "../../api/types";

export const databaseQueryKey = ["diag", "db"] as const;

/** 503 still carries `{reachable: false}`: an answer to show, not an error. */
export function fetchDatabaseStatus(): Promise<DatabaseStatus> {
  return call<DatabaseStatus>("GET", "/api/v1/diag/db", { accept: [503] });
}
