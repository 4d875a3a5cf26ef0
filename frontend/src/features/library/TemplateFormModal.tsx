import {
  ActionIcon,
  Alert,
  Button,
  Fieldset,
  Group,
  Input,
  Modal,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { OpsecLevel, Platform, TestTemplate, TestTemplateCreate } from "../../api/types";
import { SaveError } from "../../app/SaveError";
import {
  OPSEC_OPTIONS,
  PLATFORM_OPTIONS,
  createTemplate,
  libraryQueryKey,
  type MitreOption,
  updateTemplate,
} from "./api";
import { MarkdownField } from "./MarkdownField";
import { MitreTagPicker, tagValue } from "./MitreTagPicker";
import { type SentLists, templateErrors } from "./templateErrors";

const TEXT_FIELDS = [
  ["description", "Description"],
  ["procedure", "Procedure"],
  ["cleanup", "Cleanup"],
  ["prerequisites", "Prerequisites"],
  ["expected_detection", "Expected detection"],
] as const;
type TextField = (typeof TEXT_FIELDS)[number][0];
// The fields whose messages the form shows beside them.
const SHOWN_FIELDS = new Set<string>([
  "name",
  "mitre",
  ...TEXT_FIELDS.map(([field]) => field),
  "platforms",
  "opsec_level",
  "tags",
  "references",
]);

interface FormValues {
  name: string;
  texts: Record<TextField, string>;
  platforms: Platform[];
  opsec: OpsecLevel | null;
  tags: string[];
  // One input per reference, so a refused one is named beside itself and edited in place.
  references: ReferenceRow[];
  mitre: MitreOption[];
}

interface ReferenceRow {
  key: number;
  url: string;
}

let nextRowKey = 0;
function referenceRow(url = ""): ReferenceRow {
  nextRowKey += 1;
  return { key: nextRowKey, url };
}

/** The rows a save sends: those with a URL. */
function sentReferenceRows(rows: ReferenceRow[]): ReferenceRow[] {
  return rows.filter((row) => row.url.trim());
}

function initialValues(template: TestTemplate | null): FormValues {
  return {
    name: template?.name ?? "",
    texts: Object.fromEntries(
      TEXT_FIELDS.map(([field]) => [field, template?.[field] ?? ""]),
    ) as Record<TextField, string>,
    platforms: (template?.platforms ?? []) as Platform[],
    opsec: (template?.opsec_level ?? null) as OpsecLevel | null,
    tags: template?.tags ?? [],
    references: (template?.references.length ? template.references : [""]).map(referenceRow),
    mitre: (template?.mitre ?? []).map((tag) => ({
      kind: tag.kind as MitreOption["kind"],
      external_id: tag.external_id,
      name: tag.name,
    })),
  };
}

/** The body both POST and PATCH accept: every field, an empty text sent as null (cleared). */
function bodyOf(values: FormValues): TestTemplateCreate {
  const texts = Object.fromEntries(
    TEXT_FIELDS.map(([field]) => [field, values.texts[field].trim() ? values.texts[field] : null]),
  );
  return {
    name: values.name.trim(),
    ...texts,
    platforms: values.platforms,
    opsec_level: values.opsec,
    tags: values.tags,
    references: sentReferenceRows(values.references).map((row) => row.url.trim()),
    mitre: values.mitre.map(({ kind, external_id }) => ({ kind, external_id })),
  };
}

/** Create a template (`template` null) or edit one; `key` it by template so it starts fresh. */
export function TemplateFormModal({
  opened,
  template,
  onClose,
}: {
  opened: boolean;
  template: TestTemplate | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState(() => initialValues(template));
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  // What the failed save sent, to place the API's `references.1` on its row.
  const [sent, setSent] = useState<SentLists>({ references: [], mitre: [], tags: [] });
  const mutation = useMutation({
    mutationFn: (body: TestTemplateCreate) =>
      template ? updateTemplate(template.id, template.version, body) : createTemplate(body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: libraryQueryKey });
      onClose();
    },
  });
  const error = mutation.error;
  const errors = templateErrors(error, sent);
  const hasFieldErrors =
    Object.keys(errors.fields).length > 0 ||
    Object.keys(errors.references).length > 0 ||
    Object.keys(errors.mitre).length > 0;
  // A message for a field this form has no input for (`source`): the alert shows the detail.
  const unplaced =
    errors.unplaced || Object.keys(errors.fields).some((field) => !SHOWN_FIELDS.has(field));

  // After a refused save, the keyboard goes to the first field in error (in the form's order).
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!hasFieldErrors) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error, hasFieldErrors]);

  const referenceInputs = useRef(new Map<number, HTMLInputElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    referenceInputs.current.get(focusRow)?.focus();
    setFocusRow(null);
  }, [focusRow]);
  const setReference = (key: number, url: string) =>
    set(
      "references",
      values.references.map((row) => (row.key === key ? { ...row, url } : row)),
    );
  const addReference = (after?: number) => {
    const row = referenceRow();
    const at = after === undefined ? values.references.length : after + 1;
    set("references", [...values.references.slice(0, at), row, ...values.references.slice(at)]);
    setFocusRow(row.key);
  };
  const removeReference = (index: number) => {
    const rest = values.references.filter((_, i) => i !== index);
    set("references", rest);
    // The keyboard stays in the list: on the row that took its place, else the one before.
    const next = rest[index] ?? rest[index - 1];
    if (next) setFocusRow(next.key);
    else addButton.current?.focus();
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      closeButtonProps={{ "aria-label": "Close dialog" }}
      title={template ? `Edit ${template.name}` : "New test template"}
      size="xl"
    >
      <form
        ref={form}
        onSubmit={(event) => {
          event.preventDefault();
          setSent({
            references: sentReferenceRows(values.references).map((row) => row.key),
            mitre: values.mitre.map(tagValue),
            tags: values.tags,
          });
          mutation.mutate(bodyOf(values));
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            required
            maxLength={200}
            value={values.name}
            onChange={(event) => set("name", event.currentTarget.value)}
            error={errors.fields["name"]}
            data-autofocus
          />
          <MitreTagPicker
            value={values.mitre}
            onChange={(mitre) => set("mitre", mitre)}
            error={errors.fields["mitre"]}
            tagErrors={errors.mitre}
          />
          {TEXT_FIELDS.map(([field, label]) => (
            <MarkdownField
              key={field}
              label={label}
              value={values.texts[field]}
              onChange={(text) => set("texts", { ...values.texts, [field]: text })}
              error={errors.fields[field]}
              minRows={field === "procedure" ? 5 : 2}
            />
          ))}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <MultiSelect
              label="Platforms"
              data={PLATFORM_OPTIONS}
              value={values.platforms}
              onChange={(platforms) => set("platforms", platforms as Platform[])}
              error={errors.fields["platforms"]}
            />
            <Select
              label="OPSEC level"
              description="How noisy the test is."
              data={OPSEC_OPTIONS}
              value={values.opsec}
              onChange={(opsec) => set("opsec", opsec as OpsecLevel | null)}
              clearable
              placeholder="Not set"
              error={errors.fields["opsec_level"]}
            />
            <TagsInput
              label="Tags"
              description="Free labels; press Enter after each."
              value={values.tags}
              onChange={(tags) => set("tags", tags)}
              maxLength={50}
              error={errors.fields["tags"]}
            />
          </SimpleGrid>
          <Fieldset
            // Labelled as the other fields are.
            legend={<Input.Label labelElement="div">References</Input.Label>}
            variant="unstyled"
            styles={{ root: { margin: 0, padding: 0 }, legend: { padding: 0 } }}
          >
            <Input.Description mb={6}>http or https URLs; Enter adds another.</Input.Description>
            <Stack gap="xs">
              {values.references.map((row, index) => (
                <Group key={row.key} gap="xs" align="flex-start" wrap="nowrap">
                  <TextInput
                    ref={(input) => {
                      if (input) referenceInputs.current.set(row.key, input);
                      else referenceInputs.current.delete(row.key);
                    }}
                    aria-label={`Reference ${index + 1}`}
                    placeholder="https://…"
                    inputMode="url"
                    maxLength={2048}
                    value={row.url}
                    onChange={(event) => setReference(row.key, event.currentTarget.value)}
                    onKeyDown={(event) => {
                      // Enter adds the next reference, as it added a pill before; not a save.
                      if (event.key === "Enter") {
                        event.preventDefault();
                        addReference(index);
                      }
                    }}
                    error={errors.references[row.key]}
                    style={{ flex: 1 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    size="input-sm"
                    aria-label={`Remove reference ${index + 1}`}
                    onClick={() => removeReference(index)}
                  >
                    ×
                  </ActionIcon>
                </Group>
              ))}
              {errors.fields["references"] && (
                <Text size="sm" c="red.8">
                  {errors.fields["references"]}
                </Text>
              )}
              <Group>
                <Button ref={addButton} variant="default" size="xs" onClick={() => addReference()}>
                  Add reference
                </Button>
              </Group>
            </Stack>
          </Fieldset>
          {hasFieldErrors && !unplaced ? (
            // Each message is beside its field, and the first one has the keyboard.
            <Alert color="red" title="Could not save the template" role="alert">
              Fix the fields marked in red, then save again.
            </Alert>
          ) : (
            <SaveError error={error} title="Could not save the template" what="template" />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {template ? "Save changes" : "Create template"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
