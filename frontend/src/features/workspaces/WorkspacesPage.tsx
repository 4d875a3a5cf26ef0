import {
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  MultiSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { ApiError } from "../../api/problem";
import { apiFieldErrors } from "../../app/forms";
import type { Workspace } from "../../api/types";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useAuth } from "../auth/AuthProvider";
import {
  createWorkspace,
  deleteWorkspace,
  fetchMembers,
  fetchUsers,
  fetchWorkspaces,
  myWorkspacesQueryKey,
  renameWorkspace,
  replaceMembers,
  restoreWorkspace,
  workspaceMembersQueryKey,
  workspacesQueryKey,
} from "./api";

/** Admin: workspaces (create, rename, delete) and who belongs to each. */
export default function WorkspacesPage() {
  const { can } = useAuth();
  const workspaces = useQuery({
    queryKey: [...workspacesQueryKey, "all"],
    queryFn: () => fetchWorkspaces(),
  });
  const refresh = useRefreshWorkspaces();
  const [editingMembers, setEditingMembers] = useState<Workspace | null>(null);
  const [renaming, setRenaming] = useState<Workspace | null>(null);
  const [deleting, setDeleting] = useState<Workspace | null>(null);
  // The workspace just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<Workspace | null>(null);
  const manage = can("workspace.manage");

  return (
    <Stack gap="lg">
      <Title order={1}>Workspaces</Title>
      <Text size="sm">
        Each workspace keeps its own library, missions and coverage; only its members see them.
        Users, groups and the ATT&amp;CK catalogue are shared by every workspace.
      </Text>
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the workspace ${deleted.name}.`}
          undo={() => restoreWorkspace(deleted.id).then(refresh)}
          onDone={() => setDeleted(null)}
          // Its Delete went with its row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      {manage && <CreateWorkspaceForm />}
      {workspaces.isPending ? (
        <Loader size="sm" aria-label="Loading workspaces" />
      ) : workspaces.error ? (
        <ErrorAlert title="Could not load the workspaces" error={workspaces.error} />
      ) : (
        <Table striped aria-label="Workspaces">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th>Members</Table.Th>
              {manage && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workspaces.data.map((workspace) => (
              <Table.Tr key={workspace.id} data-testid={`workspace-${workspace.slug}`}>
                <Table.Td>
                  {workspace.name}{" "}
                  {workspace.is_default && (
                    <Badge variant="outline" color="violet.9">
                      default
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <code>{workspace.slug}</code>
                </Table.Td>
                <Table.Td>{workspace.member_count}</Table.Td>
                {manage && (
                  <Table.Td>
                    <Group gap="xs">
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => setEditingMembers(workspace)}
                        aria-label={`Members of ${workspace.name}`}
                      >
                        Members
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => setRenaming(workspace)}
                        aria-label={`Rename ${workspace.name}`}
                      >
                        Rename
                      </Button>
                      {!workspace.is_default && (
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          onClick={() => setDeleting(workspace)}
                          aria-label={`Delete ${workspace.name}`}
                        >
                          Delete
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <MembersModal workspace={editingMembers} onClose={() => setEditingMembers(null)} />
      <RenameModal workspace={renaming} onClose={() => setRenaming(null)} />
      <DeleteModal workspace={deleting} onClose={() => setDeleting(null)} onDeleted={setDeleted} />
      {manage && (
        <DeletedList
          what="workspaces"
          queryKey={[...workspacesQueryKey, "all"]}
          fetchWithDeleted={() => fetchWorkspaces(true)}
          restore={(workspace) => restoreWorkspace(workspace.id).then(refresh)}
        />
      )}
    </Stack>
  );
}

function useRefreshWorkspaces() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: workspacesQueryKey });
}

function CreateWorkspaceForm() {
  const refresh = useRefreshWorkspaces();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const mutation = useMutation({
    mutationFn: createWorkspace,
    onSuccess: async () => {
      setName("");
      setSlug("");
      await refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ name, slug });
  };
  const generalError =
    mutation.error && !(apiFieldErrors(mutation.error).name || apiFieldErrors(mutation.error).slug);

  return (
    <form onSubmit={submit} aria-label="New workspace">
      <Stack gap="xs">
        <Title order={2} size="h3">
          New workspace
        </Title>
        <Group align="flex-start">
          <TextInput
            label="Name"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={apiFieldErrors(mutation.error).name}
          />
          <TextInput
            label="Slug"
            description="Lower-case letters, digits and hyphens; used in X-Violet-Workspace."
            required
            maxLength={50}
            value={slug}
            onChange={(event) => setSlug(event.currentTarget.value)}
            error={apiFieldErrors(mutation.error).slug}
          />
        </Group>
        {generalError && (
          <ErrorAlert title="Could not create the workspace" error={mutation.error} />
        )}
        <Group>
          <Button type="submit" loading={mutation.isPending}>
            Create workspace
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function MembersModal({
  workspace,
  onClose,
}: {
  workspace: Workspace | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={workspace !== null}
      onClose={onClose}
      title={workspace ? `Members of ${workspace.name}` : "Members"}
    >
      {workspace && <MembersEditor key={workspace.id} workspace={workspace} onDone={onClose} />}
    </Modal>
  );
}

function MembersEditor({ workspace, onDone }: { workspace: Workspace; onDone: () => void }) {
  const queryClient = useQueryClient();
  const refresh = useRefreshWorkspaces();
  const members = useQuery({
    queryKey: workspaceMembersQueryKey(workspace.id),
    queryFn: () => fetchMembers(workspace.id),
  });
  const users = useQuery({ queryKey: ["users", "choices"], queryFn: fetchUsers });
  const [chosen, setChosen] = useState<string[] | null>(null);
  const mutation = useMutation({
    mutationFn: (userIds: string[]) => replaceMembers(workspace.id, userIds),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: workspaceMembersQueryKey(workspace.id) });
      await queryClient.invalidateQueries({ queryKey: myWorkspacesQueryKey });
      await refresh();
      onDone();
    },
  });

  if (members.isPending || users.isPending)
    return <Loader size="sm" aria-label="Loading members" />;
  if (members.error) return <ErrorAlert title="Could not load the members" error={members.error} />;
  if (users.error) return <ErrorAlert title="Could not load the users" error={users.error} />;

  const value = chosen ?? members.data.map((member) => member.user_id);
  const label = (user: { display_name: string | null; email: string }) =>
    user.display_name ? `${user.display_name} <${user.email}>` : user.email;
  // A deleted member is no user to choose any more, but keeps their place until removed: shown
  // (marked) among the chosen, so a save keeps them unless they are taken out here.
  const options = [
    ...users.data.map((user) => ({ value: user.id, label: label(user) })),
    ...members.data
      .filter((member) => member.deleted)
      .map((member) => ({ value: member.user_id, label: `${label(member)} (deleted)` })),
  ];

  return (
    <Stack>
      <MultiSelect
        label="Members"
        description="Only members can see and work in this workspace. Someone removed also leaves its missions."
        data={options}
        value={value}
        onChange={setChosen}
        searchable
        comboboxProps={{ withinPortal: false }}
      />
      {mutation.error && <ErrorAlert title="Could not save the members" error={mutation.error} />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button loading={mutation.isPending} onClick={() => mutation.mutate(value)}>
          Save members
        </Button>
      </Group>
    </Stack>
  );
}

function RenameModal({ workspace, onClose }: { workspace: Workspace | null; onClose: () => void }) {
  return (
    <Modal opened={workspace !== null} onClose={onClose} title="Rename workspace">
      {workspace && <RenameForm key={workspace.id} workspace={workspace} onDone={onClose} />}
    </Modal>
  );
}

function RenameForm({ workspace, onDone }: { workspace: Workspace; onDone: () => void }) {
  const refresh = useRefreshWorkspaces();
  const [name, setName] = useState(workspace.name);
  const mutation = useMutation({
    mutationFn: () => renameWorkspace(workspace.id, { name }),
    onSuccess: async () => {
      await refresh();
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label="Name"
          required
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={apiFieldErrors(mutation.error).name}
          data-autofocus
        />
        {mutation.error && !apiFieldErrors(mutation.error).name && (
          <ErrorAlert title="Could not rename the workspace" error={mutation.error} />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteModal({
  workspace,
  onClose,
  onDeleted,
}: {
  workspace: Workspace | null;
  onClose: () => void;
  onDeleted: (workspace: Workspace) => void;
}) {
  const refresh = useRefreshWorkspaces();
  const mutation = useMutation({
    mutationFn: ({ workspace, confirm }: { workspace: Workspace; confirm: boolean }) =>
      deleteWorkspace(workspace.id, confirm),
    onSuccess: async (_, { workspace }) => {
      onDeleted(workspace);
      await refresh();
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  // 409: it still holds data; the API says how much, and a second, explicit click deletes it.
  const holdsData = mutation.error instanceof ApiError && mutation.error.status === 409;

  return (
    <Modal opened={workspace !== null} onClose={close} title="Delete workspace">
      {workspace && (
        <Stack>
          <Text size="sm">
            Delete <strong>{workspace.name}</strong>? Its members lose access to its library,
            missions and coverage. It can be restored later, with its data, from the deleted
            workspaces below.
          </Text>
          {mutation.error && (
            <ErrorAlert
              title={holdsData ? "This workspace holds data" : "Could not delete the workspace"}
              error={mutation.error}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={mutation.isPending}
              onClick={() => mutation.mutate({ workspace, confirm: holdsData })}
            >
              {holdsData ? "Delete it and its data" : "Delete workspace"}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
