import {
  Button,
  Group,
  Loader,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { fieldError } from "../../api/problem";
import type { Setting } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { formatDateTime } from "../../app/format";
import { useAuth } from "../auth/AuthProvider";
import { fetchSettings, putSetting, settingsQueryKey } from "./api";

/** Admin → Settings: every instance-wide setting, each saved on its own. */
export default function SettingsPage() {
  const settings = useQuery({ queryKey: settingsQueryKey, queryFn: fetchSettings });
  const { can } = useAuth();
  const editable = can("settings.manage");

  return (
    <Stack maw={720}>
      <Title order={1}>Settings</Title>
      {!editable && <Text size="sm">Changing settings needs the permission settings.manage.</Text>}
      {settings.isPending ? (
        <Loader aria-label="Loading the settings" />
      ) : settings.error ? (
        <ErrorAlert title="Could not load the settings" error={settings.error} />
      ) : (
        settings.data.map((setting) => (
          <SettingForm key={setting.key} setting={setting} editable={editable} />
        ))
      )}
    </Stack>
  );
}

/** What each known key is called on screen; a key added later shows as "Its key". */
const LABELS: Record<string, string> = {
  organisation_name: "Organisation name",
  mfa_required: "Require two-factor authentication",
  evidence_max_bytes: "Largest evidence file (bytes)",
  evidence_retention_days: "Keep deleted evidence (days)",
};

function labelOf(key: string): string {
  const words = key.replaceAll("_", " ");
  return LABELS[key] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

function SettingForm({ setting, editable }: { setting: Setting; editable: boolean }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState<unknown>(setting.value);
  const mutation = useMutation({
    mutationFn: () => putSetting(setting.key, value),
    onSuccess: (saved) =>
      queryClient.setQueryData<Setting[]>(settingsQueryKey, (all) =>
        all?.map((item) => (item.key === saved.key ? saved : item)),
      ),
  });
  const change = (next: unknown) => {
    setValue(next);
    mutation.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };

  const label = labelOf(setting.key);
  const common = {
    label,
    description: setting.description,
    disabled: !editable,
    error: fieldError(mutation.error, "value"),
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label={label}>
      <Stack gap="xs">
        {setting.type === "boolean" ? (
          <Switch
            {...common}
            checked={value === true}
            onChange={(event) => change(event.currentTarget.checked)}
          />
        ) : setting.type === "integer" ? (
          <NumberInput
            {...common}
            allowDecimal={false}
            thousandSeparator=" "
            value={typeof value === "number" ? value : ""}
            onChange={(next) => change(typeof next === "number" ? next : null)}
          />
        ) : (
          <TextInput
            {...common}
            value={typeof value === "string" ? value : ""}
            onChange={(event) => change(event.currentTarget.value)}
          />
        )}
        <Group justify="space-between">
          <Text size="sm" c="gray.7">
            Default: {JSON.stringify(setting.default)}
            {setting.updated_at && ` · changed ${formatDateTime(setting.updated_at)}`}
          </Text>
          {editable && (
            <Button
              type="submit"
              loading={mutation.isPending}
              disabled={value === setting.value}
              aria-label={`Save ${label.toLowerCase()}`}
            >
              Save
            </Button>
          )}
        </Group>
        {mutation.isSuccess && (
          <Text size="sm" c="green.8" role="status">
            Saved.
          </Text>
        )}
        {mutation.error && !fieldError(mutation.error, "value") && (
          <ErrorAlert title={`Could not save ${label.toLowerCase()}`} error={mutation.error} />
        )}
      </Stack>
    </Paper>
  );
}
