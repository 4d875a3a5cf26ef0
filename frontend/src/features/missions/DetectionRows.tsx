import {
  ActionIcon,
  Box,
  Button,
  Group,
  Select,
  Stack,
  Table,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import type { DefenseTool, DetectionIn, DetectionLevel } from "./api";

export interface DetectionRow {
  key: string;
  tool_id: string | null;
  detection_level_id: string | null;
  detected_at: string;
  rule_ref: string;
  notes: string;
}

let nextKey = 0;
export function newRow(values: Partial<DetectionRow> = {}): DetectionRow {
  nextKey += 1;
  return {
    key: `row-${nextKey}`,
    tool_id: null,
    detection_level_id: null,
    detected_at: "",
    rule_ref: "",
    notes: "",
    ...values,
  };
}

/** `2026-11-30T10:03:00+00:00` → the `datetime-local` input's local `2026-11-30T11:03`. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

/** What a row's tool and level selects say is missing (a row left wholly blank is skipped). */
export interface RowError {
  tool?: string;
  level?: string;
}

/** The incomplete rows, by row key: a row needs both its tool and its level to be saved. */
export function rowErrors(rows: DetectionRow[]): Record<string, RowError> {
  const errors: Record<string, RowError> = {};
  for (const row of rows) {
    const blank = !row.detection_level_id && !row.detected_at && !row.rule_ref && !row.notes;
    if (!row.tool_id && !blank) errors[row.key] = { tool: "Choose a tool" };
    else if (row.tool_id && !row.detection_level_id) errors[row.key] = { level: "Choose a level" };
  }
  return errors;
}

export function rowsToBody(rows: DetectionRow[]): DetectionIn[] {
  return rows
    .filter((row) => row.tool_id && row.detection_level_id)
    .map((row) => ({
      tool_id: row.tool_id as string,
      detection_level_id: row.detection_level_id as string,
      detected_at: fromLocalInput(row.detected_at),
      rule_ref: row.rule_ref || null,
      notes: row.notes || null,
    }));
}

/** One editable row per defense tool: tool, level, time, rule reference, notes. */
export function DetectionRows({
  rows,
  onChange,
  tools,
  levels,
  errors = {},
}: {
  rows: DetectionRow[];
  onChange: (rows: DetectionRow[]) => void;
  tools: DefenseTool[];
  levels: DetectionLevel[];
  /** By row key, from `rowErrors`. */
  errors?: Record<string, RowError>;
}) {
  const update = (key: string, values: Partial<DetectionRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...values } : row)));
  const toolOptions = tools.map((tool) => ({ value: tool.id, label: tool.name }));
  const levelOptions = levels.map((level) => ({ value: level.id, label: level.name }));

  return (
    <Stack gap="xs">
      {/* On a phone the row is wider than the drawer: it scrolls in its own box (Tab into a
          field brings it into view) rather than squeezing the selects to nothing. */}
      <Box
        pos="relative"
        style={{ overflowX: "auto" }}
        role="region"
        aria-label="Per-tool outcomes"
        tabIndex={0}
        data-testid="detection-rows-scroller"
      >
        <Table data-testid="detection-rows" miw={600}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th miw={170}>Tool</Table.Th>
              <Table.Th miw={150}>Level</Table.Th>
              <Table.Th>Detected at</Table.Th>
              <Table.Th miw={140}>Rule reference</Table.Th>
              <Table.Th>
                <VisuallyHidden>Remove</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row, index) => (
              <Table.Tr key={row.key}>
                <Table.Td>
                  <Select
                    aria-label={`Tool of detection ${index + 1}`}
                    data={toolOptions}
                    value={row.tool_id}
                    onChange={(value) => update(row.key, { tool_id: value })}
                    searchable
                    placeholder={tools.length === 0 ? "No tools yet" : undefined}
                    error={errors[row.key]?.tool}
                  />
                </Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Level of detection ${index + 1}`}
                    data={levelOptions}
                    value={row.detection_level_id}
                    onChange={(value) => update(row.key, { detection_level_id: value })}
                    error={errors[row.key]?.level}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    type="datetime-local"
                    aria-label={`Time of detection ${index + 1}`}
                    value={row.detected_at}
                    onChange={(event) =>
                      update(row.key, { detected_at: event.currentTarget.value })
                    }
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    aria-label={`Rule reference of detection ${index + 1}`}
                    maxLength={200}
                    value={row.rule_ref}
                    onChange={(event) => update(row.key, { rule_ref: event.currentTarget.value })}
                  />
                </Table.Td>
                <Table.Td>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove detection ${index + 1}`}
                    onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...rows, newRow()])}>
          Add tool outcome
        </Button>
      </Group>
    </Stack>
  );
}
