import {
  Alert,
  Button,
  Checkbox,
  Group as Row,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { isConflict } from "../../api/problem";
import type { Group, PermissionCode } from "../../api/types";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useAuth } from "../auth/AuthProvider";
import {
  createGroup,
  deleteGroup,
  fetchGroups,
  fetchPermissions,
  groupsQueryKey,
  permissionsQueryKey,
  restoreGroup,
  updateGroup,
} from "./api";
import type { Permission } from "./api";

/** Admin → Groups: each group's permissions as a checklist. Only the permissions the caller
 * holds can be ticked or unticked (no one grants what they do not hold); the API checks too. */
export default function GroupsPage() {
  const { can } = useAuth();
  const groups = useQuery({ queryKey: groupsQueryKey, queryFn: () => fetchGroups() });
  const permissions = useQuery({ queryKey: permissionsQueryKey, queryFn: fetchPermissions });
  const manage = can("group.manage");
  const queryClient = useQueryClient();
  // The group just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<Group | null>(null);

  return (
    <Stack maw={1100}>
      <Title order={1}>Groups</Title>
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the group ${deleted.name}.`}
          undo={() =>
            restoreGroup(deleted.id).then(() =>
              queryClient.invalidateQueries({ queryKey: groupsQueryKey }),
            )
          }
          onDone={() => setDeleted(null)}
          // Its Delete went with its row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      {manage && permissions.data && <NewGroupForm permissions={permissions.data} />}
      {groups.isPending || permissions.isPending ? (
        <Loader aria-label="Loading the groups" />
      ) : groups.error || permissions.error ? (
        <ErrorAlert title="Could not load the groups" error={groups.error ?? permissions.error} />
      ) : (
        groups.data.map((group) => (
          <GroupEditor
            // By id: a saved group stays mounted (its Save keeps the focus) and takes the
            // saved permissions from its effect.
            key={group.id}
            group={group}
            permissions={permissions.data}
            manage={manage}
            onDeleted={() => setDeleted(group)}
          />
        ))
      )}
      {manage && (
        <DeletedList
          what="groups"
          queryKey={groupsQueryKey}
          fetchWithDeleted={() => fetchGroups(true)}
          restore={(group) => restoreGroup(group.id)}
        />
      )}
    </Stack>
  );
}

function PermissionChecklist({
  label,
  permissions,
  value,
  onChange,
  readOnly,
}: {
  label: string;
  permissions: Permission[];
  value: string[];
  onChange: (codes: string[]) => void;
  readOnly: boolean;
}) {
  const { me } = useAuth();
  const held = new Set(me?.permissions ?? []);
  return (
    <Checkbox.Group label={label} value={value} onChange={onChange}>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} mt={4} spacing={6}>
        {permissions.map((permission) => (
          <Checkbox
            key={permission.code}
            value={permission.code}
            label={permission.code}
            description={permission.description}
            disabled={readOnly || !held.has(permission.code)}
          />
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  );
}

function GroupEditor({
  group,
  permissions,
  manage,
  onDeleted,
}: {
  group: Group;
  permissions: Permission[];
  manage: boolean;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[]>(group.permissions);
  // The group as saved (here or by someone else) replaces the ticks.
  useEffect(() => setCodes(group.permissions), [group]);
  const save = useMutation({
    // The list replaces the group's permissions: saved only over the version it was ticked
    // on, so a stale page never silently takes back what another administrator granted.
    mutationFn: () =>
      updateGroup(group.id, { permissions: codes as PermissionCode[] }, group.version),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: groupsQueryKey }),
    onError: (error) => {
      if (isConflict(error)) queryClient.invalidateQueries({ queryKey: groupsQueryKey });
    },
  });
  // Save is disabled while it loads, which takes the keyboard focus off it: give it back.
  const saveButton = useRef<HTMLButtonElement>(null);
  const [refocusSave, setRefocusSave] = useState(false);
  useEffect(() => {
    if (!refocusSave || save.isPending) return;
    setRefocusSave(false);
    if (document.activeElement === document.body) saveButton.current?.focus();
  }, [refocusSave, save.isPending]);
  const remove = useMutation({
    mutationFn: () => deleteGroup(group.id),
    onSuccess: () => {
      onDeleted();
      return queryClient.invalidateQueries({ queryKey: groupsQueryKey });
    },
  });
  return (
    <Paper withBorder p="md" component="section" aria-label={`Group ${group.name}`}>
      <Stack gap="sm">
        <Row justify="space-between">
          <Title order={2} size="h4">
            {group.name}
          </Title>
          <Text size="sm">{group.member_count} members</Text>
        </Row>
        {manage && <RenameGroup group={group} />}
        {group.description && <Text size="sm">{group.description}</Text>}
        <PermissionChecklist
          label={`Permissions of ${group.name}`}
          permissions={permissions}
          value={codes}
          onChange={setCodes}
          readOnly={!manage}
        />
        {save.error &&
          (isConflict(save.error) ? (
            <Alert color="orange" title="Changed by someone else" role="alert">
              Someone else changed this group since the page loaded, so your ticks were not saved.
              The permissions shown are now the group&apos;s: tick yours again and save.
            </Alert>
          ) : (
            <ErrorAlert title="Permissions not saved" error={save.error} />
          ))}
        {remove.error && <ErrorAlert title="Group not deleted" error={remove.error} />}
        {manage && (
          <Row>
            <Button
              ref={saveButton}
              size="xs"
              loading={save.isPending}
              onClick={() => {
                setRefocusSave(true);
                save.mutate();
              }}
            >
              Save {group.name}
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              loading={remove.isPending}
              onClick={() => {
                if (
                  window.confirm(
                    `Delete the group ${group.name}? Its members lose its permissions.`,
                  )
                ) {
                  remove.mutate();
                }
              }}
            >
              Delete {group.name}
            </Button>
          </Row>
        )}
      </Stack>
    </Paper>
  );
}

/** "Rename <group>" opens a one-field form; the saved name shows everywhere at once. */
function RenameGroup({ group }: { group: Group }) {
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(group.name);
  const rename = useMutation({
    mutationFn: () => updateGroup(group.id, { name: name.trim() }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: groupsQueryKey }),
  });
  if (!renaming) {
    return (
      <Row>
        <Button size="xs" variant="default" onClick={() => setRenaming(true)}>
          Rename {group.name}
        </Button>
      </Row>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim()) rename.mutate();
      }}
    >
      <Stack gap="xs">
        <Row align="flex-end">
          <TextInput
            label={`New name of ${group.name}`}
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            data-autofocus
          />
          <Button type="submit" size="xs" disabled={!name.trim()} loading={rename.isPending}>
            Save name
          </Button>
          <Button size="xs" variant="default" onClick={() => setRenaming(false)}>
            Cancel
          </Button>
        </Row>
        {rename.error && <ErrorAlert title="Not renamed" error={rename.error} />}
      </Stack>
    </form>
  );
}

function NewGroupForm({ permissions }: { permissions: Permission[] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [codes, setCodes] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      createGroup({ name: name.trim(), description: "", permissions: codes as PermissionCode[] }),
    onSuccess: () => {
      setName("");
      setCodes([]);
      queryClient.invalidateQueries({ queryKey: groupsQueryKey });
    },
  });
  return (
    <Paper withBorder p="md">
      <form
        aria-label="New group"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            New group
          </Title>
          <TextInput
            label="Group name"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            maw={320}
          />
          <PermissionChecklist
            label="Permissions of the new group"
            permissions={permissions}
            value={codes}
            onChange={setCodes}
            readOnly={false}
          />
          {create.error && <ErrorAlert title="Group not created" error={create.error} />}
          <Row>
            <Button type="submit" disabled={!name.trim()} loading={create.isPending}>
              Create group
            </Button>
          </Row>
        </Stack>
      </form>
    </Paper>
  );
}
