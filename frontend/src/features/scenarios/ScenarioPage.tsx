import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/problem";
import type { MitreTag, ScenarioTemplateDetail } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { Markdown } from "../../app/Markdown";
import { NothingFound } from "../../app/NothingFound";
import { UnsavedChangesPrompt } from "../../app/UnsavedChangesPrompt";
import { useAuth } from "../auth/AuthProvider";
import { fetchTemplates } from "../library/api";
import { MitreTags } from "../library/MitreTags";
import {
  deleteScenario,
  fetchScenario,
  replaceTests,
  scenarioQueryKey,
  scenariosQueryKey,
} from "./api";
import { EditScenarioModal } from "./EditScenarioModal";
import { moveItem, removeItem, sameOrder } from "./order";
import classes from "./ScenarioPage.module.css";

/** One position of the order being edited (`key` tells duplicates apart). */
interface Entry {
  key: string;
  templateId: string;
  name: string;
  deleted: boolean;
  mitre: MitreTag[];
}

let nextKey = 0;
const newKey = () => `entry-${nextKey++}`;

function entriesOf(scenario: ScenarioTemplateDetail): Entry[] {
  return scenario.tests.map((test) => ({
    key: newKey(),
    templateId: test.test_template_id,
    name: test.name,
    deleted: test.deleted,
    mitre: test.mitre,
  }));
}

/** Search the library and add a template at the end of the order. */
function AddTest({ onAdd }: { onAdd: (entry: Entry) => void }) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const results = useQuery({
    queryKey: ["library", "pick", debounced],
    queryFn: () => fetchTemplates({ q: debounced || undefined, limit: 50, offset: 0 }),
  });
  const items = results.data?.items ?? [];
  return (
    <Select
      label="Add a test"
      placeholder="Search the library"
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      data={items.map((template) => ({ value: template.id, label: template.name }))}
      value={null}
      onChange={(id) => {
        const template = items.find((item) => item.id === id);
        if (!template) return;
        onAdd({
          key: newKey(),
          templateId: template.id,
          name: template.name,
          deleted: false,
          mitre: template.mitre,
        });
        setSearch("");
      }}
      nothingFoundMessage={
        <NothingFound>{results.isFetching ? "Searching…" : "No template matches."}</NothingFound>
      }
      maw={480}
    />
  );
}

