import { describe, expect, it } from "vitest";
import {
  ANY_WORKSPACE,
  boundWorkspaceId,
  invitationWorkspacesLabel,
  tokenWorkspaceLabel,
} from "./labels";

const red = { id: "0b5c7a5e-0000-4000-8000-000000000001", name: "Red team" };
const blue = { id: "0b5c7a5e-0000-4000-8000-000000000002", name: "Blue team" };

describe("invitationWorkspacesLabel", () => {
  it("names the invitation's workspaces in the order given", () => {
    expect(invitationWorkspacesLabel([blue, red])).toBe("Blue team, Red team");
  });

  it("counts the workspaces the admin may not see", () => {
    expect(invitationWorkspacesLabel([red], 1)).toBe("Red team, 1 other workspace");
    expect(invitationWorkspacesLabel([], 2)).toBe("2 other workspaces");
  });

  it("says the default workspace when the invitation names none", () => {
    expect(invitationWorkspacesLabel([])).toBe("Default workspace");
  });
});

describe("boundWorkspaceId", () => {
  it("binds nothing for the 'any' choice and the chosen id otherwise", () => {
    expect(boundWorkspaceId(ANY_WORKSPACE)).toBeNull();
    expect(boundWorkspaceId(red.id)).toBe(red.id);
  });
});

describe("tokenWorkspaceLabel", () => {
  it("says Any for a token bound to no workspace", () => {
    expect(tokenWorkspaceLabel(null, [red, blue])).toBe("Any");
  });

  it("names the bound workspace", () => {
    expect(tokenWorkspaceLabel(blue.id, [red, blue])).toBe("Blue team");
  });

  it("says when the bound workspace is no longer one of the owner's", () => {
    expect(tokenWorkspaceLabel(blue.id, [red])).toBe("No longer yours");
  });
});
