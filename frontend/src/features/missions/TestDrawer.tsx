import {
  Badge,
  Button,
  Divider,
  Drawer,
  Group,
  MultiSelect,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { isConflict, isForbidden, isRefused } from "../../api/problem";
import { ErrorAlert } from "../../app/ErrorAlert";
import {
  EXECUTION_RESULT_LABELS,
  STATE_LABELS,
  TRANSITIONS,
  canEditBlue,
  canEditRed,
  fetchTest,
  labelled,
  missionsKey,
  replaceDetections,
  retest,
  updateTest,
} from "./api";
import type {
  Category,
  DefenseTool,
  DetectionLevel,
  MissionTest,
  MissionTestUpdate,
  Role,
  TestState,
} from "./api";
import { ConflictDialog } from "./ConflictDialog";
import {
  DELETED_TOOL,
  toolLabel,
  DetectionRows,
  apiRowErrors,
  newRow,
  rowErrors,
  rowsToBody,
  toLocalInput,
} from "./DetectionRows";
import { EvidencePanel } from "./EvidencePanel";
import { clashes, keepEdits, same } from "./formEdits";
import { NO_TOOLS_YET } from "./noTools";
import type { DetectionRow, RowError } from "./DetectionRows";
import { LevelLabel } from "./LevelLabel";
import { Markdown } from "../../app/Markdown";
import { NotesThread } from "./NotesThread";

const EXECUTION_RESULTS = ["success", "failed", "partial"] as const;
// A run is retested once it has ended; a pending or running one is simply run (or reopened).
const RUN_ENDED: TestState[] = ["completed", "cancelled"];

interface RedValues {
  source_host: string;
  target_host: string;
  command_executed: string;
  execution_result: string | null;
  red_notes: string;
}

interface BlueValues {
  detection_notes: string;
  detection_refs: string;
  expected_tool_ids: string[];
  rows: DetectionRow[];
}

function redValuesOf(test: MissionTest): RedValues {
  return {
    source_host: test.source_host ?? "",
    target_host: test.target_host ?? "",
    command_executed: test.command_executed ?? "",
    execution_result: test.execution_result ?? null,
    red_notes: test.red_notes ?? "",
  };
}

function blueValuesOf(test: MissionTest): BlueValues {
  return {
    detection_notes: test.detection_notes ?? "",
    detection_refs: test.detection_refs.join(", "),
    expected_tool_ids: test.expected_tool_ids,
    rows: test.detections.map((detection) =>
      newRow({
        tool_id: detection.tool_id,
        detection_level_id: detection.detection_level_id,
        detected_at: toLocalInput(detection.detected_at),
        saved_detected_at: detection.detected_at ?? null,
        rule_ref: detection.rule_ref ?? "",
        notes: detection.notes ?? "",
      }),
    ),
  };
}

const orNull = (value: string) => (value.trim() ? value : null);

/** The drawer's forms, for the "Saved." each shows after its own save. */
type Form = "red" | "blue" | "detections";

/**
 * One test: what to run (Markdown), the state buttons, the red section and the blue section with
 * per-tool outcomes. Each section is editable only for the roles that may write it; everyone
 * else reads it. Saves send If-Match, and a 412 opens the conflict dialog.
 */
export function TestDrawer({
  test,
  role,
  canWriteNotes,
  canDownloadEvidence,
  levels,
  tools,
  onClose,
  onOpenTest,
  onRemove,
  order,
  categories = [],
  returnFocus = true,
  readOnly = false,
}: {
  test: MissionTest | null;
  /** The role whose controls show: viewer while the mission is archived (read-only). */
  role: Role;
  canWriteNotes: boolean;
  /** Evidence leaves the server for the mission's members only (an outsider manager sees the list). */
  canDownloadEvidence: boolean;
  levels: DetectionLevel[];
  tools: DefenseTool[];
  onClose: () => void;
  onOpenTest: (test: MissionTest) => void;
  /** Given to the lead (and mission.manage_all): removes the test from the mission. */
  onRemove?: (test: MissionTest) => void;
  /** Given to the lead: moves the test one place up or down the mission's order. */
  order?: TestOrder;
  /** The mission's categories; the lead moves the test between them. */
  categories?: Category[];
  /** Closing gives the focus back to the control that opened the drawer (Mantine's default);
   * false when that control is gone and the page puts the focus elsewhere. */
  returnFocus?: boolean;
  /** The mission is archived: no control changes anything, not even one's own note or file. */
  readOnly?: boolean;
}) {
  // While the conflict dialog is open, Escape closes that dialog only: the drawer listens for it
  // on the window too, and would close as well, dropping the edits typed in it.
  const [inConflict, setInConflict] = useState(false);
  return (
    <Drawer
      opened={test !== null}
      onClose={onClose}
      closeOnEscape={!inConflict}
      returnFocus={returnFocus}
      position="right"
      size="xl"
      title={test?.name ?? "Test"}
      closeButtonProps={{ "aria-label": "Close test" }}
    >
      {test && (
        <TestDetails
          key={test.id}
          initial={test}
          role={role}
          canWriteNotes={canWriteNotes}
          canDownloadEvidence={canDownloadEvidence}
          levels={levels}
          tools={tools}
          onOpenTest={onOpenTest}
          onRemove={onRemove}
          order={order}
          categories={categories}
          onConflictDialog={setInConflict}
          readOnly={readOnly}
        />
      )}
    </Drawer>
  );
}

/** The lead's controls of the test's place in the mission (MissionPage does the move). */
interface TestOrder {
  move: (test: MissionTest, delta: -1 | 1) => void;
  moving: boolean;
  /** What the last move did, for the test it moved. */
  notice: { testId: string; notice: string } | null;
  error: unknown;
}

function TestDetails({
  initial,
  role,
  canWriteNotes,
  canDownloadEvidence,
  levels,
  tools,
  onOpenTest,
  onRemove,
  order,
  categories,
  onConflictDialog,
  readOnly,
}: {
  initial: MissionTest;
  role: Role;
  canWriteNotes: boolean;
  canDownloadEvidence: boolean;
  levels: DetectionLevel[];
  tools: DefenseTool[];
  onOpenTest: (test: MissionTest) => void;
  onRemove?: (test: MissionTest) => void;
  order?: TestOrder;
  categories: Category[];
  /** Told whether the conflict dialog is open. */
  onConflictDialog: (open: boolean) => void;
  readOnly: boolean;
}) {
  const queryClient = useQueryClient();
  // The version edits are based on: set on open, after our own saves and on reload only, so a
  // background refresh never silently replaces what is being typed.
  const [base, setBase] = useState(initial);
  const [red, setRed] = useState(() => redValuesOf(initial));
  const [blue, setBlue] = useState(() => blueValuesOf(initial));
  const [theirs, setTheirs] = useState<MissionTest | null>(null);
  const conflictOpen = theirs !== null;
  useEffect(() => {
    if (!conflictOpen) return;
    onConflictDialog(true);
    return () => onConflictDialog(false);
  }, [conflictOpen, onConflictDialog]);
  // The form whose save succeeded last; its "Saved." shows until it is edited again.
  const [savedForm, setSavedForm] = useState<Form | null>(null);
  // Set by the first Save detections: from then on, incomplete rows say what they lack.
  const [checkRows, setCheckRows] = useState(false);
  const levelsById = new Map(levels.map((level) => [level.id, level]));
  const toolsById = new Map(tools.map((tool) => [tool.id, tool]));
  // A tool by id: the live tools' name, else as an outcome names it ("NDR (deleted)"), else
  // "Deleted tool" (an expected tool deleted since, without an outcome).
  const toolName = (id: string) => {
    const outcome = base.detections.find((detection) => detection.tool_id === id);
    return toolsById.get(id)?.name ?? (outcome ? toolLabel(outcome) : DELETED_TOOL);
  };

  /**
   * Takes `next`, a newer version someone else saved, as the base of the forms: the fields the
   * user has edited keep what they typed, every other field follows `next`.
   */
  const rebase = (next: MissionTest) => {
    setRed((current) => keepEdits(current, redValuesOf(base), redValuesOf(next)));
    setBlue((current) => keepEdits(current, blueValuesOf(base), blueValuesOf(next)));
    setBase(next);
  };
  // The mission page hands in the test again after each refresh (every LIVE_REFRESH_MS, and
  // when it is opened). A newer version is followed, so the drawer shows what the others did
  // meanwhile and saves on top of it; unless it changed a field being edited here: then the
  // base stays, and saving shows the conflict dialog instead of overwriting their change.
  const [offered, setOffered] = useState(initial);
  if (initial !== offered) {
    setOffered(initial);
    if (
      initial.version > base.version &&
      clashes(red, redValuesOf(base), redValuesOf(initial)).length === 0 &&
      clashes(blue, blueValuesOf(base), blueValuesOf(initial)).length === 0
    ) {
      rebase(initial);
    }
  }

  /**
   * The server's answer to our save of `sent` fields (a state change sends none of the forms'):
   * what the user typed and has not sent survives it; the rest of the forms follows the server.
   */
  const saved = (test: MissionTest, sent: string[], form: Form | null) => {
    setRed((current) => keepEdits(current, redValuesOf(base), redValuesOf(test), sent));
    setBlue((current) => keepEdits(current, blueValuesOf(base), blueValuesOf(test), sent));
    setBase(test);
    setSavedForm(form);
    queryClient.invalidateQueries({ queryKey: missionsKey });
  };
  const onError = async (error: unknown) => {
    if (isConflict(error)) {
      inDialog.current = true;
      setTheirs(await fetchTest(base.mission_id, base.id));
    } else if (isForbidden(error) || isRefused(error)) {
      // The lead changed the caller's role since the page last asked (every LIVE_REFRESH_MS),
      // or archived the mission (409, every write refused): the mission is asked for at once,
      // so the controls of the role they had go now, not one refused save after another until
      // the next refresh.
      queryClient.invalidateQueries({ queryKey: missionsKey });
    }
  };
  // The control a save was started from is disabled while it runs (a button's loading state),
  // which drops the keyboard focus to the page, and a state change replaces the button pressed
  // by the next step's. Once the save is over, the focus goes back to that control, or to the
  // first state button when it is gone.
  const pressed = useRef<HTMLElement | null>(null);
  // Set from a conflict until its dialog has closed: the dialog holds the focus meanwhile.
  const inDialog = useRef(false);
  const stateButtons = useRef<HTMLDivElement>(null);
  const remember = () => {
    pressed.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  };
  const giveFocusBack = () => {
    const from = pressed.current;
    pressed.current = null;
    if (!from) return;
    (from.isConnected ? from : stateButtons.current?.querySelector("button"))?.focus();
  };
  const refocus = () => {
    // Focus the user moved elsewhere meanwhile stays where they put it.
    if (document.activeElement && document.activeElement !== document.body) {
      pressed.current = null;
      return;
    }
    giveFocusBack();
  };
  const patch = useMutation({
    mutationFn: ({ body }: { body: MissionTestUpdate; form: Form | null }) =>
      updateTest(base, body),
    onMutate: remember,
    onSuccess: (test, { body, form }) => saved(test, Object.keys(body), form),
    onError,
  });
  const detections = useMutation({
    mutationFn: (rows: DetectionRow[]) => replaceDetections(base, rowsToBody(rows)),
    onMutate: remember,
    onSuccess: (test) => saved(test, ["rows"], "detections"),
    onError,
  });
  const rerun = useMutation({
    mutationFn: () => retest(base),
    onSuccess: (run) => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onOpenTest(run);
    },
    onError,
  });
  const saving = patch.isPending || detections.isPending;
  useEffect(() => {
    if (!saving && !inDialog.current) refocus();
  });
  const failure = [patch, detections, rerun].find(
    (mutation) => mutation.error && !isConflict(mutation.error),
  )?.error;
  // A refused save of the outcomes names the row and field at fault: the alert says which and
  // why, and the row's field shows it until its value is changed.
  const sentRows = detections.variables ?? [];
  const refused = apiRowErrors(detections.error, sentRows, tools);
  const rowProblems: Record<string, RowError> = checkRows ? rowErrors(blue.rows, tools) : {};
  for (const [key, problem] of Object.entries(refused.rows)) {
    const now = blue.rows.find((row) => row.key === key);
    const then = sentRows.find((row) => row.key === key);
    if (now && then && now.detected_at === then.detected_at) {
      rowProblems[key] = { ...rowProblems[key], ...problem };
    }
  }

  const state = base.state as TestState;
  const redEditable = canEditRed(role);
  const blueEditable = canEditBlue(role);
  const { rows: savedRows, ...savedBlueFields } = blueValuesOf(base);
  const { rows, ...blueFields } = blue;
  const shownSaved: Record<Form, boolean> = {
    red: savedForm === "red" && same(red, redValuesOf(base)),
    blue: savedForm === "blue" && same(blueFields, savedBlueFields),
    detections: savedForm === "detections" && same(rows, savedRows),
  };

  return (
    <Stack data-testid="test-drawer">
      <Group justify="space-between">
        <Group gap="xs">
          <Badge variant="light" data-testid="drawer-state">
            {STATE_LABELS[state]}
          </Badge>
          <LevelLabel
            level={base.detection_level_id ? levelsById.get(base.detection_level_id) : undefined}
          />
          {base.retest_of_id && <Badge variant="outline">Retest</Badge>}
          {!base.is_latest && <Badge variant="outline">Earlier run</Badge>}
        </Group>
        <Group gap="xs">
          {order && (
            <Group gap="xs" role="group" aria-label="Order in the mission">
              <Button
                size="xs"
                variant="default"
                disabled={order.moving}
                onClick={() => order.move(base, -1)}
              >
                Move up
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={order.moving}
                onClick={() => order.move(base, 1)}
              >
                Move down
              </Button>
            </Group>
          )}
          {onRemove && (
            <Button
              size="xs"
              color="red"
              variant="light"
              onClick={() => {
                if (window.confirm(`Remove the test ${base.name} from the mission?`)) {
                  onRemove(base);
                }
              }}
            >
              Remove from mission
            </Button>
          )}
        </Group>
      </Group>
      {order && (
        <Text size="sm" role="status" data-testid="order-notice">
          {order.notice?.testId === base.id ? order.notice.notice : ""}
        </Text>
      )}
      {order?.error ? <ErrorAlert title="Not moved" error={order.error} /> : null}
      {redEditable && (
        <Group gap="xs" aria-label="State transitions" role="group" ref={stateButtons}>
          {TRANSITIONS[state].map((transition) => (
            <Button
              key={transition.to}
              size="xs"
              variant={transition.to === "cancelled" ? "default" : "filled"}
              loading={patch.isPending}
              onClick={() => patch.mutate({ body: { state: transition.to }, form: null })}
            >
              {transition.label}
            </Button>
          ))}
          {base.is_latest && RUN_ENDED.includes(state) && (
            <Button
              size="xs"
              variant="light"
              loading={rerun.isPending}
              onClick={() => rerun.mutate()}
            >
              Retest
            </Button>
          )}
        </Group>
      )}
      {role === "lead" && categories.length > 0 && (
        <Select
          label="Category of this test"
          placeholder="No category"
          clearable
          data={categories.map((item) => ({ value: item.id, label: item.name }))}
          value={base.category_id ?? null}
          onChange={(value) => patch.mutate({ body: { category_id: value }, form: null })}
          disabled={patch.isPending}
          maw={320}
        />
      )}
      {failure !== undefined && (
        <ErrorAlert
          title="Not saved"
          error={failure}
          details={failure === detections.error ? refused.lines : undefined}
        />
      )}

      <Section title="What to run">
        <Text size="sm" fw={600}>
          Description
        </Text>
        <Markdown text={base.description} empty="None" />
        {/* What must be in place first and how to undo it (an Atomic test's dependencies and
            cleanup command) are part of running it: red needs them beside the procedure. Shown
            when the test has them, as the library's template view does. */}
        {base.prerequisites?.trim() ? (
          <>
            <Text size="sm" fw={600}>
              Prerequisites
            </Text>
            <Markdown text={base.prerequisites} />
          </>
        ) : null}
        <Text size="sm" fw={600}>
          Procedure
        </Text>
        <Markdown text={base.procedure} empty="None" />
        {base.cleanup?.trim() ? (
          <>
            <Text size="sm" fw={600}>
              Cleanup
            </Text>
            <Markdown text={base.cleanup} />
          </>
        ) : null}
        <Text size="sm" fw={600}>
          Expected detection
        </Text>
        <Markdown text={base.expected_detection} empty="None" />
        <Group gap={6}>
          {base.mitre.map((tag) => (
            <Badge
              key={`${tag.kind}-${tag.external_id}`}
              variant="outline"
              color={tag.catalogue_state === "current" ? "violet" : "red"}
              title={
                tag.catalogue_state === "current"
                  ? tag.name
                  : `${tag.name} (${tag.catalogue_state})`
              }
            >
              {tag.external_id} {tag.name}
              {tag.catalogue_state !== "current" && ` (${tag.catalogue_state})`}
            </Badge>
          ))}
        </Group>
      </Section>

      <Section title="Red team">
        {redEditable ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              patch.mutate({
                body: {
                  source_host: orNull(red.source_host),
                  target_host: orNull(red.target_host),
                  command_executed: orNull(red.command_executed),
                  execution_result: red.execution_result as MissionTestUpdate["execution_result"],
                  red_notes: orNull(red.red_notes),
                },
                form: "red",
              });
            }}
          >
            <Stack gap="xs">
              <Group grow>
                <TextInput
                  label="Source host"
                  maxLength={255}
                  value={red.source_host}
                  onChange={(event) => setRed({ ...red, source_host: event.currentTarget.value })}
                />
                <TextInput
                  label="Target host"
                  maxLength={255}
                  value={red.target_host}
                  onChange={(event) => setRed({ ...red, target_host: event.currentTarget.value })}
                />
              </Group>
              <Textarea
                label="Command executed"
                autosize
                minRows={2}
                value={red.command_executed}
                onChange={(event) =>
                  setRed({ ...red, command_executed: event.currentTarget.value })
                }
              />
              <Select
                label="Execution result"
                data={labelled(EXECUTION_RESULTS, EXECUTION_RESULT_LABELS)}
                clearable
                value={red.execution_result}
                onChange={(value) => setRed({ ...red, execution_result: value })}
              />
              <Textarea
                label="Red notes (Markdown)"
                autosize
                minRows={2}
                value={red.red_notes}
                onChange={(event) => setRed({ ...red, red_notes: event.currentTarget.value })}
              />
              <Group justify="flex-end">
                <SavedNote shown={shownSaved.red} />
                <Button type="submit" loading={patch.isPending}>
                  Save red fields
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <ReadOnly
            fields={[
              [
                "Executed at",
                base.executed_at ? new Date(base.executed_at).toLocaleString() : null,
              ],
              ["Source host", base.source_host],
              ["Target host", base.target_host],
              ["Command executed", base.command_executed],
              [
                "Execution result",
                base.execution_result &&
                  EXECUTION_RESULT_LABELS[
                    base.execution_result as keyof typeof EXECUTION_RESULT_LABELS
                  ],
              ],
              ["Red notes", base.red_notes && <Markdown text={base.red_notes} empty="None" />],
            ]}
          />
        )}
        {redEditable && base.executed_at && (
          <Text size="sm">Executed at {new Date(base.executed_at).toLocaleString()}</Text>
        )}
      </Section>

      <Section title="Blue team">
        <Text size="sm">
          Time to detect:{" "}
          {base.time_to_detect_s === null || base.time_to_detect_s === undefined
            ? "—"
            : `${base.time_to_detect_s} s`}
          {base.silent_tool_ids.length > 0 &&
            ` · Silent expected tools: ${base.silent_tool_ids.map(toolName).join(", ")}`}
        </Text>
        {blueEditable ? (
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              Per-tool outcomes
            </Text>
            {tools.length === 0 && (
              <Text size="sm" c="gray.7" data-testid="no-tools-yet">
                {NO_TOOLS_YET}
              </Text>
            )}
            <DetectionRows
              rows={blue.rows}
              onChange={(rows) => setBlue({ ...blue, rows })}
              tools={tools}
              levels={levels}
              recorded={base.detections}
              errors={rowProblems}
            />
            <Group justify="flex-end">
              <SavedNote shown={shownSaved.detections} />
              <Button
                loading={detections.isPending}
                onClick={() => {
                  setCheckRows(true);
                  // An incomplete row says what it lacks; nothing is sent until it is whole.
                  if (Object.keys(rowErrors(blue.rows, tools)).length === 0) {
                    detections.mutate(blue.rows);
                  }
                }}
              >
                Save detections
              </Button>
            </Group>
            <form
              onSubmit={(event) => {
                event.preventDefault();
                patch.mutate({
                  body: {
                    detection_notes: orNull(blue.detection_notes),
                    detection_refs: blue.detection_refs
                      .split(",")
                      .map((ref) => ref.trim())
                      .filter(Boolean),
                    expected_tool_ids: blue.expected_tool_ids,
                  },
                  form: "blue",
                });
              }}
            >
              <Stack gap="xs">
                <MultiSelect
                  label="Expected tools"
                  // An expected tool deleted since stays expected (the API keeps it): named,
                  // rather than an empty pill.
                  data={[
                    ...tools.map((tool) => ({ value: tool.id, label: tool.name })),
                    ...blue.expected_tool_ids
                      .filter((id) => !toolsById.has(id))
                      .map((id) => ({ value: id, label: toolName(id) })),
                  ]}
                  description={tools.length === 0 ? NO_TOOLS_YET : undefined}
                  value={blue.expected_tool_ids}
                  onChange={(value) => setBlue({ ...blue, expected_tool_ids: value })}
                />
                <TextInput
                  label="Detection references (rule or alert ids, comma-separated)"
                  value={blue.detection_refs}
                  onChange={(event) =>
                    setBlue({ ...blue, detection_refs: event.currentTarget.value })
                  }
                />
                <Textarea
                  label="Detection notes (Markdown)"
                  autosize
                  minRows={2}
                  value={blue.detection_notes}
                  onChange={(event) =>
                    setBlue({ ...blue, detection_notes: event.currentTarget.value })
                  }
                />
                <Group justify="flex-end">
                  <SavedNote shown={shownSaved.blue} />
                  <Button type="submit" variant="light" loading={patch.isPending}>
                    Save blue fields
                  </Button>
                </Group>
              </Stack>
            </form>
          </Stack>
        ) : (
          <Stack gap="xs">
            {base.detections.length > 0 && (
              <ul data-testid="detections-read-only">
                {/* Every field blue recorded for a tool: its level and rule reference on the
                    first line, then when it detected, then its notes. */}
                {base.detections.map((detection) => (
                  <li key={detection.tool_id}>
                    <Text size="sm" span data-testid="detection-outcome">
                      {toolLabel(detection)}:{" "}
                      {levelsById.get(detection.detection_level_id)?.name ?? "Level"}
                      {detection.rule_ref && ` (rule ${detection.rule_ref})`}
                    </Text>
                    {detection.detected_at && (
                      <Text size="sm" data-testid="detection-time">
                        Detected at {new Date(detection.detected_at).toLocaleString()}
                      </Text>
                    )}
                    {detection.notes && (
                      <div data-testid="detection-notes">
                        <Markdown text={detection.notes} empty="" />
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <ReadOnly
              recordedElsewhere={base.detections.length > 0}
              fields={[
                ["Detection references", base.detection_refs.join(", ")],
                [
                  "Detection notes",
                  base.detection_notes && <Markdown text={base.detection_notes} empty="None" />,
                ],
              ]}
            />
          </Stack>
        )}
      </Section>

      <Section title="Evidence">
        <EvidencePanel
          missionId={base.mission_id}
          testId={base.id}
          role={role}
          canDownload={canDownloadEvidence}
          readOnly={readOnly}
        />
      </Section>

      <Section title="Notes">
        <NotesThread
          missionId={base.mission_id}
          testId={base.id}
          canWrite={canWriteNotes}
          // The acting role is lead for the lead and for a mission.manage_all holder.
          canDeleteAll={role === "lead"}
          readOnly={readOnly}
        />
      </Section>

      <ConflictDialog
        mine={base}
        theirs={theirs}
        names={{ levels, tools, categories }}
        onClosed={() => {
          inDialog.current = false;
          // The dialog cannot give the focus back itself: its save button was disabled when it
          // opened, so it noted the page. Its closing button still holds the focus here, and
          // goes with the dialog right after: the save button takes it first.
          giveFocusBack();
        }}
        onKeep={() => {
          // Keeping is the choice to save over their version, having seen it: the fields edited
          // here stay, the others take their values, and the next save is based on theirs.
          if (theirs) rebase(theirs);
          setTheirs(null);
          patch.reset();
          detections.reset();
        }}
        onReload={() => {
          if (theirs) {
            // Reload is the choice to drop what was typed for their version.
            setBase(theirs);
            setRed(redValuesOf(theirs));
            setBlue(blueValuesOf(theirs));
            setSavedForm(null);
          }
          setTheirs(null);
          patch.reset();
          detections.reset();
          queryClient.invalidateQueries({ queryKey: missionsKey });
        }}
      />
    </Stack>
  );
}

/** The confirmation the app's other forms give ("Saved."), announced to screen readers. */
function SavedNote({ shown }: { shown: boolean }) {
  return (
    <Text size="sm" c="green" role="status">
      {shown ? "Saved." : ""}
    </Text>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <Divider my="xs" />
      <Title order={3} size="h4" mb="xs">
        {title}
      </Title>
      <Stack gap="xs">{children}</Stack>
    </section>
  );
}

/** `recordedElsewhere`: the section shows something recorded besides these fields (blue's
 * per-tool outcomes), so empty fields do not mean nothing was recorded. */
function ReadOnly({
  fields,
  recordedElsewhere = false,
}: {
  fields: [string, ReactNode][];
  recordedElsewhere?: boolean;
}) {
  const present = fields.filter(([, value]) => value);
  if (present.length === 0) {
    // Plain text, not an alert: it is no news, and a screen reader would announce it each time
    // a test is opened.
    return recordedElsewhere ? null : <Text size="sm">Nothing recorded yet.</Text>;
  }
  return (
    <dl>
      {present.map(([label, value]) => (
        <div key={label}>
          <dt>
            <strong>{label}</strong>
          </dt>
          <dd style={{ marginInlineStart: 0, marginBottom: 8 }}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