/** A scenario's ordered tests: reorder by drag and drop or by keyboard, add, remove, save. */
export default function ScenarioPage() {
  const { scenarioId = "" } = useParams();
  const { can } = useAuth();
  const editable = can("scenario_template.write");
  const [editOpen, editing] = useDisclosure(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const scenario = useQuery({
    queryKey: scenarioQueryKey(scenarioId),
    queryFn: () => fetchScenario(scenarioId),
  });
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [dragged, setDragged] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const list = useRef<HTMLOListElement>(null);
  // Where the keyboard focus goes once the list has re-rendered: after a move it follows the
  // moved test ([entry key, button name]); a Remove, Save or Discard takes the focused button
  // away (gone with its row, or disabled), so the focus goes to the next row's Remove, the
  // "Saved." status or the list instead of dropping to the page.
  const [focusAfterMove, setFocusAfterMove] = useState<[string, string] | "saved" | "list" | null>(
    null,
  );
  const saveButton = useRef<HTMLButtonElement>(null);
  const savedStatus = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (scenario.data && entries === null) setEntries(entriesOf(scenario.data));
  }, [scenario.data, entries]);

  useEffect(() => {
    if (!focusAfterMove) return;
    setFocusAfterMove(null);
    // Save and Discard leave the Save button disabled: Discard puts the focus on the list
    // (or, emptied, on Save when the emptied list is a change to save).
    const saveOrList = () => {
      if (saveButton.current && !saveButton.current.disabled) saveButton.current.focus();
      else list.current?.focus();
    };
    if (focusAfterMove === "saved") {
      savedStatus.current?.focus();
      return;
    }
    if (focusAfterMove === "list" || !list.current) {
      saveOrList();
      return;
    }
    const [key, action] = focusAfterMove;
    const button = list.current.querySelector<HTMLButtonElement>(
      `[data-entry="${key}"] [data-action="${action}"]:not(:disabled)`,
    );
    (button ?? list.current.querySelector<HTMLElement>(`[data-entry="${key}"]`))?.focus();
  }, [focusAfterMove, entries]);

  const save = useMutation({
    mutationFn: (current: ScenarioTemplateDetail) =>
      replaceTests(
        current.id,
        current.version,
        (entries ?? []).map((entry) => entry.templateId),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(scenarioQueryKey(saved.id), saved);
      setEntries(entriesOf(saved));
      setFocusAfterMove("saved");
      return queryClient.invalidateQueries({ queryKey: [...scenariosQueryKey, "list"] });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteScenario(scenarioId),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: scenariosQueryKey });
      // The list names it, so the delete can be undone there.
      navigate("/scenarios", {
        state: { deletedScenario: { id: scenarioId, name: scenario.data?.name ?? "" } },
      });
    },
  });

  if (scenario.isPending || entries === null) {
    return scenario.error ? (
      <ErrorAlert title="Scenario unavailable" error={scenario.error} />
    ) : (
      <Loader size="sm" aria-label="Loading the scenario" />
    );
  }
  if (scenario.error) return <ErrorAlert title="Scenario unavailable" error={scenario.error} />;

  const saved = scenario.data.tests.map((test) => test.test_template_id);
  const changed = !sameOrder(
    saved,
    entries.map((entry) => entry.templateId),
  );
  const stale = save.error instanceof ApiError && save.error.status === 412;

  const move = (from: number, to: number, action?: string) => {
    if (to < 0 || to >= entries.length) return;
    const entry = entries[from];
    setEntries(moveItem(entries, from, to));
    setAnnouncement(`${entry.name} moved to position ${to + 1} of ${entries.length}.`);
    if (action) setFocusAfterMove([entry.key, action]);
  };

  const reload = async () => {
    save.reset();
    const fresh = await scenario.refetch();
    if (fresh.data) setEntries(entriesOf(fresh.data));
  };

  return (
    <Stack>
      <Anchor component={Link} to="/scenarios" size="sm">
        All scenarios
      </Anchor>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{scenario.data.name}</Title>
        <Group>
          {editable && (
            <Button variant="default" onClick={editing.open}>
              Edit scenario
            </Button>
          )}
          {can("scenario_template.delete") && (
            <Button
              color="red"
              variant="light"
              loading={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the scenario ${scenario.data.name}?`)) remove.mutate();
              }}
            >
              Delete scenario
            </Button>
          )}
        </Group>
      </Group>
      {scenario.data.description && <Markdown text={scenario.data.description} empty="" />}
      <EditScenarioModal scenario={scenario.data} opened={editOpen} onClose={editing.close} />
      {/* Deleting the scenario leaves the page on purpose: nothing to ask then. */}
      <UnsavedChangesPrompt when={changed && !remove.isPending} />
      {remove.error && <ErrorAlert title="Could not delete" error={remove.error} />}
      <VisuallyHidden aria-live="polite" role="status">
        {announcement}
      </VisuallyHidden>
      {entries.length === 0 ? (
        <Text size="sm" c="gray.7">
          No test yet.
        </Text>
      ) : (
        <ol
          className={classes.list}
          ref={list}
          tabIndex={-1}
          aria-label="Tests in order"
          data-testid="scenario-tests"
        >
          {entries.map((entry, index) => {
            const label = `${entry.name} (position ${index + 1})`;
            return (
              <li
                key={entry.key}
                data-entry={entry.key}
                data-testid="scenario-test"
                tabIndex={-1}
                className={classes.item}
                data-dragging={dragged === index || undefined}
                draggable={editable}
                onDragStart={(event) => {
                  setDragged(index);
                  event.dataTransfer.effectAllowed = "move";
                }}
                onDragOver={(event) => {
                  if (dragged === null) return;
                  event.preventDefault();
                  event.dataTransfer.dropEffect = "move";
                }}
                onDrop={(event) => {
                  event.preventDefault();
                  if (dragged !== null) move(dragged, index);
                  setDragged(null);
                }}
                onDragEnd={() => setDragged(null)}
              >
                <Paper withBorder p="xs">
                  <Group justify="space-between" wrap="nowrap">
                    <Group gap="sm" wrap="nowrap">
                      {editable && (
                        <span className={classes.handle} aria-hidden="true">
                          ⠿
                        </span>
                      )}
                      <Text fw={600} size="sm" className={classes.position}>
                        {index + 1}.
                      </Text>
                      <Text size="sm" td={entry.deleted ? "line-through" : undefined}>
                        {entry.name}
                      </Text>
                      {entry.deleted && (
                        <Badge color="red" variant="light" data-testid="deleted-badge">
                          Deleted
                        </Badge>
                      )}
                      <MitreTags tags={entry.mitre} />
                    </Group>
                    {editable && (
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon
                          variant="default"
                          data-action="up"
                          aria-label={`Move ${label} up`}
                          disabled={index === 0}
                          onClick={() => move(index, index - 1, "up")}
                        >
                          ↑
                        </ActionIcon>
                        <ActionIcon
                          variant="default"
                          data-action="down"
                          aria-label={`Move ${label} down`}
                          disabled={index === entries.length - 1}
                          onClick={() => move(index, index + 1, "down")}
                        >
                          ↓
                        </ActionIcon>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${label}`}
                          data-action="remove"
                          onClick={() => {
                            setEntries(removeItem(entries, index));
                            setAnnouncement(`${entry.name} removed.`);
                            // The test now in its place, else the one before, else Save.
                            const neighbour = entries[index + 1] ?? entries[index - 1];
                            setFocusAfterMove(neighbour ? [neighbour.key, "remove"] : "list");
                          }}
                        >
                          Remove
                        </Button>
                      </Group>
                    )}
                  </Group>
                </Paper>
              </li>
            );
          })}
        </ol>
      )}
      {editable && (
        <>
          <AddTest onAdd={(entry) => setEntries([...entries, entry])} />
          {stale && (
            <Alert color="orange" title="Changed by someone else" role="alert">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  Someone else saved this scenario since you opened it, so your changes were not
                  saved. Reload to see their version (your unsaved changes are dropped).
                </Text>
                <Button size="xs" onClick={reload}>
                  Reload
                </Button>
              </Stack>
            </Alert>
          )}
          {save.error && !stale && (
            <ErrorAlert title="Could not save the tests" error={save.error} />
          )}
          <Group>
            <Button
              ref={saveButton}
              onClick={() => save.mutate(scenario.data)}
              loading={save.isPending}
              disabled={!changed}
            >
              Save tests and order
            </Button>
            {changed && (
              <Button
                variant="default"
                onClick={() => {
                  setEntries(entriesOf(scenario.data));
                  setFocusAfterMove("list");
                }}
              >
                Discard changes
              </Button>
            )}
            {/* Added, removed and moved tests are kept only once saved. */}
            {changed && <Text size="sm">Unsaved changes: save them before leaving the page.</Text>}
            {!changed && save.isSuccess && (
              <Text size="sm" c="green" role="status" ref={savedStatus} tabIndex={-1}>
                Saved.
              </Text>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}
