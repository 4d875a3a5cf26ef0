import {
  ActionIcon,
  Button,
  ColorInput,
  Group,
  Loader,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { UndoAlert } from "../../app/UndoAlert";
import { fetchLevels, levelsKey, restoreLevel } from "../missions/api";
import { moveItem } from "../scenarios/order";
import type { DetectionLevel } from "../missions/api";

interface LevelDraft {
  name: string;
  score: number | "";
  color: string;
}

function saveLevel(id: string, body: Partial<DetectionLevel>) {
  return unwrap(
    api.PATCH("/api/v1/detection-levels/{level_id}", { params: { path: { level_id: id } }, body }),
  );
}

/**
 * Detection levels: name, score (empty = not scored), colour and order. A level in use cannot be
 * deleted (the API answers 409 with the reason), but it can be renamed, recoloured and moved.
 */
export default function DetectionLevelsPage() {
  const queryClient = useQueryClient();
  const levels = useQuery({ queryKey: levelsKey, queryFn: () => fetchLevels() });
  const refresh = () => queryClient.invalidateQueries({ queryKey: levelsKey });
  // The level just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<DetectionLevel | null>(null);
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Partial<DetectionLevel> }) =>
      saveLevel(id, body),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (level: DetectionLevel) =>
      unwrap(
        api.DELETE("/api/v1/detection-levels/{level_id}", {
          params: { path: { level_id: level.id } },
        }),
      ),
    onSuccess: (_, level) => {
      setDeleted(level);
      return refresh();
    },
  });
  const create = useMutation({
    mutationFn: (draft: LevelDraft) =>
      unwrap(
        api.POST("/api/v1/detection-levels", {
          body: { ...draft, score: draft.score === "" ? null : draft.score },
        }),
      ),
    onSuccess: refresh,
  });

  // Move one step, then number the whole order 0..n-1: positions may repeat (a restored level
  // keeps its old one, the API takes any), and swapping two equal positions would move nothing.
  // The list is read again once, after every position is saved.
  const move = useMutation({
    mutationFn: async ({ index, delta }: { index: number; delta: number }) => {
      const order = moveItem(levels.data ?? [], index, index + delta);
      for (const [position, level] of order.entries()) {
        if (level.position !== position) await saveLevel(level.id, { position });
      }
    },
    onSettled: refresh,
  });

  if (levels.isPending) return <Loader aria-label="Loading detection levels" />;
  if (levels.error) return <ErrorAlert title="Levels unavailable" error={levels.error} />;
  // A refused new level shows its problem on the form's fields (a taken name under Name); the
  // page's alert is for the rest.
  const createFieldErrors = apiFieldErrors(create.error);
  const error =
    update.error ??
    move.error ??
    remove.error ??
    (Object.keys(createFieldErrors).length ? null : create.error);

  return (
    <Stack>
      <Title order={1}>Detection levels</Title>
      <Text size="sm">
        Blue records one level per test and per tool. The score (0–100) feeds coverage; a level with
        no score (e.g. Not applicable) is left out of it.
      </Text>
      {error && <ErrorAlert title="Not saved" error={error} />}
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the level ${deleted.name}.`}
          undo={() => restoreLevel(deleted.id).then(refresh)}
          onDone={() => setDeleted(null)}
          // Its row's Delete went with the row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      <Table data-testid="levels-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Score</Table.Th>
            <Table.Th>Colour</Table.Th>
            <Table.Th>Order</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {levels.data.map((level, index) => (
            <LevelRow
              // By id: a saved row stays mounted (its Save keeps the focus) and takes the
              // saved values from its effect.
              key={level.id}
              level={level}
              first={index === 0}
              last={index === levels.data.length - 1}
              onSave={(body) => update.mutate({ id: level.id, body })}
              onMove={(delta) => move.mutate({ index, delta })}
              onDelete={() => remove.mutate(level)}
            />
          ))}
        </Table.Tbody>
      </Table>
      <Title order={2} size="h3">
        Add a level
      </Title>
      <LevelForm
        submitLabel="Add level"
        onSubmit={(draft) => create.mutateAsync(draft)}
        fieldErrors={createFieldErrors}
      />
      <DeletedList
        what="levels"
        queryKey={levelsKey}
        fetchWithDeleted={() => fetchLevels(true)}
        restore={(level) => restoreLevel(level.id)}
      />
    </Stack>
  );
}

function LevelRow({
  level,
  first,
  last,
  onSave,
  onMove,
  onDelete,
}: {
  level: DetectionLevel;
  first: boolean;
  last: boolean;
  onSave: (body: Partial<DetectionLevel>) => void;
  onMove: (delta: number) => void;
  onDelete: () => void;
}) {
  const [draft, setDraft] = useState<LevelDraft>({
    name: level.name,
    score: level.score ?? "",
    color: level.color,
  });
  useEffect(
    () => setDraft({ name: level.name, score: level.score ?? "", color: level.color }),
    [level],
  );
  return (
    <Table.Tr data-testid="level-row">
      <Table.Td>
        <TextInput
          aria-label={`Name of ${level.name}`}
          value={draft.name}
          maxLength={100}
          onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={`Score of ${level.name}`}
          min={0}
          max={100}
          value={draft.score}
          onChange={(value) => setDraft({ ...draft, score: value === "" ? "" : Number(value) })}
          w={100}
        />
      </Table.Td>
      <Table.Td>
        <ColorInput
          aria-label={`Colour of ${level.name}`}
          format="hex"
          withEyeDropper={false}
          value={draft.color}
          onChange={(color) => setDraft({ ...draft, color })}
          w={140}
        />
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <ActionIcon
            variant="default"
            aria-label={`Move ${level.name} up`}
            disabled={first}
            onClick={() => onMove(-1)}
          >
            ↑
          </ActionIcon>
          <ActionIcon
            variant="default"
            aria-label={`Move ${level.name} down`}
            disabled={last}
            onClick={() => onMove(1)}
          >
            ↓
          </ActionIcon>
        </Group>
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Button
            size="xs"
            aria-label={`Save ${level.name}`}
            onClick={() =>
              onSave({
                name: draft.name,
                score: draft.score === "" ? null : draft.score,
                color: draft.color,
              })
            }
          >
            Save
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            aria-label={`Delete ${level.name}`}
            onClick={onDelete}
          >
            Delete
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function LevelForm({
  submitLabel,
  onSubmit,
  fieldErrors,
}: {
  submitLabel: string;
  onSubmit: (draft: LevelDraft) => Promise<unknown>;
  fieldErrors: Record<string, string>;
}) {
  const [draft, setDraft] = useState<LevelDraft>({ name: "", score: "", color: "#495057" });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        // Emptied once added only: a refused level (a taken name) stays to be corrected.
        onSubmit(draft).then(
          () => setDraft({ name: "", score: "", color: "#495057" }),
          () => undefined,
        );
      }}
    >
      <Group align="flex-end">
        <TextInput
          label="Name"
          required
          maxLength={100}
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
          error={fieldErrors["name"]}
        />
        <NumberInput
          label="Score (empty: not scored)"
          min={0}
          max={100}
          value={draft.score}
          onChange={(value) => setDraft({ ...draft, score: value === "" ? "" : Number(value) })}
          error={fieldErrors["score"]}
        />
        <ColorInput
          label="Colour"
          format="hex"
          withEyeDropper={false}
          value={draft.color}
          onChange={(color) => setDraft({ ...draft, color })}
          error={fieldErrors["color"]}
        />
        <Button type="submit">{submitLabel}</Button>
      </Group>
    </form>
  );
}
