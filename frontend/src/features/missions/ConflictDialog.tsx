import { Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import type { Category, DefenseTool, DetectionLevel, MissionTest } from "./api";
import { DELETED_TOOL, toolLabel } from "./DetectionRows";
import { EXECUTION_RESULT_LABELS } from "./stateLabels";

const FIELD_LABELS: Partial<Record<keyof MissionTest, string>> = {
  state: "State",
  source_host: "Source host",
  target_host: "Target host",
  command_executed: "Command executed",
  execution_result: "Execution result",
  red_notes: "Red notes",
  detection_level_id: "Detection level",
  detected_at: "Detected at",
  detection_notes: "Detection notes",
  detection_refs: "Detection references",
  expected_tool_ids: "Expected tools",
  detections: "Per-tool detections",
  name: "Name",
  description: "Description",
  procedure: "Procedure",
  category_id: "Category",
};

/** The names the dialog shows instead of ids. */
export interface ConflictNames {
  levels: DetectionLevel[];
  tools: DefenseTool[];
  categories: Category[];
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (Array.isArray(value)) return value.length ? `${value.length} item(s)` : "(none)";
  return String(value);
}

/**
 * Their value of `field` as the drawer shows it: names for the level, tools and category, a
 * time in the reader's zone, and each per-tool outcome in full (the ids and "2 item(s)" said
 * nothing of what they recorded).
 */
export function theirValue(test: MissionTest, field: keyof MissionTest, names: ConflictNames) {
  const level = (id: string) => names.levels.find((item) => item.id === id)?.name ?? id;
  // A tool deleted since is named by the outcome that names it, if any.
  const recorded = (id: string) => test.detections.find((item) => item.tool_id === id);
  const tool = (id: string) => {
    const outcome = recorded(id);
    return (
      names.tools.find((item) => item.id === id)?.name ??
      (outcome ? toolLabel(outcome) : DELETED_TOOL)
    );
  };
  const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "");
  switch (field) {
    case "detection_level_id":
      return test.detection_level_id ? level(test.detection_level_id) : "(empty)";
    case "category_id":
      return test.category_id
        ? (names.categories.find((item) => item.id === test.category_id)?.name ?? test.category_id)
        : "(empty)";
    case "expected_tool_ids":
      return test.expected_tool_ids.length ? test.expected_tool_ids.map(tool).join(", ") : "(none)";
    case "detected_at":
      return test.detected_at ? time(test.detected_at) : "(empty)";
    case "detections":
      return test.detections.length
        ? test.detections
            .map((item) =>
              [
                `${toolLabel(item)}: ${level(item.detection_level_id)}`,
                item.rule_ref && `rule ${item.rule_ref}`,
                item.detected_at && `detected ${time(item.detected_at)}`,
                item.notes,
              ]
                .filter(Boolean)
                .join(", "),
            )
            .join("; ")
        : "(none)";
    case "execution_result":
      // As the drawer's menu names it ("Success"), not the API's value.
      return test.execution_result
        ? EXECUTION_RESULT_LABELS[test.execution_result as keyof typeof EXECUTION_RESULT_LABELS]
        : "(empty)";
    default:
      return shown(test[field]);
  }
}

/**
 * Someone else saved the test after it was loaded here (412). Shows what they changed (their
 * values) and offers to keep the edits made here (the next save then replaces their values of
 * the fields edited here, and only those) or to reload, which drops them for their version.
 */
export function ConflictDialog({
  mine,
  theirs,
  onKeep,
  onReload,
  onClosed,
  names,
}: {
  mine: MissionTest;
  theirs: MissionTest | null;
  names: ConflictNames;
  onKeep: () => void;
  onReload: () => void;
  /** Once the dialog is gone (its closing transition over; its content still mounted, holding
   * the focus): gives the focus back where it belongs. */
  onClosed?: () => void;
}) {
  const changed = theirs
    ? (Object.keys(FIELD_LABELS) as (keyof MissionTest)[]).filter(
        (field) => JSON.stringify(mine[field]) !== JSON.stringify(theirs[field]),
      )
    : [];
  return (
    <Modal
      opened={theirs !== null}
      onClose={onKeep}
      onExitTransitionEnd={onClosed}
      // Mantine would give the focus back to what held it when the dialog opened: the page,
      // the save button being disabled while it saved. `onClosed` puts it back instead.
      returnFocus={false}
      title="Changed by someone else"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <Stack>
        <Text size="sm">
          This test was changed by someone else after you opened it, so your change was not saved.
          Their values:
        </Text>
        <Table data-testid="conflict-values">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th>Their value</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changed.map((field) => (
              <Table.Tr key={field}>
                <Table.Td>{FIELD_LABELS[field]}</Table.Td>
                <Table.Td style={{ whiteSpace: "pre-wrap" }}>
                  {theirs ? theirValue(theirs, field, names) : ""}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="sm">
          Keep my edits: what you typed stays, the other fields take their values, and your next
          save replaces their values of the fields you changed. Reload: your edits are dropped.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onKeep}>
            Keep my edits
          </Button>
          <Button onClick={onReload}>Reload</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
