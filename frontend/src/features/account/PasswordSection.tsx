import { Button, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Me, TokenPairOut } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { useAuth } from "../auth/AuthProvider";
import { login, tokenPairOf } from "../auth/api";
import { PASSWORD_HINT, passwordProblem } from "../auth/password";
import { AccountSection } from "./AccountSection";
import { apiTokensQueryKey, changePassword } from "./api";

const SIGN_IN_AGAIN =
  "Your password was changed: every session was signed out and your API tokens were revoked. " +
  "Sign in with your new password.";

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
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { current_password: "", new_password: "", confirmation: "" },
    validate: {
      new_password: passwordProblem,
      confirmation: (value, values) =>
        value !== values.new_password ? "The new passwords do not match." : null,
    },
  });

  const mutation = useMutation({
    mutationFn: async ({
      current_password,
      new_password,
    }: typeof form.values): Promise<TokenPairOut | null> => {
      await changePassword({ current_password, new_password });
      const answer = await login(me.email, new_password).catch(() => null);
      return answer && tokenPairOf(answer);
    },
    onSuccess: async (pair) => {
      form.reset();
      if (pair) {
        signIn(pair);
        // The API revoked them all (the page does not keep them): the table must say so.
        await queryClient.invalidateQueries({ queryKey: apiTokensQueryKey });
        return;
      }
      // RequireAuth then sends the user to /sign-in?next=/account, where this notice shows.
      await signOut(SIGN_IN_AGAIN).catch(() => undefined);
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  return (
    <AccountSection
      id="password"
      title="Password"
      description="Changing it signs you out on every other device and browser, and revokes your API tokens."
    >
      <form
        onSubmit={form.onSubmit((values) => mutation.mutate(values))}
        aria-label="Change password"
        noValidate
      >
        <Stack maw={420}>
          {mutation.error && (
            <ErrorAlert title="Could not change the password" error={mutation.error} />
          )}
          {mutation.isSuccess && (
            <Text size="sm" c="green" role="status" data-testid="password-changed">
              Password changed. Your other sessions were signed out and your API tokens revoked;
              this session goes on.
            </Text>
          )}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            {...form.getInputProps("current_password")}
          />
          <PasswordInput
            label="New password"
            description={PASSWORD_HINT}
            autoComplete="new-password"
            required
            {...form.getInputProps("new_password")}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            required
            {...form.getInputProps("confirmation")}
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
