import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import type { ApiTokenCreated } from "../../../api/types";

/** The new token's secret, the one time the API ever returns it. */
export function CreatedToken({
  token,
  onDismiss,
}: {
  token: ApiTokenCreated;
  onDismiss: () => void;
}) {
  const alert = useRef<HTMLDivElement>(null);
  // Bring it into view and announce it: it is easy to miss above the table otherwise.
  useEffect(() => {
    alert.current?.focus();
  }, [token.id]);

  return (
    <Alert
      ref={alert}
      tabIndex={-1}
      color="green"
      title={`Token “${token.name}” created`}
      data-testid="created-token"
    >
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Copy it now: you will not see it again. Violet keeps only a hash of it.
        </Text>
        <Code block data-testid="created-token-secret">
          {token.token}
        </Code>
        <Group>
          <CopyButton value={token.token}>
            {({ copied, copy }) => (
              <Button size="compact-sm" onClick={copy}>
                {copied ? "Copied" : "Copy token"}
              </Button>
            )}
          </CopyButton>
          <Button size="compact-sm" variant="default" onClick={onDismiss}>
            Done
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
