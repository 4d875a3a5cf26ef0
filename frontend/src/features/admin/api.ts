/** User administration: users, groups and their permissions, invitations. */
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type { components } from "../../api/schema";
import type { Group, Invitation, InvitationCreated } from "../../api/types";

export const groupsQueryKey = ["groups"] as const;
export const invitationsQueryKey = ["invitations"] as const;

/** The groups; with `includeDeleted` (group.manage), the deleted ones too. */
export function fetchGroups(includeDeleted = false): Promise<Group[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/groups", {
        params: { query: { ...page, include_deleted: includeDeleted } },
      }),
    ),
  );
}

export function fetchInvitations(): Promise<Invitation[]> {
  return allPages((page) =>
    unwrap(api.GET("/api/v1/invitations", { params: { query: { ...page, sort: "-created_at" } } })),
  );
}

export function createInvitation(body: {
  email: string;
  group_ids: string[];
  workspace_ids: string[];
  expires_in_hours: number;
}): Promise<InvitationCreated> {
  return unwrap(api.POST("/api/v1/invitations", { body }));
}

export function revokeInvitation(id: string): Promise<void> {
  return unwrap(
    api.DELETE("/api/v1/invitations/{invitation_id}", {
      params: { path: { invitation_id: id } },
    }),
  );
}

// --- users and groups ---------------------------------------------------------------------------

export type User = components["schemas"]["UserOut"];
export type Permission = components["schemas"]["PermissionOut"];

export const usersQueryKey = ["users"] as const;
export const permissionsQueryKey = ["permissions"] as const;

/** One page of the users matching `q`, by email. */
export function fetchUserPage(query: {
  q?: string;
  include_deleted?: boolean; // user.manage
  limit: number;
  offset: number;
}): Promise<{ items: User[]; total: number }> {
  return unwrap(api.GET("/api/v1/users", { params: { query } }));
}

/** The users matching `q`; with `includeDeleted` (user.manage), the deleted ones too. */
export function fetchUsers(q: string, includeDeleted = false): Promise<User[]> {
  return allPages((page) =>
    fetchUserPage({ ...page, q: q || undefined, include_deleted: includeDeleted }),
  );
}

/** Soft: they are signed out everywhere, their API tokens stop, their work stays. */
export async function deleteUser(id: string): Promise<void> {
  await unwrap(api.DELETE("/api/v1/users/{user_id}", { params: { path: { user_id: id } } }));
}

/** They sign in again with their password (sessions and tokens ended with the delete). */
export function restoreUser(id: string): Promise<User> {
  return unwrap(api.POST("/api/v1/users/{user_id}/restore", { params: { path: { user_id: id } } }));
}

export function createUser(body: components["schemas"]["UserCreate"]): Promise<User> {
  return unwrap(api.POST("/api/v1/users", { body }));
}

/** With the `version` the change is based on, a 412 means someone else changed it meanwhile. */
export function updateUser(
  id: string,
  body: components["schemas"]["UserUpdate"],
  version?: number,
): Promise<User> {
  return unwrap(
    api.PATCH("/api/v1/users/{user_id}", {
      params: { path: { user_id: id } },
      headers: version === undefined ? {} : { "If-Match": `"${version}"` },
      body,
    }),
  );
}

export function resetMfa(id: string): Promise<void> {
  return unwrap(api.DELETE("/api/v1/users/{user_id}/mfa", { params: { path: { user_id: id } } }));
}

export async function fetchPermissions(): Promise<Permission[]> {
  const page = await unwrap(api.GET("/api/v1/permissions", { params: { query: { limit: 500 } } }));
  return page.items;
}

export function createGroup(body: components["schemas"]["GroupCreate"]): Promise<Group> {
  return unwrap(api.POST("/api/v1/groups", { body }));
}

/** With the `version` the change is based on, a 412 means someone else changed it meanwhile. */
export function updateGroup(
  id: string,
  body: components["schemas"]["GroupUpdate"],
  version?: number,
): Promise<Group> {
  return unwrap(
    api.PATCH("/api/v1/groups/{group_id}", {
      params: { path: { group_id: id } },
      headers: version === undefined ? {} : { "If-Match": `"${version}"` },
      body,
    }),
  );
}

/** Soft delete; the last group holding user.manage or group.manage members is kept (409). */
export async function deleteGroup(id: string): Promise<void> {
  await unwrap(api.DELETE("/api/v1/groups/{group_id}", { params: { path: { group_id: id } } }));
}

/** Its members regain its permissions, so the caller must hold them all (else 403). */
export function restoreGroup(id: string): Promise<Group> {
  return unwrap(
    api.POST("/api/v1/groups/{group_id}/restore", { params: { path: { group_id: id } } }),
  );
}
