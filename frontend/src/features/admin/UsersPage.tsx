import {
  Badge,
  Button,
  Checkbox,
  Group as Row,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isConflict } from "../../api/problem";
import type { Group } from "../../api/types";
import { DeletedList } from "../../app/DeletedList";
import { PageControls } from "../../app/PageControls";
import { ErrorAlert } from "../../app/ErrorAlert";
import { SaveError } from "../../app/SaveError";
import { UndoAlert } from "../../app/UndoAlert";
import { useTableParams } from "../../app/useTableParams";
import { apiFieldErrors, required } from "../../app/forms";
import { useAuth } from "../auth/AuthProvider";
import { WorkspacesPicker, useChoosableWorkspaces } from "../workspaces/WorkspacesPicker";
import {
  createUser,
  deleteUser,
  fetchGroups,
  fetchUserPage,
  fetchUsers,
  groupsQueryKey,
  resetMfa,
  restoreUser,
  updateUser,
  usersQueryKey,
} from "./api";
import type { User } from "./api";

/** No one grants what they do not hold: a group is offered only when the caller holds all of
 * its permissions (the API refuses the others anyway). */
function useGrantable(): (group: Group) => boolean {
  const { me } = useAuth();
  const held = new Set(me?.permissions ?? []);
  return (group) => group.permissions.every((code) => held.has(code));
}

/** A user as people name them: their display name, else their email. */
function nameOf(user: User): string {
  return user.display_name || user.email;
}

// The search and the page live in the URL.
const USER_TABLE = { filters: { q: "" } };

