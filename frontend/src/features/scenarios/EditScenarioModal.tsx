import { Button, Group, Modal, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../../api/problem";
import type { ScenarioTemplateDetail } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
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
    <Modal
      opened={opened}
      onClose={onClose}
      title="Edit scenario"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {/* A fresh form at each opening (even one during the closing transition), filled from
          the scenario as loaded then. */}
      <EditScenarioForm key={String(opened)} scenario={scenario} onDone={onClose} />
    </Modal>
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
      if (error instanceof ApiError && error.status === 412) {
        queryClient.invalidateQueries({ queryKey: scenariosQueryKey });
      }
    },
  });
  const stale = mutation.error instanceof ApiError && mutation.error.status === 412;
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
        {mutation.error ? (
          <ErrorAlert
            title={stale ? "Changed by someone else" : "Not saved"}
            error={mutation.error}
          />
        ) : null}
        {stale ? (
          <Text size="sm">
            Close this dialog and open it again to see their version, then make your change again.
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={mutation.isPending}>
            Save scenario
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
