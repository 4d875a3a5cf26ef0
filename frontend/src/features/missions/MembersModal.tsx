import { ActionIcon, Badge, Button, Group, Modal, Select, Stack, Table, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ErrorAlert } from "../../app/ErrorAlert";
import {
  ROLES,
  ROLE_LABELS,
  fetchCandidates,
  fetchMembers,
  labelled,
  missionsKey,
  replaceMembers,
} from "./api";
import type { Candidate, Member, Role } from "./api";

/**
 * The lead's member editor: roles per member, add people by name or email, save all at once.
 * Closed without saving (Escape, ×, outside), the draft goes: reopened, it shows the saved members.
 */
export function MembersModal({
  missionId,
  opened,
  onClose,
  onSaved,
  canManage,
}: {
  missionId: string;
  opened: boolean;
  onClose: () => void;
  /** After a save, with how many members the mission has now. */
  onSaved?: (count: number) => void;
  canManage: boolean;
}) {
  const queryClient = useQueryClient();
  const membersQuery = useQuery({
    queryKey: [...missionsKey, missionId, "members"],
    queryFn: () => fetchMembers(missionId),
    enabled: opened,
  });
  const [members, setMembers] = useState<Member[]>([]);
  useEffect(() => {
    if (membersQuery.data) setMembers(membersQuery.data);
  }, [membersQuery.data]);

  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const [pick, setPick] = useState<string | null>(null);
  // Kept when picked: choosing an option changes the search text, and so the candidate list.
  const [picked, setPicked] = useState<Candidate | null>(null);
  const [role, setRole] = useState<Role>("red");
  const candidates = useQuery({
    queryKey: [...missionsKey, missionId, "candidates", q],
    queryFn: () => fetchCandidates(missionId, q),
    enabled: opened && canManage,
    // While the next search loads, the list stays as it was (not empty).
    placeholderData: keepPreviousData,
  });
  // The person picked stays among the options whatever the search now finds: picking one
  // changes the search text, and a list that lost them cleared the pick (Add went disabled
  // when it was clicked after the next search had come back).
  const offered =
    picked && !(candidates.data ?? []).some((user) => user.id === picked.id)
      ? [...(candidates.data ?? []), picked]
      : (candidates.data ?? []);
  const save = useMutation({
    mutationFn: () =>
      replaceMembers(
        missionId,
        members.map((member) => ({ user_id: member.user_id, role: member.role as Role })),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData([...missionsKey, missionId, "members"], saved);
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onSaved?.(saved.length);
      closeWith(saved);
    },
  });

  // However it closes, what was not saved is dropped: reopened, it shows `kept` (the saved
  // members) and an empty picker.
  const closeWith = (kept: Member[]) => {
    setMembers(kept);
    setPick(null);
    setPicked(null);
    setSearch("");
    onClose();
  };
  const close = () => {
    save.reset();
    closeWith(membersQuery.data ?? []);
  };

  // Add (disabled once its person is added) and a row's Remove (gone with its row) take the
  // focused button away: the focus goes to Save members, or to the Remove of the row now in
  // that place (else the one before), never to the page behind the dialog. (Not to the picker:
  // focused, it opens its list, and Escape would then close the list, not the dialog.)
  const saveButton = useRef<HTMLButtonElement>(null);
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  const [focusNext, setFocusNext] = useState<string | null>(null); // a user id, or "save"
  useEffect(() => {
    if (focusNext === null) return;
    setFocusNext(null);
    (focusNext === "save" ? saveButton.current : removeButtons.current.get(focusNext))?.focus();
  }, [focusNext]);

  const add = () => {
    const candidate = picked;
    if (!candidate || members.some((member) => member.user_id === candidate.id)) return;
    setMembers([
      ...members,
      {
        user_id: candidate.id,
        email: candidate.email,
        display_name: candidate.display_name,
        role,
        is_active: true, // candidates are active users
        deleted: false,
      },
    ]);
    setPick(null);
    setPicked(null);
    setSearch("");
    setFocusNext("save");
  };
  const remove = (userId: string) => {
    const index = members.findIndex((member) => member.user_id === userId);
    const rest = members.filter((member) => member.user_id !== userId);
    setMembers(rest);
    setFocusNext((rest[index] ?? rest[index - 1])?.user_id ?? "save");
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Members"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <Stack>
        <Table data-testid="members-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Member</Table.Th>
              <Table.Th>Role</Table.Th>
              {canManage && <Table.Th>Remove</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.map((member) => (
              <Table.Tr key={member.user_id}>
                <Table.Td>
                  <Text size="sm">
                    {member.display_name || member.email}{" "}
                    {member.deleted ? (
                      <Badge color="gray.7" size="sm">
                        deleted
                      </Badge>
                    ) : (
                      !member.is_active && (
                        <Badge color="gray.7" size="sm">
                          deactivated
                        </Badge>
                      )
                    )}
                  </Text>
                  <Text size="xs">{member.email}</Text>
                </Table.Td>
                <Table.Td>
                  {canManage ? (
                    <Select
                      aria-label={`Role of ${member.email}`}
                      data={labelled(ROLES, ROLE_LABELS)}
                      value={member.role}
                      allowDeselect={false}
                      // A deactivated or deleted member keeps their role or is removed (the
                      // API refuses any other change).
                      disabled={!member.is_active || member.deleted}
                      onChange={(value) =>
                        setMembers(
                          members.map((other) =>
                            other.user_id === member.user_id
                              ? { ...other, role: value as Role }
                              : other,
                          ),
                        )
                      }
                    />
                  ) : (
                    ROLE_LABELS[member.role as Role]
                  )}
                </Table.Td>
                {canManage && (
                  <Table.Td>
                    <ActionIcon
                      ref={(button) => {
                        if (button) removeButtons.current.set(member.user_id, button);
                        else removeButtons.current.delete(member.user_id);
                      }}
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${member.email}`}
                      onClick={() => remove(member.user_id)}
                    >
                      ×
                    </ActionIcon>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {canManage && (
          <>
            <Group align="flex-end">
              <Select
                label="Add a person"
                placeholder="Type a name or email"
                searchable
                searchValue={search}
                onSearchChange={setSearch}
                filter={({ options }) => options}
                // Who is on the list already is not offered: Add would do nothing.
                data={offered
                  .filter((user) => !members.some((member) => member.user_id === user.id))
                  .map((user) => ({
                    value: user.id,
                    label: user.display_name ? `${user.display_name} <${user.email}>` : user.email,
                  }))}
                value={pick}
                onChange={(value) => {
                  setPick(value);
                  setPicked(offered.find((user) => user.id === value) ?? null);
                }}
                style={{ flex: 1 }}
              />
              <Select
                label="Role"
                data={labelled(ROLES, ROLE_LABELS)}
                value={role}
                allowDeselect={false}
                onChange={(value) => setRole(value as Role)}
                w={120}
              />
              <Button variant="light" onClick={add} disabled={!pick}>
                Add
              </Button>
            </Group>
            {save.error && <ErrorAlert title="Members not saved" error={save.error} />}
            <Group justify="flex-end">
              <Button ref={saveButton} loading={save.isPending} onClick={() => save.mutate()}>
                Save members
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
