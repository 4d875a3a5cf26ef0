import { Badge, Button, Group, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Me } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { meQueryKey } from "../auth/api";
import { AccountSection } from "./AccountSection";
import { MfaSetup } from "./MfaSetup";
import { disableMfa } from "./api";

const TURNED_ON =
  "Two-factor authentication is on: signing in now also asks for a code from your app.";
const TURNED_OFF = "Two-factor authentication is off: signing in needs only your password.";

/** Two-factor authentication (TOTP): its status, set it up, or turn it off. */
export function TwoFactorSection({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  // What the last action did, said once it is done (a status badge alone is easy to miss).
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const refreshMe = (done: string) => async () => {
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    setConfirmation(done);
  };

  return (
    <AccountSection
      id="two-factor"
      title="Two-factor authentication"
      description="Signing in then also asks for a code from an authenticator app on your phone."
    >
      <Group gap="xs">
        <Text size="sm">Status:</Text>
        {me.mfa_enabled ? (
          <Badge color="green" data-testid="mfa-status">
            On
          </Badge>
        ) : (
          <Badge color="gray.7" data-testid="mfa-status">
            Off
          </Badge>
        )}
      </Group>
      {confirmation && (
        <Text size="sm" c="green.9" role="status" data-testid="mfa-confirmation">
          {confirmation}
        </Text>
      )}
      {me.mfa_enabled ? (
        <TurnOff onDone={refreshMe(TURNED_OFF)} />
      ) : (
        <MfaSetup onEnabled={refreshMe(TURNED_ON)} />
      )}
    </AccountSection>
  );
}

function TurnOff({ onDone }: { onDone: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const form = useForm({ initialValues: { password: "", code: "" } });
  const mutation = useMutation({
    mutationFn: ({ password, code }: typeof form.values) =>
      disableMfa({ password, code: code.replace(/\s/g, "") }),
    onSuccess: onDone,
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  if (!open) {
    return (
      <Group>
        <Button variant="default" color="red" onClick={() => setOpen(true)}>
          Turn off two-factor authentication
        </Button>
      </Group>
    );
  }

  return (
    <form
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-label="Turn off two-factor authentication"
    >
      <Stack maw={420}>
        <Text size="sm">Confirm with your password and a current code from your app.</Text>
        {mutation.error && (
          <ErrorAlert title="Could not turn off two-factor authentication" error={mutation.error} />
        )}
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          autoFocus
          {...form.getInputProps("password")}
        />
        <TextInput
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={10}
          {...form.getInputProps("code")}
        />
        <Group>
          <Button type="submit" color="red" loading={mutation.isPending}>
            Turn off
          </Button>
          <Button variant="default" onClick={() => setOpen(false)} disabled={mutation.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
