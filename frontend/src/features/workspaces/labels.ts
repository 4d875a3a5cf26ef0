/** How the workspaces an invitation or an API token names read in the SPA's tables and forms. */

interface WorkspaceRef {
  id: string;
  name: string;
}

/**
 * An invitation's workspaces: those the admin sees by name, the others (`hidden`) counted; one
 * naming none (or only deleted ones) joins the default one.
 */
export function invitationWorkspacesLabel(workspaces: WorkspaceRef[], hidden = 0): string {
  const names = workspaces.map((workspace) => workspace.name);
  if (hidden > 0) names.push(`${hidden} other workspace${hidden === 1 ? "" : "s"}`);
  return names.join(", ") || "Default workspace";
}

/** The Select's value for a token not bound to a workspace (a Select value is a string). */
export const ANY_WORKSPACE = "any";

/** The API's `workspace_id` for what the token form's Select holds. */
export function boundWorkspaceId(choice: string): string | null {
  return choice === ANY_WORKSPACE ? null : choice;
}

/** The workspace a token is bound to, by name among `mine`; "Any" when it is not bound. */
export function tokenWorkspaceLabel(workspaceId: string | null, mine: WorkspaceRef[]): string {
  if (workspaceId === null) return "Any";
  // Bound to a workspace its owner has left, or one deleted since: the API refuses the token.
  return mine.find((workspace) => workspace.id === workspaceId)?.name ?? "No longer yours";
}