/** Admin → Users: create, deactivate or reactivate, reset two-factor, change groups, delete. */
export default function UsersPage() {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  // The user just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<User | null>(null);
  const table = useTableParams(USER_TABLE);
  const [q] = useDebouncedValue(table.filters.q.trim(), 250);
  const users = useQuery({
    queryKey: [...usersQueryKey, "page", q, table.page],
    queryFn: () =>
      fetchUserPage({
        q: q || undefined,
        limit: table.pageSize,
        offset: (table.page - 1) * table.pageSize,
      }),
    placeholderData: keepPreviousData,
  });
  const [editing, setEditing] = useState<User | null>(null);
  const manage = can("user.manage");

  return (
    <Stack maw={1100}>
      <Title order={1}>Users</Title>
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the user ${nameOf(deleted)}.`}
          undo={() =>
            restoreUser(deleted.id).then(() =>
              queryClient.invalidateQueries({ queryKey: usersQueryKey }),
            )
          }
          onDone={() => setDeleted(null)}
          // Its Delete went with its row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      {manage && <CreateUserForm />}
      <TextInput
        label="Search users"
        value={table.filters.q}
        onChange={(event) => table.setFilter("q", event.currentTarget.value)}
        maw={320}
      />
      {users.isPending ? (
        <Loader aria-label="Loading the users" />
      ) : users.error ? (
        <ErrorAlert title="Could not load the users" error={users.error} />
      ) : (
        <Table aria-label="Users" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th>Groups</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Two-factor</Table.Th>
              {manage && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.items.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                manage={manage}
                onEdit={() => setEditing(user)}
                onDeleted={() => setDeleted(user)}
              />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <PageControls
        total={users.data?.total ?? 0}
        page={table.page}
        pageSize={table.pageSize}
        noun="users"
        onChange={table.setPage}
      />
      <GroupsModal user={editing} onClose={() => setEditing(null)} />
      {manage && (
        <DeletedList
          what="users"
          queryKey={usersQueryKey}
          fetchWithDeleted={() =>
            fetchUsers("", true).then((users) =>
              users.map((user) => ({ ...user, name: `${nameOf(user)} <${user.email}>` })),
            )
          }
          restore={(user) => restoreUser(user.id)}
        />
      )}
    </Stack>
  );
}

function UserRow({
  user,
  manage,
  onEdit,
  onDeleted,
}: {
  user: User;
  manage: boolean;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersQueryKey });
  const activate = useMutation({
    mutationFn: (isActive: boolean) => updateUser(user.id, { is_active: isActive }),
    onSuccess: refresh,
  });
  const mfa = useMutation({ mutationFn: () => resetMfa(user.id), onSuccess: refresh });
  const remove = useMutation({
    mutationFn: () => deleteUser(user.id),
    onSuccess: () => {
      onDeleted();
      return refresh();
    },
  });
  const who = nameOf(user);
  const error = activate.error ?? mfa.error ?? remove.error;

  return (
    <Table.Tr data-testid="user-row">
      <Table.Td>
        <Text size="sm" fw={600}>
          {user.display_name}
        </Text>
        <Text size="xs">{user.email}</Text>
        {error && <ErrorAlert title="Not changed" error={error} />}
      </Table.Td>
      <Table.Td>{user.groups.map((group) => group.name).join(", ") || "—"}</Table.Td>
      <Table.Td>
        <Badge color={user.is_active ? "green.9" : "gray.7"}>
          {user.is_active ? "active" : "deactivated"}
        </Badge>
      </Table.Td>
      <Table.Td>{user.mfa_enabled ? "on" : "off"}</Table.Td>
      {manage && (
        <Table.Td>
          <Row gap="xs" wrap="nowrap">
            <Button
              size="compact-xs"
              variant="light"
              onClick={onEdit}
              aria-label={`Groups of ${who}`}
            >
              Groups
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              loading={activate.isPending}
              onClick={() => activate.mutate(!user.is_active)}
              aria-label={`${user.is_active ? "Deactivate" : "Reactivate"} ${who}`}
            >
              {user.is_active ? "Deactivate" : "Reactivate"}
            </Button>
            {/* One's own two-factor goes off in Account, with the password and a code. */}
            {user.mfa_enabled && user.id !== me?.id && (
              <Button
                size="compact-xs"
                variant="default"
                loading={mfa.isPending}
                onClick={() => mfa.mutate()}
                aria-label={`Reset two-factor of ${who}`}
              >
                Reset two-factor
              </Button>
            )}
            {user.id !== me?.id && (
              <Button
                size="compact-xs"
                variant="light"
                color="red"
                loading={remove.isPending}
                onClick={() => {
                  if (
                    window.confirm(
                      `Delete the user ${who}? They are signed out everywhere and can no longer ` +
                        "sign in; their missions, notes and evidence stay.",
                    )
                  ) {
                    remove.mutate();
                  }
                }}
                aria-label={`Delete ${who}`}
              >
                Delete
              </Button>
            )}
          </Row>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function GroupChecklist({
  value,
  onChange,
  label,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
}) {
  const groups = useQuery({ queryKey: groupsQueryKey, queryFn: () => fetchGroups() });
  const grantable = useGrantable();
  const offered = (groups.data ?? []).filter(
    (group) => grantable(group) || value.includes(group.id),
  );
  return (
    <Checkbox.Group label={label} value={value} onChange={onChange}>
      <Row gap="md" mt={4}>
        {offered.map((group) => (
          <Checkbox
            key={group.id}
            value={group.id}
            label={group.name}
            // A group one does not hold stays as it is: it can be neither given nor taken away.
            disabled={!grantable(group)}
          />
        ))}
      </Row>
    </Checkbox.Group>
  );
}

function CreateUserForm() {
  const queryClient = useQueryClient();
  const { workspaces: choosable } = useChoosableWorkspaces();
  const form = useForm({
    initialValues: {
      email: "",
      display_name: "",
      password: "",
      group_ids: [] as string[],
      workspace_ids: [] as string[],
    },
    validate: {
      email: required("Enter the email address."),
      password: required("Enter a password."),
    },
  });
  const mutation = useMutation({
    mutationFn: (values: typeof form.values) =>
      createUser({
        ...values,
        email: values.email.trim(),
        display_name: values.display_name.trim() || null,
        // None chosen: the default workspace (an empty list would mean no workspace at all).
        workspace_ids: values.workspace_ids.length ? values.workspace_ids : undefined,
      }),
    onSuccess: () => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: usersQueryKey });
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });
  return (
    <Paper withBorder p="md">
      <form
        aria-label="Create a user"
        onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            Create a user
          </Title>
          <Text size="sm">People are usually invited; create a user directly for a service.</Text>
          <Row grow align="start">
            <TextInput label="Email" {...form.getInputProps("email")} />
            <TextInput label="Display name" {...form.getInputProps("display_name")} />
            <PasswordInput label="Password" {...form.getInputProps("password")} />
          </Row>
          <GroupChecklist
            label="Groups"
            value={form.values.group_ids}
            onChange={(ids) => form.setFieldValue("group_ids", ids)}
          />
          {choosable && (
            <WorkspacesPicker
              workspaces={choosable}
              description="Where the user works. None chosen: the default workspace."
              {...form.getInputProps("workspace_ids")}
            />
          )}
          {mutation.error && !Object.keys(apiFieldErrors(mutation.error)).length && (
            <ErrorAlert title="User not created" error={mutation.error} />
          )}
          <Row>
            <Button type="submit" loading={mutation.isPending}>
              Create user
            </Button>
          </Row>
        </Stack>
      </form>
    </Paper>
  );
}

function GroupsModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  return (
    <Modal
      opened={user !== null}
      onClose={onClose}
      title={`Groups of ${user?.display_name || user?.email || ""}`}
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {user && <GroupsEditor key={user.id} user={user} onDone={onClose} />}
    </Modal>
  );
}

function GroupsEditor({ user, onDone }: { user: User; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [groupIds, setGroupIds] = useState(user.groups.map((group) => group.id));
  const save = useMutation({
    // The list replaces the user's groups: saved only over the version the dialog opened on,
    // so a stale dialog never silently undoes another administrator's change.
    mutationFn: () => updateUser(user.id, { group_ids: groupIds }, user.version),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: usersQueryKey });
      onDone();
    },
    onError: (error) => {
      if (isConflict(error)) queryClient.invalidateQueries({ queryKey: usersQueryKey });
    },
  });
  return (
    <Stack>
      <GroupChecklist label="Groups" value={groupIds} onChange={setGroupIds} />
      <SaveError error={save.error} title="Groups not saved" what="user" />
      <Row justify="flex-end">
        <Button loading={save.isPending} onClick={() => save.mutate()}>
          Save groups
        </Button>
      </Row>
    </Stack>
  );
}
