import { Alert, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import type { LoginOut, TokenPairOut } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { AuthCard } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { login, loginMfa, tokenPairOf } from "./api";
import { safeNextPath } from "./nextPath";

export default function SignInPage() {
  const { signedIn, signIn, signOutNotice } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const [mfaToken, setMfaToken] = useState<string | null>(null);

  const finish = (pair: TokenPairOut) => {
    signIn(pair);
    navigate(next, { replace: true });
  };

  if (signedIn && mfaToken === null) return <Navigate to={next} replace />;

  return (
    <AuthCard title={mfaToken ? "Two-step verification" : "Sign in"}>
      {mfaToken ? (
        <MfaStep mfaToken={mfaToken} onDone={finish} onRestart={() => setMfaToken(null)} />
      ) : (
        <PasswordStep
          notice={signOutNotice}
          onDone={(answer) => {
            const pair = tokenPairOf(answer);
            if (pair) finish(pair);
            else if (answer.mfa_required && answer.mfa_token) setMfaToken(answer.mfa_token);
          }}
        />
      )}
    </AuthCard>
  );
}

function PasswordStep({
  notice,
  onDone,
}: {
  notice: string | null;
  onDone: (answer: LoginOut) => void;
}) {
  const form = useForm({ initialValues: { email: "", password: "" } });
  const mutation = useMutation({
    mutationFn: ({ email, password }: typeof form.values) => login(email.trim(), password),
    onSuccess: onDone,
  });

  return (
    <form onSubmit={form.onSubmit((values) => mutation.mutate(values))} aria-label="Sign in">
      <Stack>
        {notice && !mutation.error && (
          <Alert color="violet" role="status" data-testid="sign-in-notice">
            {notice}
          </Alert>
        )}
        {mutation.error && <ErrorAlert title="Sign-in failed" error={mutation.error} />}
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          {...form.getInputProps("email")}
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          {...form.getInputProps("password")}
        />
        <Button type="submit" loading={mutation.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function MfaStep({
  mfaToken,
  onDone,
  onRestart,
}: {
  mfaToken: string;
  onDone: (pair: TokenPairOut) => void;
  onRestart: () => void;
}) {
  const form = useForm({ initialValues: { code: "" } });
  const mutation = useMutation({
    mutationFn: ({ code }: typeof form.values) => loginMfa(mfaToken, code.trim()),
    onSuccess: onDone,
  });

  return (
    <form
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-label="Two-step verification"
    >
      <Stack>
        {mutation.error && <ErrorAlert title="Verification failed" error={mutation.error} />}
        <TextInput
          label="Authentication code"
          description="The 6-digit code from your authenticator app."
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          autoFocus
          {...form.getInputProps("code")}
        />
        <Button type="submit" loading={mutation.isPending}>
          Verify
        </Button>
        <Button variant="subtle" onClick={onRestart}>
          Use another account
        </Button>
      </Stack>
    </form>
  );
}
