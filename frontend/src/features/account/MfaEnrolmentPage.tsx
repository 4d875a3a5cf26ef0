import { Button, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { AuthCard } from "../auth/AuthCard";
import { useAuth } from "../auth/AuthProvider";
import { meQueryKey } from "../auth/api";
import { MfaSetup } from "./MfaSetup";
import { RecoveryCodes } from "./RecoveryCodes";

/**
 * Shown instead of any page while `/auth/me` says `mfa_enrolment_required` (the administrator
 * turned `mfa_required` on and this user has no TOTP yet): the API refuses everything else
 * until then. The address stays the one the user asked for, so once two-factor authentication
 * is on (and the user has saved the recovery codes), refetching /auth/me is all it takes to
 * render that page.
 */
export default function MfaEnrolmentPage() {
  const { me, signOut } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const signOutAndLeave = async () => {
    await signOut().catch(() => undefined);
    navigate("/sign-in", { replace: true });
  };

  return (
    <AuthCard title="Set up two-factor authentication">
      <Stack>
        <Text data-testid="mfa-enrolment-required">
          Your administrator requires two-factor authentication for every account. Set it up now to
          continue{me ? ` as ${me.email}` : ""}: you will need an authenticator app on your phone.
        </Text>
        {recoveryCodes ? (
          <RecoveryCodes
            email={me?.email ?? ""}
            codes={recoveryCodes}
            onDismiss={() => queryClient.invalidateQueries({ queryKey: meQueryKey })}
          />
        ) : (
          <MfaSetup onEnabled={setRecoveryCodes} />
        )}
        <Button variant="subtle" onClick={signOutAndLeave}>
          Sign out
        </Button>
      </Stack>
    </AuthCard>
  );
}
