import {
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Radio,
  Select,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ApiTokenCreated, PermissionCode, Workspace } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { NothingFound } from "../../../app/NothingFound";
import { apiFieldErrors, required } from "../../../app/forms";
import { ANY_WORKSPACE, boundWorkspaceId } from "../../workspaces/labels";
import { apiTokensQueryKey, createApiToken } from "../api";
import {
  MISSION_ACCESS_CHOICES,
  MISSION_ACCESS_DEFAULT,
  type MissionAccess,
} from "./missionAccess";

const NAME_MAX = 100;
const DAYS_MIN = 1;
const DAYS_MAX = 365;
const DAYS_DEFAULT = 90;

interface TokenValues {
  name: string;
  expires_in_days: number | string;
  permissions: string[];
  mission_access: MissionAccess;
  workspace: string;
}

const INITIAL: TokenValues = {
  name: "",
  expires_in_days: DAYS_DEFAULT,
  permissions: [],
  mission_access: MISSION_ACCESS_DEFAULT,
  workspace: ANY_WORKSPACE,
};

/** What is wrong with the lifetime typed in, said at once (never silently cut to fit). */
export function daysProblem(days: number | string): string | null {
  if (days === "") return "Enter a number of days.";
  const value = Number(days);
  if (!Number.isInteger(value)) return "Enter a whole number of days.";
  if (value < DAYS_MIN) return `At least ${DAYS_MIN} day.`;
  if (value > DAYS_MAX) return `At most ${DAYS_MAX} days: a token cannot live longer.`;
  return null;
}

/**
 * Name, lifetime, a subset of the user's own permissions (the API refuses any other), how far it
 * reaches into the user's missions (none unless chosen) and, for someone in several
 * workspaces, the one workspace the token may act in.
 */
export function CreateTokenForm({
  permissions,
  workspaces,
  onCreated,
}: {
  /** The user's own codes (Me's `permissions`, plain strings in the spec). */
  permissions: string[];
  /** The user's workspaces, when there are several to choose from. */
  workspaces?: Workspace[];
  onCreated: (token: ApiTokenCreated) => void;
}) {
  const queryClient = useQueryClient();
  const form = useForm<TokenValues>({
    initialValues: INITIAL,
    validateInputOnChange: ["expires_in_days"],
    validate: {
      name: required("Name the token: say what it is for."),
      expires_in_days: daysProblem,
    },
  });

  const mutation = useMutation({
    mutationFn: (values: TokenValues) =>
      createApiToken({
        name: values.name.trim(),
        expires_in_days: Number(values.expires_in_days),
        permissions: values.permissions as PermissionCode[],
        mission_access: values.mission_access,
        workspace_id: boundWorkspaceId(values.workspace),
      }),
    onSuccess: (token) => {
      form.reset();
      onCreated(token);
      return queryClient.invalidateQueries({ queryKey: apiTokensQueryKey });
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  return (
    <form
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-labelledby="create-token-title"
      noValidate
    >
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
          {...form.getInputProps("name")}
        />
        <NumberInput
          label="Expires in (days)"
          description={`${DAYS_MIN} to ${DAYS_MAX}.`}
          required
          min={DAYS_MIN}
          max={DAYS_MAX}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          {...form.getInputProps("expires_in_days")}
          maw={200}
        />
        <MultiSelect
          label="Permissions"
          description="Only permissions you hold. Without any, the token can do only what every signed-in user can (read the ATT&CK catalogue, for one)."
          placeholder={form.values.permissions.length === 0 ? "Choose permissions" : undefined}
          data={permissions}
          searchable
          clearable
          nothingFoundMessage={<NothingFound>No such permission</NothingFound>}
          {...form.getInputProps("permissions")}
        />
        <Radio.Group
          label="Mission access"
          description="What the token may do in the missions you belong to. Permissions it carries (mission.read_all, for one) count whatever you choose."
          {...form.getInputProps("mission_access")}
        >
          <Stack gap="xs" mt={6}>
            {MISSION_ACCESS_CHOICES.map((choice) => (
              <Radio
                key={choice.value}
                value={choice.value}
                label={choice.label}
                description={choice.description}
              />
            ))}
          </Stack>
        </Radio.Group>
        {workspaces && (
          <Select
            label="Workspace"
            description="Where the token may act. Bound to one workspace, it is refused every other."
            data={[
              {
                value: ANY_WORKSPACE,
                label: "Any of mine (chosen per request with X-Violet-Workspace)",
              },
              ...workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name })),
            ]}
            allowDeselect={false}
            {...form.getInputProps("workspace")}
            error={form.errors.workspace ?? form.errors.workspace_id}
          />
        )}
        <Group>
          <Button type="submit" loading={mutation.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
