import { Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "./AuthProvider";
import { signInPathFor } from "./nextPath";

/** Children only for a signed-in user; anyone else goes to sign-in and comes back after. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn, me, meError } = useAuth();
  const location = useLocation();

  if (!signedIn) return <Navigate to={signInPathFor(location)} replace />;
  if (me) return children;
  if (meError) return <ErrorAlert title="Could not load your account" error={meError} />;
  return (
    <Center h="100vh">
      <Loader aria-label="Loading your account" />
    </Center>
  );
}
