import { Progress, Stack, Text } from "@mantine/core";
import type { UploadPhase } from "./uploadBundle";

/** Upload percentage while bytes go out, then an indeterminate bar while the server works. */
export function SyncProgress({ phase }: { phase: UploadPhase }) {
  const uploading = phase.phase === "uploading";
  const percent = uploading ? Math.round(phase.fraction * 100) : 100;
  const label = uploading
    ? `Uploading the bundle… ${percent}%`
    : "The server is importing the bundle…";
  return (
    <Stack gap={4} role="status" aria-live="polite" data-testid="sync-progress">
      <Text size="sm">{label}</Text>
      <Progress
        value={percent}
        striped={!uploading}
        animated={!uploading}
        aria-label={uploading ? "Upload progress" : "Import in progress"}
      />
    </Stack>
  );
}
