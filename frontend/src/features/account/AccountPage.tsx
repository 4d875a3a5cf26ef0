import { Stack, Title } from "@mantine/core";
import { useAuth } from "../auth/AuthProvider";
import { PasswordSection } from "./PasswordSection";
import { ProfileSection } from "./ProfileSection";
import { SessionsSection } from "./SessionsSection";
import { TwoFactorSection } from "./TwoFactorSection";
import { ApiTokensSection } from "./tokens/ApiTokensSection";

/** The signed-in user's own account: profile, password, two-factor authentication, API tokens,
 * sessions. */
export default function AccountPage() {
  const { me } = useAuth();
  if (!me) return null; // RequireAuth renders pages only once /auth/me has answered
  return (
    <Stack maw={960}>
      <Title order={1}>Account</Title>
      <ProfileSection me={me} />
      <PasswordSection me={me} />
      <TwoFactorSection me={me} />
      <ApiTokensSection me={me} />
      <SessionsSection />
    </Stack>
  );
}
