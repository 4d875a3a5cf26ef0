import { Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { apiFieldErrors } from "../../app/forms";
import { UndoAlert } from "../../app/UndoAlert";
import { fetchTools, restoreTool, toolsKey } from "../missions/api";
import type { DefenseTool } from "../missions/api";
import { TOOL_LAYERS } from "../missions/toolLayers";
import type { ToolLayer } from "../missions/toolLayers";

interface ToolDraft {
  name: string;
  vendor: string;
  layer: ToolLayer;
}

/** The defense tools whose per-test outcomes blue records (the EDR, the SIEM, the NDR…). */
export default function DefenseToolsPage() {
  const queryClient = useQueryClient();
  const tools = useQuery({ queryKey: toolsKey, queryFn: () => fetchTools() });
  const refresh = () => queryClient.invalidateQueries({ queryKey: toolsKey });
  // The tool just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<DefenseTool | null>(null);
  const create = useMutation({
    mutationFn: (draft: ToolDraft) =>
      unwrap(
        api.POST("/api/v1/defense-tools", { body: { ...draft, vendor: draft.vendor || null } }),
      ),
    onSuccess: refresh,
  });
  const update = useMutation({
    mutationFn: ({ tool, draft }: { tool: DefenseTool; draft: ToolDraft }) =>
      unwrap(
        api.PATCH("/api/v1/defense-tools/{tool_id}", {
          params: { path: { tool_id: tool.id } },
          headers: { "If-Match": `"${tool.version}"` },
          body: { ...draft, vendor: draft.vendor || null },
        }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (tool: DefenseTool) =>
      unwrap(
        api.DELETE("/api/v1/defense-tools/{tool_id}", { params: { path: { tool_id: tool.id } } }),
      ),
    onSuccess: (_, tool) => {
      setDeleted(tool);
      return refresh();
    },
  });

  if (tools.isPending) return <Loader aria-label="Loading defense tools" />;
  if (tools.error) return <ErrorAlert title="Tools unavailable" error={tools.error} />;
  // A refused new tool shows its problem on the form's fields (a taken name under Tool name);
  // the page's alert is for the rest.
  const createFieldErrors = apiFieldErrors(create.error);
  const error =
    (Object.keys(createFieldErrors).length ? null : create.error) ?? update.error ?? remove.error;

  return (
    <Stack>
      <Title order={1}>Defense tools</Title>
      <Text size="sm">
        One test can be logged by the SIEM, alerted by the EDR and missed by the NDR: blue records
        an outcome per tool listed here.
      </Text>
      {error && <ErrorAlert title="Not saved" error={error} />}
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the tool ${deleted.name}.`}
          undo={() => restoreTool(deleted.id).then(refresh)}
          onDone={() => setDeleted(null)}
          // Its row's Delete went with the row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      <Table data-testid="tools-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Vendor</Table.Th>
            <Table.Th>Layer</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tools.data.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                No tool yet: add the EDR, the SIEM and the other tools blue records outcomes for.
              </Table.Td>
            </Table.Tr>
          )}
          {tools.data.map((tool) => (
            <ToolRow
              // By id, not version: a saved row stays mounted, so its Save keeps the focus.
              key={tool.id}
              tool={tool}
              onSave={(draft) => update.mutate({ tool, draft })}
              onDelete={() => remove.mutate(tool)}
            />
          ))}
        </Table.Tbody>
      </Table>
      <Title order={2} size="h3">
        Add a tool
      </Title>
      <ToolForm onSubmit={(draft) => create.mutateAsync(draft)} fieldErrors={createFieldErrors} />
      <DeletedList
        what="tools"
        queryKey={toolsKey}
        fetchWithDeleted={() => fetchTools(true)}
        restore={(tool) => restoreTool(tool.id)}
      />
    </Stack>
  );
}

function ToolRow({
  tool,
  onSave,
  onDelete,
}: {
  tool: DefenseTool;
  onSave: (draft: ToolDraft) => void;
  onDelete: () => void;
}) {
  const [draft, setDraft] = useState<ToolDraft>({
    name: tool.name,
    vendor: tool.vendor ?? "",
    layer: tool.layer as ToolLayer,
  });
  // A saved (or elsewhere changed) tool comes back as a new object: show what was saved.
  useEffect(
    () => setDraft({ name: tool.name, vendor: tool.vendor ?? "", layer: tool.layer as ToolLayer }),
    [tool],
  );
  return (
    <Table.Tr data-testid="tool-row">
      <Table.Td>
        <TextInput
          aria-label={`Name of ${tool.name}`}
          maxLength={100}
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
        />
      </Table.Td>
      <Table.Td>
        <TextInput
          aria-label={`Vendor of ${tool.name}`}
          maxLength={100}
          value={draft.vendor}
          onChange={(event) => setDraft({ ...draft, vendor: event.currentTarget.value })}
        />
      </Table.Td>
      <Table.Td>
        <Select
          aria-label={`Layer of ${tool.name}`}
          data={TOOL_LAYERS}
          value={draft.layer}
          allowDeselect={false}
          onChange={(value) => setDraft({ ...draft, layer: value as ToolLayer })}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Button size="xs" aria-label={`Save ${tool.name}`} onClick={() => onSave(draft)}>
            Save
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            aria-label={`Delete ${tool.name}`}
            onClick={onDelete}
          >
            Delete
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function ToolForm({
  onSubmit,
  fieldErrors,
}: {
  onSubmit: (draft: ToolDraft) => Promise<unknown>;
  fieldErrors: Record<string, string>;
}) {
  const empty: ToolDraft = { name: "", vendor: "", layer: "edr" };
  const [draft, setDraft] = useState<ToolDraft>(empty);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        // Emptied once added only: a refused tool (a taken name) stays to be corrected.
        onSubmit(draft).then(
          () => setDraft(empty),
          () => undefined,
        );
      }}
    >
      <Group align="flex-end">
        <TextInput
          label="Tool name"
          required
          maxLength={100}
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
          error={fieldErrors["name"]}
        />
        <TextInput
          label="Vendor"
          maxLength={100}
          value={draft.vendor}
          onChange={(event) => setDraft({ ...draft, vendor: event.currentTarget.value })}
          error={fieldErrors["vendor"]}
        />
        <Select
          label="Layer"
          data={TOOL_LAYERS}
          value={draft.layer}
          allowDeselect={false}
          onChange={(value) => setDraft({ ...draft, layer: value as ToolLayer })}
          error={fieldErrors["layer"]}
        />
        <Button type="submit">Add tool</Button>
      </Group>
    </form>
  );
}
