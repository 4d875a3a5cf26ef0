import { Button, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { fieldError } from "../../api/problem";
import type { Me, TokenPairOut } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { login, tokenPairOf } from "../auth/api";
import { PASSWORD_HINT, passwordProblem } from "../auth/password";
import { AccountSection } from "./AccountSection";
import { changePassword } from "./api";

const SIGN_IN_AGAIN =
  "Your password was changed and every session was signed out. Sign in with your new password.";

/**
 * Change the password. The API then revokes every refresh token, this tab's included, so the
 * session would end at the next refresh. We sign in again at once with the new password (the
 * user just typed it): they stay on this page, other devices and browsers stay signed out,
 * and other tabs pick the new refresh token up from localStorage. That is friendlier than a
 * trip through the sign-in page, which only happens when signing in needs more than the
 * password: with two-factor authentication the login asks for a code we do not have.
 */
export function PasswordSection({ me }: { me: Me }) {
  const { signIn, signOut } = useAuth();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [touched, setTouched] = useState(false);

  const newPasswordProblem = passwordProblem(newPassword);
  const confirmationProblem =
    confirmation !== newPassword ? "The new passwords do not match." : null;

  const mutation = useMutation({
    mutationFn: async (): Promise<TokenPairOut | null> => {
      await changePassword({ current_password: currentPassword, new_password: newPassword });
      const answer = await login(me.email, newPassword).catch(() => null);
      return answer && tokenPairOf(answer);
    },
    onSuccess: async (pair) => {
      setCurrentPassword("");
      setNewPassword("");
      setConfirmation("");
      setTouched(false);
      if (pair) {
        signIn(pair);
        return;
      }
      // RequireAuth then sends the user to /sign-in?next=/account, where this notice shows.
      await signOut(SIGN_IN_AGAIN).catch(() => undefined);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (newPasswordProblem || confirmationProblem) return;
    mutation.mutate();
  };

  return (
    <AccountSection
      id="password"
      title="Password"
      description="Changing it signs you out on every other device and browser."
    >
      <form onSubmit={submit} aria-label="Change password" noValidate>
        <Stack maw={420}>
          {mutation.error && (
            <ErrorAlert title="Could not change the password" error={mutation.error} />
          )}
          {mutation.isSuccess && (
            <Text size="sm" c="green" role="status" data-testid="password-changed">
              Password changed. Your other sessions were signed out; this one goes on.
            </Text>
          )}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            value={currentPassword}
            error={fieldError(mutation.error, "current_password")}
            onChange={(event) => setCurrentPassword(event.currentTarget.value)}
          />
          <PasswordInput
            label="New password"
            description={PASSWORD_HINT}
            autoComplete="new-password"
            required
            value={newPassword}
            error={
              (touched ? newPasswordProblem : null) ?? fieldError(mutation.error, "new_password")
            }
            onChange={(event) => setNewPassword(event.currentTarget.value)}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            required
            value={confirmation}
            error={touched ? confirmationProblem : null}
            onChange={(event) => setConfirmation(event.currentTarget.value)}
          />
          <Group>
            <Button type="submit" loading={mutation.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </AccountSection>
  );
}
