import {
  Button,
  Code,
  CopyButton,
  Group,
  List,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { QRCodeSVG } from "qrcode.react";
import { useEffect, useRef } from "react";
import type { MfaSetup as MfaSecret } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { enableMfa, setUpMfa } from "./api";

/**
 * TOTP enrolment, shared by the account page and the forced-enrolment screen: a new secret as
 * a QR code and as text (for manual entry), then a current code to prove the app has it.
 * `onEnabled` runs once the API has turned two-factor authentication on, with the recovery
 * codes it answered (shown once: the caller shows them). It is awaited, so the button spins
 * until the caller has refreshed what it shows.
 */
export function MfaSetup({ onEnabled }: { onEnabled: OnEnabled }) {
  const setup = useMutation({ mutationFn: setUpMfa });

  if (!setup.data) {
    return (
      <Stack>
        {setup.error && <ErrorAlert title="Could not start the set-up" error={setup.error} />}
        <Group>
          <Button onClick={() => setup.mutate()} loading={setup.isPending}>
            Set up two-factor authentication
          </Button>
        </Group>
      </Stack>
    );
  }
  return <ConfirmCode secret={setup.data} onEnabled={onEnabled} onCancel={() => setup.reset()} />;
}

type OnEnabled = (recoveryCodes: string[]) => Promise<unknown> | void;

function ConfirmCode({
  secret,
  onEnabled,
  onCancel,
}: {
  secret: MfaSecret;
  onEnabled: OnEnabled;
  onCancel: () => void;
}) {
  const form = useForm({ initialValues: { password: "", code: "" } });
  const steps = useRef<HTMLOListElement>(null);
  // The button that started the set-up is gone: keyboard and screen reader users go on here.
  useEffect(() => steps.current?.focus(), []);
  const enable = useMutation({
    mutationFn: ({ password, code }: typeof form.values) =>
      enableMfa({ password, code: code.replace(/\s/g, "") }),
    onSuccess: ({ recovery_codes }) => onEnabled(recovery_codes),
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  return (
    <form
      onSubmit={form.onSubmit((values) => enable.mutate(values))}
      aria-label="Turn on two-factor authentication"
    >
      <Stack>
        <List type="ordered" spacing="xs" size="sm" ref={steps} tabIndex={-1}>
          <List.Item>
            Scan this QR code with an authenticator app (FreeOTP, Aegis, Google Authenticator,
            1Password…).
          </List.Item>
          <List.Item>Enter the 6-digit code the app shows for Violet.</List.Item>
        </List>
        <QRCodeSVG
          value={secret.otpauth_uri}
          size={192}
          marginSize={4}
          title="QR code of the secret key for your authenticator app"
          role="img"
          data-testid="mfa-qr-code"
        />
        <Stack gap={4}>
          <Text size="sm">Cannot scan it? Enter this key in the app instead:</Text>
          <Group gap="xs">
            <Code fz="md" data-testid="mfa-secret">
              {secret.secret}
            </Code>
            <CopyButton value={secret.secret}>
              {({ copied, copy }) => (
                <Button size="compact-sm" variant="default" onClick={copy}>
                  {copied ? "Copied" : "Copy key"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
        {enable.error && (
          <ErrorAlert title="Could not turn on two-factor authentication" error={enable.error} />
        )}
        <PasswordInput
          label="Your password"
          description="Asked again, as to turn two-factor authentication off."
          autoComplete="current-password"
          required
          {...form.getInputProps("password")}
          maw={320}
        />
        <TextInput
          label="Authentication code"
          description="The 6-digit code from your authenticator app."
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={10}
          {...form.getInputProps("code")}
          maw={240}
        />
        <Group>
          <Button type="submit" loading={enable.isPending}>
            Turn on
          </Button>
          <Button variant="default" onClick={onCancel} disabled={enable.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
