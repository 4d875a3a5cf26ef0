import { afterEach, describe, expect, it } from "vitest";
import { WORKSPACE_HEADER, setCurrentWorkspaceId, withWorkspace } from "./workspace";

describe("withWorkspace", () => {
  afterEach(() => setCurrentWorkspaceId(null));

  it("leaves requests alone while no workspace is known", () => {
    const request = new Request("http://violet.test/api/v1/workspaces/current");
    expect(withWorkspace(request).headers.get(WORKSPACE_HEADER)).toBeNull();
  });

  it("adds the current workspace to every request", () => {
    setCurrentWorkspaceId("0b5c7a5e-0000-4000-8000-000000000001");
    const request = new Request("http://violet.test/api/v1/users", {
      headers: { Authorization: "Bearer x" },
    });
    const sent = withWorkspace(request);
    expect(sent.headers.get(WORKSPACE_HEADER)).toBe("0b5c7a5e-0000-4000-8000-000000000001");
    expect(sent.headers.get("Authorization")).toBe("Bearer x");
  });

  it("keeps a workspace the caller named explicitly", () => {
    setCurrentWorkspaceId("one");
    const request = new Request("http://violet.test/api/v1/users", {
      headers: { [WORKSPACE_HEADER]: "two" },
    });
    expect(withWorkspace(request).headers.get(WORKSPACE_HEADER)).toBe("two");
  });
});
