/** User administration: groups (to pick from) and invitations. */
import { api, unwrap } from "../../api/client";
import type { Group, Invitation, InvitationCreated } from "../../api/types";

export const groupsQueryKey = ["groups"] as const;
export const invitationsQueryKey = ["invitations"] as const;

export async function fetchGroups(): Promise<Group[]> {
  const page = await unwrap(api.GET("/api/v1/groups", { params: { query: { limit: 500 } } }));
  return page.items;
}

export async function fetchInvitations(): Promise<Invitation[]> {
  const page = await unwrap(
    api.GET("/api/v1/invitations", { params: { query: { limit: 500, sort: "-created_at" } } }),
  );
  return page.items;
}

export function createInvitation(body: {
  email: string;
  group_ids: string[];
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
