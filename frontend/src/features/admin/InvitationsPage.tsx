import {
  Badge,
  Button,
  Checkbox,
  CopyButton,
  Group as Row,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { Group, Invitation, InvitationCreated, Workspace } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors, required, useFocusAfterFailure } from "../../app/forms";
import { formatDateTime } from "../../app/format";
import { useAuth } from "../auth/AuthProvider";
import { WorkspacesPicker, useChoosableWorkspaces } from "../workspaces/WorkspacesPicker";
import { invitationWorkspacesLabel } from "../workspaces/labels";
import {
  createInvitation,
  fetchGroups,
  fetchInvitations,
  groupsQueryKey,
  invitationsQueryKey,
  revokeInvitation,
} from "./api";

// Dark shades: white text on them keeps a contrast above 4.5:1.
const STATUS_COLOURS: Record<Invitation["status"], string> = {
  pending: "blue.9",
  accepted: "green.9",
  expired: "gray.7",
  revoked: "red.9",
};

/**
 * Admin → Invitations: invite by email into groups (and workspaces, when the admin sees more than
 * one), copy the link, revoke, follow the status.
 */
export default function InvitationsPage() {
  const invitations = useQuery({ queryKey: invitationsQueryKey, queryFn: fetchInvitations });
  // Every workspace the admin may see: they can invite into each of them.
  const { workspaces: choosable, error: workspacesError } = useChoosableWorkspaces();

  return (
    <Stack maw={960}>
      <Title order={1}>Invitations</Title>
      {workspacesError && (
        <ErrorAlert title="Could not load the workspaces" error={workspacesError} />
      )}
      <InviteForm workspaces={choosable} />
      {invitations.isPending ? (
        <Loader aria-label="Loading the invitations" />
      ) : invitations.error ? (
        <ErrorAlert title="Could not load the invitations" error={invitations.error} />
      ) : (
        <InvitationTable invitations={invitations.data} showWorkspaces={choosable !== undefined} />
      )}
    </Stack>
  );
}

function InviteForm({ workspaces }: { workspaces?: Workspace[] }) {
  const queryClient = useQueryClient();
  const { me } = useAuth();
  const groups = useQuery({ queryKey: groupsQueryKey, queryFn: () => fetchGroups() });
  const form = useForm({
    initialValues: { email: "", group_ids: [] as string[], workspace_ids: [] as string[] },
    validate: { email: required("Enter the email address to invite.") },
  });
  const mutation = useMutation({
    mutationFn: (values: typeof form.values) =>
      createInvitation({ ...values, email: values.email.trim(), expires_in_hours: 72 }),
    onSuccess: () => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: invitationsQueryKey });
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusAfterFailure(formRef, mutation.error);

  // No one grants what they do not hold: only groups whose every permission the caller has.
  const held = new Set(me?.permissions ?? []);
  const grantable = (group: Group) => group.permissions.every((code) => held.has(code));

  return (
    <Paper withBorder p="md">
      <form
        ref={formRef}
        onSubmit={form.onSubmit((values) => mutation.mutate(values))}
        aria-label="Invite someone"
        noValidate
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            Invite someone
          </Title>
          <TextInput
            label="Email"
            type="email"
            required
            maxLength={254}
            {...form.getInputProps("email")}
          />
          {groups.error ? (
            <ErrorAlert title="Could not load the groups" error={groups.error} />
          ) : (
            <Checkbox.Group
              label="Groups"
              description="Only the groups whose permissions you hold yourself can be given."
              {...form.getInputProps("group_ids")}
            >
              <Row gap="md" mt={4}>
                {(groups.data ?? []).filter(grantable).map((group) => (
                  <Checkbox key={group.id} value={group.id} label={group.name} />
                ))}
              </Row>
            </Checkbox.Group>
          )}
          {workspaces && (
            <WorkspacesPicker
              workspaces={workspaces}
              description="Where the invitee works. None chosen: the default workspace."
              {...form.getInputProps("workspace_ids")}
            />
          )}
          <Row>
            <Button type="submit" loading={mutation.isPending}>
              Create invitation
            </Button>
          </Row>
          {mutation.data && <CreatedLink invitation={mutation.data} />}
          {mutation.error && !form.errors.email && (
            <ErrorAlert title="Could not create the invitation" error={mutation.error} />
          )}
        </Stack>
      </form>
    </Paper>
  );
}

