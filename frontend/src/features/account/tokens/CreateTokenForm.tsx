import { Button, Group, MultiSelect, NumberInput, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { fieldError } from "../../../api/problem";
import type { ApiTokenCreated, PermissionCode } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { apiTokensQueryKey, createApiToken } from "../api";

const NAME_MAX = 100;
const DAYS_MIN = 1;
const DAYS_MAX = 365;
const DAYS_DEFAULT = 90;

/** Name, lifetime and a subset of the user's own permissions (the API refuses any other). */
export function CreateTokenForm({
  permissions,
  onCreated,
}: {
  permissions: string[];
  onCreated: (token: ApiTokenCreated) => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState<number | string>(DAYS_DEFAULT);
  const [chosen, setChosen] = useState<string[]>([]);

  const mutation = useMutation({
    mutationFn: () =>
      createApiToken({
        name: name.trim(),
        expires_in_days: Number(days),
        permissions: chosen as PermissionCode[],
      }),
    onSuccess: (token) => {
      setName("");
      setDays(DAYS_DEFAULT);
      setChosen([]);
      onCreated(token);
      return queryClient.invalidateQueries({ queryKey: apiTokensQueryKey });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };

  return (
    <form onSubmit={submit} aria-labelledby="create-token-title">
      <Stack maw={520}>
        <Title order={3} size="h5" id="create-token-title">
          Create a token
        </Title>
        {mutation.error && <ErrorAlert title="Could not create the token" error={mutation.error} />}
        <TextInput
          label="Name"
          description="What the token is for, e.g. “nightly coverage export”."
          required
          maxLength={NAME_MAX}
          value={name}
          error={fieldError(mutation.error, "name")}
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <NumberInput
          label="Expires in (days)"
          description={`${DAYS_MIN} to ${DAYS_MAX}.`}
          required
          min={DAYS_MIN}
          max={DAYS_MAX}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="strict"
          value={days}
          error={fieldError(mutation.error, "expires_in_days")}
          onChange={setDays}
          maw={200}
        />
        <MultiSelect
          label="Permissions"
          description="Only permissions you hold. Without any, the token can do only what every signed-in user can (read the ATT&CK catalogue, for one)."
          placeholder={chosen.length === 0 ? "Choose permissions" : undefined}
          data={permissions}
          value={chosen}
          onChange={setChosen}
          searchable
          clearable
          nothingFoundMessage="No such permission"
          error={fieldError(mutation.error, "permissions")}
        />
        <Group>
          <Button type="submit" loading={mutation.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
