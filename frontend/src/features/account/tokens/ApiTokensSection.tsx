import { Code, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { ApiToken, ApiTokenCreated, Me } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { fetchMyWorkspaces, myWorkspacesQueryKey } from "../../workspaces/api";
import { AccountSection } from "../AccountSection";
import { apiTokensQueryKey, fetchApiTokens } from "../api";
import { CreatedToken } from "./CreatedToken";
import { CreateTokenForm } from "./CreateTokenForm";
import { RevokeTokenModal } from "./RevokeTokenModal";
import { TokenTable } from "./TokenTable";

/** Personal API tokens for automation: list, create (secret shown once), revoke. */
export function ApiTokensSection({ me }: { me: Me }) {
  const tokens = useQuery({ queryKey: apiTokensQueryKey, queryFn: fetchApiTokens });
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  // A revoked token's row has no Revoke any more: the focus goes to the table, not the page.
  const table = useRef<HTMLTableElement>(null);
  const mine = useQuery({ queryKey: myWorkspacesQueryKey, queryFn: fetchMyWorkspaces });
  // Binding a token to a workspace means something only to someone in more than one.
  const workspaces = (mine.data?.length ?? 0) > 1 ? mine.data : undefined;

  return (
    <AccountSection
      id="api-tokens"
      title="API tokens"
      description={
        <>
          For scripts and automation: send one as <Code>Authorization: Bearer …</Code>. A token
          carries some of your permissions, never more than you hold now.
        </>
      }
    >
      {created && <CreatedToken token={created} onDismiss={() => setCreated(null)} />}
      {tokens.isPending ? (
        <Loader size="sm" aria-label="Loading your API tokens" />
      ) : tokens.error ? (
        <ErrorAlert title="Could not load your API tokens" error={tokens.error} />
      ) : (
        <TokenTable
          tokens={tokens.data}
          workspaces={workspaces}
          onRevoke={setRevoking}
          tableRef={table}
        />
      )}
      {mine.error && <ErrorAlert title="Could not load your workspaces" error={mine.error} />}
      <CreateTokenForm
        permissions={me.permissions}
        workspaces={workspaces}
        onCreated={setCreated}
      />
      <RevokeTokenModal
        token={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={() => table.current?.focus()}
      />
    </AccountSection>
  );
}
