import {
  ActionIcon,
  Box,
  Button,
  Group,
  Select,
  Stack,
  Table,
  TextInput,
  Textarea,
  VisuallyHidden,
} from "@mantine/core";
import { Fragment, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/problem";
import type { DefenseTool, DetectionIn, DetectionLevel } from "./api";

export interface DetectionRow {
  key: string;
  tool_id: string | null;
  detection_level_id: string | null;
  detected_at: string;
  /** The time as saved (ISO, to the microsecond): the input shows minutes only, and a row saved
   * again with its time untouched must keep it, not move it to the start of its minute. */
  saved_detected_at: string | null;
  rule_ref: string;
  notes: string;
}

/** How a tool is named when nothing names it (the SPA knows live tools only; an outcome names
 * its own tool, `toolLabel`). */
export const DELETED_TOOL = "Deleted tool";

/** An outcome's tool as the API names it now: "EDR-X (deleted)" for a tool deleted since. */
export function toolLabel(outcome: { tool_name: string; tool_deleted: boolean }): string {
  return outcome.tool_deleted ? `${outcome.tool_name} (deleted)` : outcome.tool_name;
}

let nextKey = 0;
export function newRow(values: Partial<DetectionRow> = {}): DetectionRow {
  nextKey += 1;
  return {
    key: `row-${nextKey}`,
    tool_id: null,
    detection_level_id: null,
    detected_at: "",
    saved_detected_at: null,
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

/** What a row's selects say is missing or repeated (a row left wholly blank is skipped), and
 * what the API refused in its time. */
export interface RowError {
  tool?: string;
  level?: string;
  time?: string;
}

/**
 * The rows that cannot be saved, by row key: a row needs both its tool and its level, and a tool
 * has one outcome (the API would refuse the second naming only the tool's id).
 */
export function rowErrors(
  rows: DetectionRow[],
  tools: DefenseTool[] = [],
): Record<string, RowError> {
  const errors: Record<string, RowError> = {};
  const firstRowOf = new Map<string, number>();
  rows.forEach((row, index) => {
    const blank = !row.detection_level_id && !row.detected_at && !row.rule_ref && !row.notes;
    if (!row.tool_id && !blank) errors[row.key] = { tool: "Choose a tool" };
    else if (row.tool_id && !row.detection_level_id) errors[row.key] = { level: "Choose a level" };
    if (!row.tool_id) return;
    const first = firstRowOf.get(row.tool_id);
    if (first === undefined) {
      firstRowOf.set(row.tool_id, index);
    } else {
      const name = tools.find((tool) => tool.id === row.tool_id)?.name ?? "This tool";
      errors[row.key] = { ...errors[row.key], tool: `${name} is already in row ${first + 1}` };
    }
  });
  return errors;
}

/**
 * What the API said about a refused save of `sent` (the rows as they were saved): its problem
 * names a row's field by the row's place among the rows sent (`0.detected_at`), which is not its
 * place in the form when blank rows were skipped. Returns each such row's error, by row key, and
 * one line per problem, naming the row as the form numbers it ("Row 2 (EDR), time of
 * detection: …"), for the alert.
 */
export function apiRowErrors(
  error: unknown,
  sent: DetectionRow[],
  tools: DefenseTool[] = [],
): { rows: Record<string, RowError>; lines: string[] } {
  const rows: Record<string, RowError> = {};
  const lines: string[] = [];
  if (!(error instanceof ApiError)) return { rows, lines };
  const saved = sent.filter((row) => row.tool_id && row.detection_level_id);
  for (const [field, messages] of Object.entries(error.problem.errors ?? {})) {
    const message = messages.join(" ");
    const match = /^(\d+)\.detected_at$/.exec(field);
    const row = match ? saved[Number(match[1])] : undefined;
    if (!row) {
      lines.push(message);
      continue;
    }
    rows[row.key] = { time: message };
    const tool = tools.find((item) => item.id === row.tool_id)?.name ?? "tool";
    lines.push(`Row ${sent.indexOf(row) + 1} (${tool}), time of detection: ${message}`);
  }
  return { rows, lines };
}

export function rowsToBody(rows: DetectionRow[]): DetectionIn[] {
  return rows
    .filter((row) => row.tool_id && row.detection_level_id)
    .map((row) => ({
      tool_id: row.tool_id as string,
      detection_level_id: row.detection_level_id as string,
      detected_at:
        row.saved_detected_at && row.detected_at === toLocalInput(row.saved_detected_at)
          ? row.saved_detected_at
          : fromLocalInput(row.detected_at),
      rule_ref: row.rule_ref.trim() || null,
      notes: row.notes.trim() ? row.notes : null,
    }));
}

/** One editable row per defense tool: tool, level, time, rule reference, and its notes on a
 * second line under them (a note is as long as it needs; the first line stays compact). */
export function DetectionRows({
  rows,
  onChange,
  tools,
  levels,
  recorded = [],
  errors = {},
}: {
  rows: DetectionRow[];
  onChange: (rows: DetectionRow[]) => void;
  tools: DefenseTool[];
  levels: DetectionLevel[];
  /** The outcomes saved on the test: they name a tool deleted since. */
  recorded?: { tool_id: string; tool_name: string; tool_deleted: boolean }[];
  /** By row key, from `rowErrors`. */
  errors?: Record<string, RowError>;
}) {
  const update = (key: string, values: Partial<DetectionRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...values } : row)));
  // A row's Remove goes with its row: the focus goes to the Remove of the row now in its place
  // (else the one before, else Add tool outcome), not to the page out of the drawer.
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusNext, setFocusNext] = useState<string | null>(null); // a row key, or "add"
  useEffect(() => {
    if (focusNext === null) return;
    setFocusNext(null);
    (focusNext === "add" ? addButton.current : removeButtons.current.get(focusNext))?.focus();
  }, [focusNext]);
  // Add tool outcome puts the focus in the new row's Tool, where the next keystroke belongs,
  // not on the button under the row (six Shift+Tabs from the field to fill).
  const toolInputs = useRef(new Map<string, HTMLInputElement>());
  const [focusTool, setFocusTool] = useState<string | null>(null); // the new row's key
  useEffect(() => {
    if (focusTool === null) return;
    setFocusTool(null);
    toolInputs.current.get(focusTool)?.focus();
  }, [focusTool]);
  const add = () => {
    const row = newRow();
    onChange([...rows, row]);
    setFocusTool(row.key);
  };
  const remove = (key: string) => {
    const index = rows.findIndex((row) => row.key === key);
    const rest = rows.filter((row) => row.key !== key);
    onChange(rest);
    setFocusNext((rest[index] ?? rest[index - 1])?.key ?? "add");
  };
  // A tool deleted since keeps the outcome recorded with it (the API takes it back on save), but
  // the tools list holds live ones only: its row names it as its saved outcome does ("NDR
  // (deleted)") rather than showing an empty select.
  const liveIds = new Set(tools.map((tool) => tool.id));
  const recordedNames = new Map(recorded.map((outcome) => [outcome.tool_id, toolLabel(outcome)]));
  const toolOptions = [
    ...tools.map((tool) => ({ value: tool.id, label: tool.name })),
    ...[...new Set(rows.map((row) => row.tool_id))]
      .filter((id): id is string => id !== null && !liveIds.has(id))
      .map((id) => ({ value: id, label: recordedNames.get(id) ?? DELETED_TOOL })),
  ];
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
              <Fragment key={row.key}>
                <Table.Tr style={{ borderBottom: "none" }}>
                  <Table.Td>
                    <Select
                      ref={(input) => {
                        if (input) toolInputs.current.set(row.key, input);
                        else toolInputs.current.delete(row.key);
                      }}
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
                      error={errors[row.key]?.time}
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
                      ref={(button) => {
                        if (button) removeButtons.current.set(row.key, button);
                        else removeButtons.current.delete(row.key);
                      }}
                      variant="subtle"
                      color="red"
                      aria-label={`Remove detection ${index + 1}`}
                      onClick={() => remove(row.key)}
                    >
                      ×
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td colSpan={5} pt={0}>
                    <Textarea
                      label="Notes"
                      aria-label={`Notes of detection ${index + 1}`}
                      size="xs"
                      autosize
                      minRows={1}
                      maxRows={8}
                      maxLength={50_000}
                      value={row.notes}
                      onChange={(event) => update(row.key, { notes: event.currentTarget.value })}
                    />
                  </Table.Td>
                </Table.Tr>
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
      <Group>
        <Button ref={addButton} variant="light" size="xs" onClick={add}>
          Add tool outcome
        </Button>
      </Group>
    </Stack>
  );
}
