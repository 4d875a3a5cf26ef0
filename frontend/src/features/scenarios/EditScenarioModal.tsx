import { Button, Group, Stack, TextInput, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isConflict } from "../../api/problem";
import type { ScenarioTemplateDetail } from "../../api/types";
import { EditModal } from "../../app/EditModal";
import { apiFieldErrors } from "../../app/forms";
import { SaveError } from "../../app/SaveError";
import { scenariosQueryKey, updateScenario } from "./api";

/** Rename a scenario and edit its description (`scenario_template.write`). */
export function EditScenarioModal({
  scenario,
  opened,
  onClose,
}: {
  scenario: ScenarioTemplateDetail;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <EditModal title="Edit scenario" opened={opened} onClose={onClose}>
      <EditScenarioForm scenario={scenario} onDone={onClose} />
    </EditModal>
  );
}

/** Saves with the version the form was filled from: a change made meanwhile is never
 * overwritten (412), and reopening the dialog loads it. */
function EditScenarioForm({
  scenario,
  onDone,
}: {
  scenario: ScenarioTemplateDetail;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [baseVersion] = useState(scenario.version);
  const [name, setName] = useState(scenario.name);
  const [description, setDescription] = useState(scenario.description ?? "");
  const mutation = useMutation({
    mutationFn: () =>
      updateScenario(scenario.id, baseVersion, {
        name: name.trim(),
        description: description.trim() || null,
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: scenariosQueryKey });
      onDone();
    },
    onError: (error) => {
      if (isConflict(error)) queryClient.invalidateQueries({ queryKey: scenariosQueryKey });
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      <Stack>
        <TextInput
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={apiFieldErrors(mutation.error)["name"]}
          data-autofocus
        />
        <Textarea
          label="Description (Markdown)"
          autosize
          minRows={2}
          maxRows={12}
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
        />
        <SaveError error={mutation.error} title="Not saved" what="scenario" />
        <Group justify="flex-end">
          <Button type="submit" loading={mutation.isPending}>
            Save scenario
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
