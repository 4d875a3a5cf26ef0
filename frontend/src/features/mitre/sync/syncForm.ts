import type { MitreStatus } from "../../../api/types";

export interface SyncValues {
  kind: "url" | "file";
  source: string;
  file: File | null;
  expected_sha256: string;
  allow_unverified: boolean;
  version: string;
}

const SHA256 = /^[0-9a-f]{64}$/i;
const RELEASE = /^\d{1,4}(\.\d{1,4}){0,3}$/;

/**
 * What the form must say before sending, in the user's words (the API would answer with its
 * field names). The API checks the same rules again.
 */
export function syncProblems(values: SyncValues, status: MitreStatus): Record<string, string> {
  const problems: Record<string, string> = {};
  const sha256 = values.expected_sha256.trim();
  if (values.kind === "file" && values.file === null) problems.file = "Choose the bundle file.";
  if (values.kind === "url" && values.source.trim() === "")
    problems.source = "Enter the bundle's URL.";
  if (sha256 && !SHA256.test(sha256))
    problems.expected_sha256 = "A SHA-256 is 64 hexadecimal characters (0–9, a–f).";
  const version = values.version.trim();
  if (version && !RELEASE.test(version)) problems.version = "Give a release number such as 18.1.";
  const pinApplies =
    status.pinned && values.kind === "url" && values.source.trim() === status.default_url;
  if (!sha256 && !values.allow_unverified && !pinApplies) {
    problems.allow_unverified =
      "Nothing to check the bundle against: give its SHA-256 above, or tick this box to import it unverified.";
  }
  return problems;
}
