import { api } from "../../api/client";
import { toApiError } from "../../api/problem";
import type { DatabaseStatus } from "../../api/types";

export const databaseQueryKey = ["diag", "db"] as const;

/** 503 still carries `{reachable: false}`: an answer to show, not an error. */
export async function fetchDatabaseStatus(): Promise<DatabaseStatus> {
  const { data, error, response } = await api.GET("/api/v1/diag/db");
  if (data) return data;
  if (response.status === 503 && error && typeof error === "object" && "reachable" in error) {
    return error as DatabaseStatus;
  }
  throw toApiError(error, response.status);
}
