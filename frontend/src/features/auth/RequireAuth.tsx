import { Center, Loader } from "@mantine/core";
import { Suspense } from "react";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { lazyPage } from "../../app/lazyPage";
import { useAuth } from "./AuthProvider";
import { signInPathFor } from "./nextPath";

// Its own chunk (with the QR code library): only users made to enrol ever download it.
const MfaEnrolmentPage = lazyPage(() => import("../account/MfaEnrolmentPage"));

/**
 * Children only for a signed-in user; anyone else goes to sign-in and comes back after.
 * While the administrator requires two-factor authentication and the user has none, every
 * page is the enrolment screen instead (the API would refuse whatever the page asks for).
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn, me, meError } = useAuth();
  const location = useLocation();

  if (!signedIn) return <Navigate to={signInPathFor(location)} replace />;
  if (me?.mfa_enrolment_required) {
    return (
      <Suspense fallback={<AccountLoader />}>
        <MfaEnrolmentPage />
      </Suspense>
    );
  }
  if (me) return children;
  if (meError) return <ErrorAlert title="Could not load your account" error={meError} />;
  return <AccountLoader />;
}

function AccountLoader() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading your account" />
    </Center>
  );
}
