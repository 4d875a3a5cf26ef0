import { describe, expect, it } from "vitest";
import { breakParts, nameSegments } from "./nameSegments";

describe("breakParts", () => {
  it("breaks after a slash and inside a long CamelCase token, nowhere else", () => {
    expect(breakParts("Virtualization/Sandbox Evasion")).toEqual([
      "Virtualization/",
      "Sandbox Evasion",
    ]);
    expect(breakParts("SyncAppvPublishingServer")).toEqual([
      "Sync",
      "Appv",
      "Publishing",
      "Server",
    ]);
    expect(breakParts("AppDomainManager")).toEqual(["App", "Domain", "Manager"]);
    expect(breakParts("Windows PowerShell")).toEqual(["Windows PowerShell"]);
    expect(breakParts("Path Interception by PATH Environment Variable")).toEqual([
      "Path Interception by PATH Environment Variable",
    ]);
    expect(breakParts("a / b")).toEqual(["a / b"]);
    expect(breakParts("LC_LOAD_DYLIB Addition")).toEqual(["LC_", "LOAD_", "DYLIB Addition"]);
  });
});

describe("nameSegments", () => {
  it("marks every match, whatever its case", () => {
    expect(nameSegments("PowerShell Profile", "power")).toEqual([
      { text: "Power", match: true },
      { text: "Shell Profile", match: false },
    ]);
    expect(nameSegments("Shell, shell", "SHELL")).toEqual([
      { text: "Shell", match: true },
      { text: ", ", match: false },
      { text: "shell", match: true },
    ]);
    expect(nameSegments("Phishing", " ")).toEqual([{ text: "Phishing", match: false }]);
  });
});
