/**
 * The workspace this tab acts in. Every API call carries it in `X-Violet-Workspace`, so every
 * page shows that workspace's data; until it is known, calls go without the header and the API
 * uses the user's default workspace (the same one `GET /workspaces/current` then reports).
 */
export const WORKSPACE_HEADER = "X-Violet-Workspace";

let currentWorkspaceId: string | null = null;

export function setCurrentWorkspaceId(id: string | null): void {
  currentWorkspaceId = id;
}

export function getCurrentWorkspaceId(): string | null {
  return currentWorkspaceId;
}

/** The request with `X-Violet-Workspace` set (unchanged while no workspace is known). */
export function withWorkspace(request: Request): Request {
  if (currentWorkspaceId === null || request.headers.has(WORKSPACE_HEADER)) return request;
  const headers = new Headers(request.headers);
  headers.set(WORKSPACE_HEADER, currentWorkspaceId);
  return new Request(request, { headers });
}
