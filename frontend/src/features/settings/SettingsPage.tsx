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
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Setting } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { formatDateTime } from "../../app/format";
import { useAuth } from "../auth/AuthProvider";
import { fetchSettings, putSetting, settingsQueryKey } from "./api";
import { describeValue } from "./describeValue";

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
  const form = useForm<{ value: unknown }>({ initialValues: { value: setting.value } });
  const mutation = useMutation({
    mutationFn: ({ value }: { value: unknown }) => putSetting(setting.key, value),
    onSuccess: (saved) =>
      queryClient.setQueryData<Setting[]>(settingsQueryKey, (all) =>
        all?.map((item) => (item.key === saved.key ? saved : item)),
      ),
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });
  const value = form.values.value;
  const change = (next: unknown) => {
    form.setFieldValue("value", next);
    form.clearErrors();
    mutation.reset();
  };

  const label = labelOf(setting.key);
  const common = {
    label,
    description: setting.description,
    disabled: !editable,
    error: form.errors.value,
  };
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-label={label}
      noValidate
    >
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
            Default: {describeValue(setting.default)}
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
          <Text size="sm" c="green" role="status">
            Saved.
          </Text>
        )}
        {mutation.error && !form.errors.value && (
          <ErrorAlert title={`Could not save ${label.toLowerCase()}`} error={mutation.error} />
        )}
      </Stack>
    </Paper>
  );
}
