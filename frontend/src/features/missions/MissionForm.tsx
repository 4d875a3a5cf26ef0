import { Button, Group, Stack, TextInput, Textarea } from "@mantine/core";
import { useRef, useState } from "react";
import { SaveError } from "../../app/SaveError";
import { apiFieldErrors, useFocusAfterFailure } from "../../app/forms";
import type { Mission, MissionCreate } from "./api";

type MissionFields = Pick<
  MissionCreate,
  "name" | "description" | "environment" | "start_date" | "end_date"
>;

/**
 * A mission's own fields (name, description, environment, dates), to create one or edit one.
 * An empty optional field is sent as null, which clears it.
 */
export function MissionForm({
  mission,
  submitLabel,
  errorTitle,
  pending,
  error,
  onSubmit,
}: {
  mission?: Mission;
  submitLabel: string;
  errorTitle: string;
  pending: boolean;
  error: unknown;
  onSubmit: (fields: MissionFields) => void;
}) {
  const [name, setName] = useState(mission?.name ?? "");
  const [description, setDescription] = useState(mission?.description ?? "");
  const [environment, setEnvironment] = useState(mission?.environment ?? "");
  const [startDate, setStartDate] = useState(mission?.start_date ?? "");
  const [endDate, setEndDate] = useState(mission?.end_date ?? "");
  const fieldErrors = apiFieldErrors(error);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusAfterFailure(formRef, error);

  return (
    <form
      ref={formRef}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          name,
          description: description || null,
          environment: environment || null,
          start_date: startDate || null,
          end_date: endDate || null,
        });
      }}
    >
      <Stack>
        <TextInput
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fieldErrors["name"]}
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
        <TextInput
          label="Environment"
          placeholder="e.g. Prod EU"
          maxLength={200}
          value={environment}
          onChange={(event) => setEnvironment(event.currentTarget.value)}
        />
        <Group grow>
          <TextInput
            type="date"
            label="Start date"
            value={startDate}
            onChange={(event) => setStartDate(event.currentTarget.value)}
            error={fieldErrors["start_date"]}
          />
          <TextInput
            type="date"
            label="End date"
            value={endDate}
            onChange={(event) => setEndDate(event.currentTarget.value)}
            error={fieldErrors["end_date"]}
          />
        </Group>
        <SaveError error={error} title={errorTitle} what="mission" />
        <Group justify="flex-end">
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
