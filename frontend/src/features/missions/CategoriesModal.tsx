import { Button, Group, Loader, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import {
  type Category,
  categoriesKey,
  createCategory,
  deleteCategory,
  fetchCategories,
  missionKey,
  renameCategory,
  restoreCategory,
} from "./api";

/** The mission's categories (the lead's): add, rename, delete. */
export function CategoriesModal({
  missionId,
  opened,
  onClose,
}: {
  missionId: string;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const categories = useQuery({
    queryKey: categoriesKey(missionId),
    queryFn: () => fetchCategories(missionId),
    enabled: opened,
  });
  // Tests show their category's name: refresh them with the list.
  const refresh = () => queryClient.invalidateQueries({ queryKey: missionKey(missionId) });
  const [name, setName] = useState("");
  // The category just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<Category | null>(null);
  // Add category is disabled while it saves and then by the emptied box: the focus, which would
  // drop to the page behind the dialog, goes back to the box for the next name.
  const nameBox = useRef<HTMLInputElement>(null);
  const create = useMutation({
    mutationFn: () => createCategory(missionId, name.trim()),
    onSuccess: () => {
      setName("");
      nameBox.current?.focus();
      return refresh();
    },
  });

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Categories"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <Stack>
        <Text size="sm">
          Categories group the mission&apos;s tests (a phase, a day, a team): pick one when adding
          tests or in a test&apos;s drawer, and filter the tests table by it.
        </Text>
        {deleted && (
          <UndoAlert
            key={deleted.id}
            message={`Deleted the category ${deleted.name}.`}
            // Its Delete button went with its row.
            focusUndo
            undo={() => restoreCategory(missionId, deleted.id).then(refresh)}
            onDone={() => setDeleted(null)}
          />
        )}
        {categories.isPending ? (
          <Loader size="sm" aria-label="Loading the categories" />
        ) : categories.error ? (
          <ErrorAlert title="Categories unavailable" error={categories.error} />
        ) : categories.data.length === 0 ? (
          <Text size="sm">No category yet.</Text>
        ) : (
          <Stack gap="xs" data-testid="categories">
            {categories.data.map((category) => (
              <CategoryRow
                key={category.id}
                missionId={missionId}
                category={category}
                onChanged={refresh}
                onDeleted={() => setDeleted(category)}
              />
            ))}
          </Stack>
        )}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput
              ref={nameBox}
              label="New category"
              placeholder="e.g. Day 1: initial access"
              maxLength={200}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button type="submit" disabled={!name.trim()} loading={create.isPending}>
              Add category
            </Button>
          </Group>
        </form>
        {create.error ? <ErrorAlert title="Not added" error={create.error} /> : null}
        <DeletedList
          what="categories"
          queryKey={missionKey(missionId)}
          fetchWithDeleted={() => fetchCategories(missionId, true)}
          restore={(category) => restoreCategory(missionId, category.id)}
        />
      </Stack>
    </Modal>
  );
}

function CategoryRow({
  missionId,
  category,
  onChanged,
  onDeleted,
}: {
  missionId: string;
  category: Category;
  onChanged: () => Promise<unknown>;
  onDeleted: () => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(category.name);
  // Rename swaps the row for a form and Save or Cancel swaps it back: each time the focused
  // button goes, so the focus is moved on (`data-autofocus` works only as the dialog opens):
  // into the name box, then back to the row's Rename button.
  const renameBox = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const [swapped, setSwapped] = useState(false);
  useEffect(() => {
    if (!swapped) return;
    (renaming ? renameBox : renameButton).current?.focus();
  }, [renaming, swapped]);
  const swap = (to: boolean) => {
    setSwapped(true);
    setRenaming(to);
  };
  const rename = useMutation({
    mutationFn: () => renameCategory(missionId, category.id, name.trim()),
    onSuccess: () => {
      swap(false);
      return onChanged();
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteCategory(missionId, category.id),
    onSuccess: () => {
      onDeleted();
      return onChanged();
    },
  });
  const error = rename.error ?? remove.error;
  return (
    <Stack gap={4}>
      {renaming ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim()) rename.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput
              ref={renameBox}
              label={`Rename ${category.name}`}
              maxLength={200}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button type="submit" disabled={!name.trim()} loading={rename.isPending}>
              Save
            </Button>
            <Button variant="default" onClick={() => swap(false)}>
              Cancel
            </Button>
          </Group>
        </form>
      ) : (
        <Group justify="space-between">
          <Text>{category.name}</Text>
          <Group gap="xs">
            <Button
              ref={renameButton}
              size="xs"
              variant="default"
              aria-label={`Rename ${category.name}`}
              onClick={() => swap(true)}
            >
              Rename
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              aria-label={`Delete ${category.name}`}
              loading={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the category ${category.name}?`)) remove.mutate();
              }}
            >
              Delete
            </Button>
          </Group>
        </Group>
      )}
      {error ? <ErrorAlert title="Not saved" error={error} /> : null}
    </Stack>
  );
}
