/** Workspaces: the one this tab acts in, the switcher's list, and their administration. */
import type { QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type {
  CurrentWorkspace,
  Workspace,
  WorkspaceCreate,
  WorkspaceMember,
} from "../../api/types";
import { getCurrentWorkspaceId, setCurrentWorkspaceId } from "../../api/workspace";

export const workspacesQueryKey = ["workspaces"] as const;
export const currentWorkspaceQueryKey = ["workspaces", "current"] as const;
export const myWorkspacesQueryKey = ["workspaces", "mine"] as const;
export const workspaceMembersQueryKey = (id: string) => ["workspaces", id, "members"] as const;

/** The workspace this tab acts in; set as the tab's workspace from now on. */
export async function fetchCurrentWorkspace(): Promise<CurrentWorkspace> {
  const answer = await api.GET("/api/v1/workspaces/current");
  if (answer.response.status === 404 && getCurrentWorkspaceId() !== null) {
    // The tab's workspace is gone or no longer ours: fall back to the user's default.
    setCurrentWorkspaceId(null);
    return fetchCurrentWorkspace();
  }
  const current = await unwrap(Promise.resolve(answer));
  setCurrentWorkspaceId(current.id);
  return current;
}

/** Make `id` the workspace this tab acts in and the user's default (remembered by the API). */
export async function switchWorkspace(id: string): Promise<CurrentWorkspace> {
  const chosen = await unwrap(
    api.PUT("/api/v1/workspaces/current", { body: { workspace_id: id } }),
  );
  setCurrentWorkspaceId(chosen.id);
  return chosen;
}

/**
 * Switch to `id` and drop what is cached: every page's data belongs to the previous workspace
 * (the switcher, and a notification from another workspace).
 */
export async function switchWorkspaceAndRefresh(
  queryClient: QueryClient,
  id: string,
): Promise<CurrentWorkspace> {
  const chosen = await switchWorkspace(id);
  queryClient.setQueryData(currentWorkspaceQueryKey, chosen);
  await queryClient.invalidateQueries({
    predicate: (query) => query.queryKey !== currentWorkspaceQueryKey,
  });
  return chosen;
}

/** The workspaces the user belongs to (the switcher). */
export function fetchMyWorkspaces(): Promise<Workspace[]> {
  return allPages((page) =>
    unwrap(api.GET("/api/v1/workspaces", { params: { query: { ...page, mine: true } } })),
  );
}

/** Every workspace the user may see (all of them with workspace.read_all); with
 * `includeDeleted` (workspace.manage), the deleted ones too. */
export function fetchWorkspaces(includeDeleted = false): Promise<Workspace[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/workspaces", {
        params: { query: { ...page, include_deleted: includeDeleted } },
      }),
    ),
  );
}

export function createWorkspace(body: WorkspaceCreate): Promise<Workspace> {
  return unwrap(api.POST("/api/v1/workspaces", { body }));
}

export function renameWorkspace(id: string, body: { name: string }): Promise<Workspace> {
  return unwrap(
    api.PATCH("/api/v1/workspaces/{workspace_id}", {
      params: { path: { workspace_id: id } },
      body,
    }),
  );
}

/** 409 when it still holds data and `confirm` is false (the problem says how much). */
export function deleteWorkspace(id: string, confirm: boolean): Promise<void> {
  return unwrap(
    api.DELETE("/api/v1/workspaces/{workspace_id}", {
      params: { path: { workspace_id: id }, query: { confirm } },
    }),
  );
}

/** 409 when another workspace has taken its slug since. */
export function restoreWorkspace(id: string): Promise<Workspace> {
  return unwrap(
    api.POST("/api/v1/workspaces/{workspace_id}/restore", {
      params: { path: { workspace_id: id } },
    }),
  );
}

export function fetchMembers(id: string): Promise<WorkspaceMember[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/workspaces/{workspace_id}/members", {
        params: { path: { workspace_id: id }, query: page },
      }),
    ),
  );
}

export async function replaceMembers(id: string, userIds: string[]): Promise<void> {
  await unwrap(
    api.PUT("/api/v1/workspaces/{workspace_id}/members", {
      params: { path: { workspace_id: id } },
      body: userIds.map((user_id) => ({ user_id })),
    }),
  );
}

export interface UserChoice {
  id: string;
  email: string;
  display_name: string;
}

/** Users to add as members (needs user.read). */
export function fetchUsers(): Promise<UserChoice[]> {
  return allPages((page) => unwrap(api.GET("/api/v1/users", { params: { query: page } })));
}
