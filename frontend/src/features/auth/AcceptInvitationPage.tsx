import {
  Alert,
  Anchor,
  Button,
  Center,
  Loader,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { AuthCard } from "./AuthCard";
import { useAuth } from "./AuthProvider";
import { acceptInvitation, lookupInvitation } from "./api";
import { PASSWORD_HINT, passwordProblem } from "./password";

export default function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const invitation = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => lookupInvitation(token),
    enabled: token !== "",
    retry: false,
  });

  return (
    <AuthCard title="Accept invitation">
      {token === "" ? (
        <Alert color="red" title="No invitation token" role="alert">
          This link has no invitation token. Open the link from your invitation email again.
        </Alert>
      ) : invitation.isPending ? (
        <Center>
          <Loader aria-label="Looking up the invitation" />
        </Center>
      ) : invitation.error ? (
        <Stack>
          <ErrorAlert title="This invitation cannot be used" error={invitation.error} />
          <Anchor component={Link} to="/sign-in">
            Go to sign-in
          </Anchor>
        </Stack>
      ) : (
        <AcceptForm
          token={token}
          email={invitation.data.email}
          invitedBy={invitation.data.invited_by ?? null}
        />
      )}
    </AuthCard>
  );
}

function AcceptForm({
  token,
  email,
  invitedBy,
}: {
  token: string;
  email: string;
  invitedBy: string | null;
}) {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [touched, setTouched] = useState(false);

  const newPasswordProblem = passwordProblem(password);
  const confirmationProblem = confirmation !== password ? "The passwords do not match." : null;

  const mutation = useMutation({
    mutationFn: () => acceptInvitation({ token, display_name: displayName.trim(), password }),
    onSuccess: (pair) => {
      signIn(pair);
      navigate("/", { replace: true });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (newPasswordProblem || confirmationProblem) return;
    mutation.mutate();
  };

  return (
    <form onSubmit={submit} aria-label="Accept invitation" noValidate>
      <Stack>
        <Text>
          You are invited as <strong data-testid="invitation-email">{email}</strong>
          {invitedBy ? ` by ${invitedBy}` : ""}. Choose your name and password.
        </Text>
        {mutation.error && (
          <ErrorAlert title="Could not accept the invitation" error={mutation.error} />
        )}
        <TextInput
          label="Display name"
          autoComplete="name"
          required
          maxLength={100}
          value={displayName}
          onChange={(event) => setDisplayName(event.currentTarget.value)}
        />
        <PasswordInput
          label="Password"
          description={PASSWORD_HINT}
          autoComplete="new-password"
          required
          value={password}
          error={touched ? newPasswordProblem : null}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <PasswordInput
          label="Confirm password"
          autoComplete="new-password"
          required
          value={confirmation}
          error={touched ? confirmationProblem : null}
          onChange={(event) => setConfirmation(event.currentTarget.value)}
        />
        <Button type="submit" loading={mutation.isPending}>
          Accept invitation
        </Button>
      </Stack>
    </form>
  );
}
