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
import { useForm } from "@mantine/form";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors, required } from "../../app/forms";
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
  const form = useForm({
    initialValues: { display_name: "", password: "", confirmation: "" },
    validate: {
      display_name: required("Enter the name Violet should show for you."),
      password: passwordProblem,
      confirmation: (value, values) =>
        value !== values.password ? "The passwords do not match." : null,
    },
  });

  const mutation = useMutation({
    mutationFn: ({ display_name, password }: typeof form.values) =>
      acceptInvitation({ token, display_name: display_name.trim(), password }),
    onSuccess: (pair) => {
      signIn(pair);
      navigate("/", { replace: true });
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  return (
    <form
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-label="Accept invitation"
      noValidate
    >
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
          {...form.getInputProps("display_name")}
        />
        <PasswordInput
          label="Password"
          description={PASSWORD_HINT}
          autoComplete="new-password"
          required
          {...form.getInputProps("password")}
        />
        <PasswordInput
          label="Confirm password"
          autoComplete="new-password"
          required
          {...form.getInputProps("confirmation")}
        />
        <Button type="submit" loading={mutation.isPending}>
          Accept invitation
        </Button>
      </Stack>
    </form>
  );
}
