import { Button, Group } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { AccountSection } from "./AccountSection";
import { logoutEverywhere } from "./api";

const SIGNED_OUT_EVERYWHERE =
  "You signed out everywhere: every browser and device, and your API tokens. Sign in again.";

/** Sign out on every device and browser at once (a lost laptop, a shared computer). */
export function SessionsSection() {
  const { signOut } = useAuth();
  const mutation = useMutation({
    mutationFn: logoutEverywhere,
    // RequireAuth then sends the user to the sign-in page, where the notice shows.
    onSuccess: () => signOut(SIGNED_OUT_EVERYWHERE).catch(() => undefined),
  });
  return (
    <AccountSection
      id="sessions"
      title="Sessions"
      description="Signing out everywhere ends every session of yours, this one included, and revokes your API tokens."
    >
      {mutation.error ? <ErrorAlert title="Not signed out" error={mutation.error} /> : null}
      <Group>
        <Button
          color="red"
          variant="light"
          loading={mutation.isPending}
          onClick={() => {
            if (
              window.confirm(
                "Sign out on every device and browser, this one included? Your API tokens stop working too.",
              )
            ) {
              mutation.mutate();
            }
          }}
        >
          Sign out everywhere
        </Button>
      </Group>
    </AccountSection>
  );
}
