import {
  Button,
  Group,
  Modal,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../../api/problem";
import { apiFieldErrors } from "../../app/forms";
import type { OpsecLevel, Platform, TestTemplate, TestTemplateCreate } from "../../api/types";
import { SaveError } from "../../app/SaveError";
import {
  OPSEC_LEVELS,
  PLATFORMS,
  createTemplate,
  libraryQueryKey,
  type MitreOption,
  updateTemplate,
} from "./api";
import { MarkdownField } from "./MarkdownField";
import { MitreTagPicker } from "./MitreTagPicker";

const TEXT_FIELDS = [
  ["description", "Description"],
  ["procedure", "Procedure"],
  ["cleanup", "Cleanup"],
  ["prerequisites", "Prerequisites"],
  ["expected_detection", "Expected detection"],
] as const;
type TextField = (typeof TEXT_FIELDS)[number][0];

interface FormValues {
  name: string;
  texts: Record<TextField, string>;
  platforms: Platform[];
  opsec: OpsecLevel | null;
  tags: string[];
  references: string[];
  mitre: MitreOption[];
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
    references: template?.references ?? [],
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
    references: values.references,
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

  const mutation = useMutation({
    mutationFn: (body: TestTemplateCreate) =>
      template ? updateTemplate(template.id, template.version, body) : createTemplate(body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: libraryQueryKey });
      onClose();
    },
  });
  const error = mutation.error;

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      closeButtonProps={{ "aria-label": "Close dialog" }}
      title={template ? `Edit ${template.name}` : "New test template"}
      size="xl"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
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
            error={apiFieldErrors(error)["name"]}
            data-autofocus
          />
          <MitreTagPicker
            value={values.mitre}
            onChange={(mitre) => set("mitre", mitre)}
            error={apiFieldErrors(error)["mitre"]}
          />
          {TEXT_FIELDS.map(([field, label]) => (
            <MarkdownField
              key={field}
              label={label}
              value={values.texts[field]}
              onChange={(text) => set("texts", { ...values.texts, [field]: text })}
              error={apiFieldErrors(error)[field]}
              minRows={field === "procedure" ? 5 : 2}
            />
          ))}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <MultiSelect
              label="Platforms"
              data={[...PLATFORMS]}
              value={values.platforms}
              onChange={(platforms) => set("platforms", platforms as Platform[])}
              error={apiFieldErrors(error)["platforms"]}
            />
            <Select
              label="OPSEC level"
              description="How noisy the test is."
              data={[...OPSEC_LEVELS]}
              value={values.opsec}
              onChange={(opsec) => set("opsec", opsec as OpsecLevel | null)}
              clearable
              placeholder="Not set"
            />
            <TagsInput
              label="Tags"
              description="Free labels; press Enter after each."
              value={values.tags}
              onChange={(tags) => set("tags", tags)}
              maxLength={50}
              error={apiFieldErrors(error)["tags"]}
            />
            <TagsInput
              label="References"
              description="URLs; press Enter after each."
              value={values.references}
              onChange={(references) => set("references", references)}
              error={Object.entries(error instanceof ApiError ? (error.problem.errors ?? {}) : {})
                .filter(([key]) => key.startsWith("references"))
                .map(([, messages]) => messages.join(" "))
                .join(" ")}
            />
          </SimpleGrid>
          <SaveError error={error} title="Could not save the template" what="template" />
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
