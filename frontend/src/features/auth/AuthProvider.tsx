import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { session } from "../../api/client";
import type { Me, PermissionCode, TokenPairOut } from "../../api/types";
import { fetchMe, logout, meQueryKey } from "./api";

interface AuthState {
  signedIn: boolean;
  me: Me | undefined;
  meError: unknown;
  /**
   * Does the signed-in user hold this permission? Typed with the codes of the OpenAPI spec:
   * a misspelt or removed code fails `tsc`, not silently at run time.
   */
  can: (permission: PermissionCode) => boolean;
  signIn: (pair: TokenPairOut) => void;
  /** End the session; `notice` is shown on the sign-in page the user lands on. */
  signOut: (notice?: string) => Promise<void>;
  /** Why the last sign-out happened, for the sign-in page (null: nothing to say). */
  signOutNotice: string | null;
}

const AuthContext = createContext<AuthState | null>(null);

/** Who is signed in, their permissions, and the sign-in/out actions. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(session.signedIn);
  // Kept here rather than in router state: whichever redirect reaches /sign-in first shows it.
  const [signOutNotice, setSignOutNotice] = useState<string | null>(null);

  useEffect(
    () =>
      session.subscribe((nowSignedIn) => {
        setSignedIn(nowSignedIn);
        // Nothing cached for one user may be shown to the next.
        if (!nowSignedIn) queryClient.clear();
      }),
    [queryClient],
  );

  const meQuery = useQuery({ queryKey: meQueryKey, queryFn: fetchMe, enabled: signedIn });

  const signIn = useCallback(
    (pair: TokenPairOut) => {
      queryClient.setQueryData(meQueryKey, pair.user);
      setSignOutNotice(null);
      session.start(pair);
    },
    [queryClient],
  );

  const signOut = useCallback((notice?: string) => {
    setSignOutNotice(notice ?? null);
    return logout();
  }, []);

  const value = useMemo<AuthState>(() => {
    const permissions = new Set(meQuery.data?.permissions ?? []);
    return {
      signedIn,
      me: signedIn ? meQuery.data : undefined,
      meError: meQuery.error,
      can: (permission) => permissions.has(permission),
      signIn,
      signOut,
      signOutNotice,
    };
  }, [signedIn, meQuery.data, meQuery.error, signIn, signOut, signOutNotice]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (state === null) throw new Error("useAuth() outside <AuthProvider>");
  return state;
}
