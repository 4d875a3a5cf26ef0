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
import { RecoveryCodes } from "./RecoveryCodes";
import { disableMfa, regenerateRecoveryCodes } from "./api";

const TURNED_ON =
  "Two-factor authentication is on: signing in now also asks for a code from your app.";
const TURNED_OFF = "Two-factor authentication is off: signing in needs only your password.";

const NEW_CODES = "New recovery codes were generated: the previous ones no longer work.";
const FEW_CODES_LEFT = 3;

/** Two-factor authentication (TOTP): its status, set it up, recovery codes, or turn it off. */
export function TwoFactorSection({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  // What the last action did, said once it is done (a status badge alone is easy to miss).
  const [confirmation, setConfirmation] = useState<string | null>(null);
  // Codes the API just issued: it never shows them again, so they stay until dismissed.
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const refreshMe = async (done: string) => {
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    setConfirmation(done);
  };
  const showCodes = (done: string) => async (codes: string[]) => {
    await refreshMe(done);
    setRecoveryCodes(codes);
  };
  const remaining = me.recovery_codes_remaining;

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
        <Text size="sm" c="teal.9" role="status" data-testid="mfa-confirmation">
          {confirmation}
        </Text>
      )}
      {recoveryCodes && (
        <RecoveryCodes
          email={me.email}
          codes={recoveryCodes}
          onDismiss={() => setRecoveryCodes(null)}
        />
      )}
      {me.mfa_enabled ? (
        <>
          <Text size="sm" data-testid="recovery-codes-remaining">
            Unused recovery codes: {remaining}
            {remaining < FEW_CODES_LEFT && " (generate a new set before you run out)"}
          </Text>
          {!recoveryCodes && (
            <PasswordAndCode
              openLabel="Generate new recovery codes"
              title="Generate new recovery codes"
              explanation="The codes you have now stop working. Confirm with your password and a current code from your app."
              submitLabel="Generate"
              action={regenerateRecoveryCodes}
              onDone={({ recovery_codes }) => showCodes(NEW_CODES)(recovery_codes)}
            />
          )}
          <PasswordAndCode
            openLabel="Turn off two-factor authentication"
            title="Turn off two-factor authentication"
            explanation="Confirm with your password and a current code from your app."
            submitLabel="Turn off"
            color="red"
            action={disableMfa}
            onDone={async () => {
              setRecoveryCodes(null);
              await refreshMe(TURNED_OFF);
            }}
          />
        </>
      ) : (
        <MfaSetup onEnabled={showCodes(TURNED_ON)} />
      )}
    </AccountSection>
  );
}

/** A button that opens a form asking for the password and a current code, then `action`. */
function PasswordAndCode<Result>({
  openLabel,
  title,
  explanation,
  submitLabel,
  color,
  action,
  onDone,
}: {
  openLabel: string;
  title: string;
  explanation: string;
  submitLabel: string;
  color?: string;
  action: (body: { password: string; code: string }) => Promise<Result>;
  onDone: (result: Result) => Promise<unknown> | void;
}) {
  const [open, setOpen] = useState(false);
  const form = useForm({ initialValues: { password: "", code: "" } });
  const mutation = useMutation({
    mutationFn: ({ password, code }: typeof form.values) =>
      action({ password, code: code.replace(/\s/g, "") }),
    onSuccess: async (result) => {
      form.reset();
      setOpen(false);
      await onDone(result);
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  if (!open) {
    return (
      <Group>
        <Button variant="default" color={color} onClick={() => setOpen(true)}>
          {openLabel}
        </Button>
      </Group>
    );
  }

  return (
    <form onSubmit={form.onSubmit((values) => mutation.mutate(values))} aria-label={title}>
      <Stack maw={420}>
        <Text size="sm">{explanation}</Text>
        {mutation.error && (
          <ErrorAlert title={`Could not ${title.toLowerCase()}`} error={mutation.error} />
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
          <Button type="submit" color={color} loading={mutation.isPending}>
            {submitLabel}
          </Button>
          <Button variant="default" onClick={() => setOpen(false)} disabled={mutation.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