/** The link is shown once: the API keeps only a hash of its token. */
function CreatedLink({ invitation }: { invitation: InvitationCreated }) {
  return (
    <Stack gap={4} role="status">
      <Text size="sm">
        Invitation for {invitation.email} created. Send this link; it is shown only now:
      </Text>
      <Row gap="xs" wrap="nowrap">
        <TextInput
          label="Invitation link"
          readOnly
          value={invitation.accept_url}
          style={{ flex: 1 }}
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton value={invitation.accept_url}>
          {({ copied, copy }) => (
            <Button variant="light" onClick={copy} mt="lg">
              {copied ? "Copied" : "Copy link"}
            </Button>
          )}
        </CopyButton>
      </Row>
    </Stack>
  );
}

function InvitationTable({
  invitations,
  showWorkspaces,
}: {
  invitations: Invitation[];
  showWorkspaces: boolean;
}) {
  const queryClient = useQueryClient();
  const table = useRef<HTMLTableElement>(null);
  const revoke = useMutation({
    mutationFn: revokeInvitation,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: invitationsQueryKey });
      // The revoked row has no Revoke any more: the focus goes to the table, not the page.
      table.current?.focus();
    },
  });
  // One email may have several pending invitations (other groups, another workspace): their
  // Revoke buttons then also name the groups and the expiry, to be told apart.
  const pendingByEmail = new Map<string, number>();
  for (const invitation of invitations) {
    if (invitation.status === "pending") {
      pendingByEmail.set(invitation.email, (pendingByEmail.get(invitation.email) ?? 0) + 1);
    }
  }
  const revokeLabel = (invitation: Invitation) => {
    const label = `Revoke the invitation of ${invitation.email}`;
    if ((pendingByEmail.get(invitation.email) ?? 0) < 2) return label;
    const groups = invitation.groups.map((group) => group.name).join(", ") || "no group";
    const where = showWorkspaces
      ? `, ${invitationWorkspacesLabel(invitation.workspaces, invitation.other_workspaces)}`
      : "";
    return `${label} (${groups}${where}, expires ${formatDateTime(invitation.expires_at)})`;
  };

  if (invitations.length === 0) return <Text>No invitations yet.</Text>;
  return (
    <>
      {revoke.error && <ErrorAlert title="Could not revoke the invitation" error={revoke.error} />}
      <Table aria-label="Invitations" striped ref={table} tabIndex={-1}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Groups</Table.Th>
            {showWorkspaces && <Table.Th scope="col">Workspaces</Table.Th>}
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invitations.map((invitation) => (
            <Table.Tr key={invitation.id}>
              <Table.Td>{invitation.email}</Table.Td>
              <Table.Td>{invitation.groups.map((group) => group.name).join(", ") || "—"}</Table.Td>
              {showWorkspaces && (
                <Table.Td>
                  {invitationWorkspacesLabel(invitation.workspaces, invitation.other_workspaces)}
                </Table.Td>
              )}
              <Table.Td>
                <Badge color={STATUS_COLOURS[invitation.status]}>{invitation.status}</Badge>
              </Table.Td>
              <Table.Td>{formatDateTime(invitation.expires_at)}</Table.Td>
              <Table.Td>
                {invitation.status === "pending" && (
                  <Button
                    size="xs"
                    variant="outline"
                    color="red.9"
                    loading={revoke.isPending && revoke.variables === invitation.id}
                    onClick={() => {
                      // For good: a revoked link never works again (invite them anew instead).
                      const question = `Revoke the invitation of ${invitation.email}? Its link stops working.`;
                      if (window.confirm(question)) revoke.mutate(invitation.id);
                    }}
                    aria-label={revokeLabel(invitation)}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
