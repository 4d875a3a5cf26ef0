import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";
import { useEffect, useRef } from "react";

/** The file a user keeps: whose codes they are, how they work, one code a line. */
export function recoveryCodesText(email: string, codes: string[]): string {
  return [
    `Violet recovery codes for ${email}`,
    "Each code signs you in once in place of a code from your authenticator app.",
    "",
    ...codes,
    "",
  ].join("\n");
}

function download(email: string, codes: string[]) {
  const blob = new Blob([recoveryCodesText(email, codes)], { type: "text/plain" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = "violet-recovery-codes.txt";
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * New recovery codes, the one time the API ever returns them: copy or download them, then
 * `onDismiss`. Shown after turning two-factor authentication on and after generating a new set.
 */
export function RecoveryCodes({
  email,
  codes,
  onDismiss,
}: {
  email: string;
  codes: string[];
  onDismiss: () => void;
}) {
  const alert = useRef<HTMLDivElement>(null);
  // Bring them into view and announce them: the form that produced them is gone.
  useEffect(() => alert.current?.focus(), [codes]);

  return (
    <Alert
      ref={alert}
      tabIndex={-1}
      color="green"
      title="Your recovery codes"
      data-testid="recovery-codes"
    >
      <Stack gap="xs">
        <Text size="sm">
          If you lose your phone, each of these codes signs you in once instead of a code from the
          app.
        </Text>
        <Text size="sm" fw={600}>
          Save them now, somewhere safe: you will not see them again. Violet keeps only their
          hashes.
        </Text>
        <Code block data-testid="recovery-codes-list">
          {codes.join("\n")}
        </Code>
        <Group>
          <CopyButton value={codes.join("\n")}>
            {({ copied, copy }) => (
              <Button size="compact-sm" onClick={copy}>
                {copied ? "Copied" : "Copy codes"}
              </Button>
            )}
          </CopyButton>
          <Button size="compact-sm" variant="default" onClick={() => download(email, codes)}>
            Download
          </Button>
          <Button size="compact-sm" variant="default" onClick={onDismiss}>
            I have saved them
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
