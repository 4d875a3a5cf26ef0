import { Alert } from "@mantine/core";
import type { ReactNode } from "react";
import type { PermissionCode } from "../../api/types";
import { useAuth } from "./AuthProvider";

/** Children only with the permission; otherwise a plain "not allowed" message. */
export function RequirePermission({
  permission,
  children,
}: {
  permission: PermissionCode;
  children: ReactNode;
}) {
  const { can } = useAuth();
  if (can(permission)) return children;
  return (
    <Alert color="orange" title="Not allowed" role="alert">
      You are not allowed to open this page: it needs the permission <code>{permission}</code>. Ask
      an administrator if you need it.
    </Alert>
  );
}
