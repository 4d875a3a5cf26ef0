import {
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { isConflict } from "../../api/problem";
import { ErrorAlert } from "../../app/ErrorAlert";
import { formatDate } from "../../app/format";
import { DeletedList } from "../../app/DeletedList";
import { UndoAlert } from "../../app/UndoAlert";
import { ConfirmCancelTest } from "./ConfirmCancelTest";
import {
  LIVE_REFRESH_MS,
  MISSION_STATUSES,
  MISSION_STATUS_LABELS,
  STATE_LABELS,
  TEST_STATES,
  actingRole,
  canEditRed,
  categoriesKey,
  labelled,
  deleteMission,
  deleteTest,
  fetchCategories,
  fetchLevels,
  fetchMission,
  fetchTests,
  fetchTools,
  levelsKey,
  missionKey,
  missionsKey,
  reorderTests,
  restoreTest,
  testsKey,
  toolsKey,
  updateMission,
  updateTest,
} from "./api";
import type { MissionStatus, MissionTest, TestState } from "./api";
import { MissionCoverageActions } from "../coverage/MissionCoverageActions";
import { moveItem } from "../scenarios/order";
import { AddTestsModal } from "./AddTestsModal";
import { CategoriesModal } from "./CategoriesModal";
import { EditMissionModal } from "./EditMissionModal";
import { Markdown } from "../../app/Markdown";
import { MembersModal } from "./MembersModal";
import { MissionProgress, Score } from "./MissionProgress";
import { STATUS_COLORS } from "./MissionsPage";
import { NotesThread } from "./NotesThread";
import { TestDrawer } from "./TestDrawer";
import { useAuth } from "../auth/AuthProvider";
import { TestsTable } from "./TestsTable";

/** The mission workspace: the tests table with filters, and the test drawer. */
export default function MissionPage() {
  const { missionId = "" } = useParams();
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const [membersOpen, members] = useDisclosure(false);
  // "Members saved." after a save, until the dialog opens again.
  const [membersSaved, setMembersSaved] = useState<number | null>(null);
  const [addOpen, adding] = useDisclosure(false);
  const [editOpen, editing] = useDisclosure(false);
  const [categoriesOpen, categoriesModal] = useDisclosure(false);
  const [activeIndex, setActiveIndex] = useState(0);

  const state = searchParams.get("state");
  const level = searchParams.get("level");
  const category = searchParams.get("category");
  const technique = searchParams.get("technique") ?? "";
  const [search, setSearch] = useState(searchParams.get("q") ?? "");
  const [q] = useDebouncedValue(search, 250);
  const openTestId = searchParams.get("test");

  const setParam = (name: string, value: string | null) =>
    setSearchParams(
      (params) => {
        if (value) params.set(name, value);
        else params.delete(name);
        return params;
      },
      { replace: true },
    );

  // Others record outcomes meanwhile: the mission (its score), its tests and the tools blue
  // picks from are asked for again every LIVE_REFRESH_MS while the tab is visible.
  const mission = useQuery({
    queryKey: missionKey(missionId),
    queryFn: () => fetchMission(missionId),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const levels = useQuery({ queryKey: levelsKey, queryFn: () => fetchLevels() });
  const tools = useQuery({
    queryKey: toolsKey,
    queryFn: () => fetchTools(),
    refetchInterval: LIVE_REFRESH_MS,
  });
  // The lead adds and renames categories meanwhile: the tests come back in them, so their
  // names (the table's badges, the filter) are asked for again at the same pace.
  const categories = useQuery({
    queryKey: categoriesKey(missionId),
    queryFn: () => fetchCategories(missionId),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const categoriesById = useMemo(
    () => new Map((categories.data ?? []).map((item) => [item.id, item])),
    [categories.data],
  );
  const filters = {
    state: (state as TestState) ?? undefined,
    detection_level: level ?? undefined,
    category: category ?? undefined,
    technique: technique || undefined,
    q: q || undefined,
  };
  const tests = useQuery({
    queryKey: [...testsKey(missionId), filters],
    queryFn: () => fetchTests(missionId, filters),
    refetchInterval: LIVE_REFRESH_MS,
  });
  // A removed test (soft) can be put back from the alert it leaves.
  const [removedTest, setRemovedTest] = useState<MissionTest | null>(null);
  const removeTest = useMutation({
    mutationFn: deleteTest,
    onSuccess: (_, test) => {
      setParam("test", null);
      setRemovedTest(test);
      queryClient.invalidateQueries({ queryKey: missionsKey });
    },
  });
  // The lead moves a test one place up or down in the whole mission's order (filters aside);
  // the drawer says where it went.
  const [moved, setMoved] = useState<{ testId: string; notice: string } | null>(null);
  const moveTest = useMutation({
    mutationFn: async ({ test, delta }: { test: MissionTest; delta: -1 | 1 }) => {
      const ids = (await fetchTests(missionId, {})).map((item) => item.id);
      const from = ids.indexOf(test.id);
      const to = from + delta;
      if (from < 0 || to < 0 || to >= ids.length) {
        return { testId: test.id, notice: `Already ${delta < 0 ? "first" : "last"}.` };
      }
      await reorderTests(missionId, moveItem(ids, from, to));
      return { testId: test.id, notice: `Moved to position ${to + 1} of ${ids.length}.` };
    },
    onSuccess: (result) => {
      setMoved(result);
      return queryClient.invalidateQueries({ queryKey: testsKey(missionId) });
    },
  });
  // Red and the lead move a test's state from the table (the drawer offers the same moves).
  const changeState = useMutation({
    mutationFn: ({ test, to }: { test: MissionTest; to: TestState }) =>
      updateTest(test, { state: to }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: missionsKey }),
  });
  const [cancelling, setCancelling] = useState<MissionTest | null>(null);
  const removeMission = useMutation({
    mutationFn: () => deleteMission(missionId),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      navigate("/missions", {
        state: { deletedMission: { id: missionId, name: mission.data?.name ?? "" } },
      });
    },
  });
  const setStatus = useMutation({
    mutationFn: (status: MissionStatus) => updateMission(missionId, { status }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: missionsKey }),
  });
  // An archived mission's Reopen: back to completed (it was done), then the edit controls
  // return; the Reopen button goes with the notice, so the focus goes to what replaces it.
  const [reopened, setReopened] = useState(false);
  const reopen = useMutation({
    mutationFn: () => updateMission(missionId, { status: "completed" }),
    onSuccess: () => {
      setReopened(true);
      return queryClient.invalidateQueries({ queryKey: missionsKey });
    },
  });
  const focusOnce = useCallback((node: HTMLElement | null) => node?.focus(), []);

  const levelsById = useMemo(
    () => new Map((levels.data ?? []).map((item) => [item.id, item])),
    [levels.data],
  );
  // The drawer opens on the table's copy, which may be a refresh old: the tests are asked for
  // at once, and the drawer follows the newer version (see TestDrawer).
  const openTest = (test: MissionTest) => {
    setParam("test", test.id);
    queryClient.invalidateQueries({ queryKey: testsKey(missionId) });
  };
  // The open test stays open when a refresh drops it from the filtered list (someone else moved
  // it out of the filter): its drawer may hold edits not yet saved.
  const listed = openTestId ? tests.data?.find((test) => test.id === openTestId) : undefined;
  const [lastOpen, setLastOpen] = useState<MissionTest | null>(null);
  if (listed && listed !== lastOpen) setLastOpen(listed);
  const drawerTest = listed ?? (lastOpen?.id === openTestId ? lastOpen : null);

  if (mission.isPending) return <Loader aria-label="Loading the mission" />;
  if (mission.error) return <ErrorAlert title="Mission unavailable" error={mission.error} />;
  // An archived mission is read-only (the API refuses every write under it with 409): everyone
  // gets a viewer's controls until its lead (or mission.manage_all) reopens it. Deleting it and
  // changing its status stay theirs.
  const archived = mission.data.status === "archived";
  const canManageMission = mission.data.can_manage ?? false;
  const canChange = canManageMission && !archived;
  const ownRole = actingRole(mission.data);
  const role = archived ? "viewer" : ownRole;
  // Members of any role write notes (and a mission.manage_all holder); read_all outsiders read.
  const canWriteNotes = !archived && (mission.data.my_role != null || canManageMission);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{mission.data.name}</Title>
          <Group gap="xs">
            <Badge
              color={STATUS_COLORS[mission.data.status as MissionStatus]}
              variant="light"
              data-testid="mission-status"
            >
              {mission.data.status}
            </Badge>
            <Text size="sm">Your role: {mission.data.my_role ?? ownRole}</Text>
            {mission.data.environment && (
              <Text size="sm">Environment: {mission.data.environment}</Text>
            )}
            {(mission.data.start_date || mission.data.end_date) && (
              <Text size="sm" data-testid="mission-dates">
                Dates: {formatDate(mission.data.start_date)} – {formatDate(mission.data.end_date)}
              </Text>
            )}
          </Group>
        </Stack>
        <Group>
          {membersSaved !== null && (
            <Text size="sm" c="teal.9" role="status" data-testid="members-saved">
              Members saved: {membersSaved}.
            </Text>
          )}
          <Button
            variant="default"
            onClick={() => {
              setMembersSaved(null);
              members.open();
            }}
          >
            Members
          </Button>
          {can("audit.read") && (
            <Button variant="default" component={Link} to={`/admin/audit?mission_id=${missionId}`}>
              Audit trail
            </Button>
          )}
          {canChange && (
            <>
              <Button variant="default" onClick={editing.open}>
                Edit
              </Button>
              <Button variant="default" onClick={categoriesModal.open}>
                Categories
              </Button>
              <Button onClick={adding.open}>Add tests</Button>
            </>
          )}
          {canManageMission && (
            <>
              <Button
                color="red"
                variant="light"
                loading={removeMission.isPending}
                onClick={() => {
                  if (window.confirm(`Delete the mission ${mission.data.name}?`)) {
                    removeMission.mutate();
                  }
                }}
              >
                Delete mission
              </Button>
              <Select
                label="Mission status"
                data={labelled(MISSION_STATUSES, MISSION_STATUS_LABELS)}
                value={mission.data.status}
                allowDeselect={false}
                onChange={(value) => value && setStatus.mutate(value as MissionStatus)}
                w={150}
              />
            </>
          )}
        </Group>
      </Group>
      {archived && (
        <Alert color="gray" title="Archived — read-only." data-testid="archived-notice">
          <Group justify="space-between">
            <Text size="sm">
              {canManageMission
                ? "Reopen to change it: its status becomes completed."
                : "Its lead can reopen it to change it."}
            </Text>
            {canManageMission && (
              <Button size="xs" loading={reopen.isPending} onClick={() => reopen.mutate()}>
                Reopen
              </Button>
            )}
          </Group>
        </Alert>
      )}
      {reopened && !archived && (
        <Text size="sm" c="teal.9" role="status" tabIndex={-1} ref={focusOnce}>
          Reopened: the mission can be changed again.
        </Text>
      )}
      {reopen.error && <ErrorAlert title="Not reopened" error={reopen.error} />}
      {setStatus.error && <ErrorAlert title="Status not changed" error={setStatus.error} />}
      {removeMission.error && <ErrorAlert title="Not deleted" error={removeMission.error} />}
      {removeTest.error && <ErrorAlert title="Test not removed" error={removeTest.error} />}
      {removedTest && (
        <UndoAlert
          key={removedTest.id}
          message={`Removed the test ${removedTest.name} from the mission.`}
          focusUndo
          undo={() =>
            restoreTest(removedTest).then(() =>
              queryClient.invalidateQueries({ queryKey: missionsKey }),
            )
          }
          onDone={() => setRemovedTest(null)}
        />
      )}
      <MissionCoverageActions
        missionId={missionId}
        missionName={mission.data.name}
        canManage={canChange}
        isMember={mission.data.my_role != null}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="sm">
          <MissionProgress progress={mission.data.progress} />
        </Paper>
        <Paper withBorder p="sm">
          <Group>
            <Text size="sm">Score</Text>
            <Score score={mission.data.progress.score} />
          </Group>
        </Paper>
      </SimpleGrid>
      {mission.data.description && <Markdown text={mission.data.description} empty="None" />}

      <Group align="flex-end">
        <TextInput
          label="Search tests"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setParam("q", event.currentTarget.value || null);
          }}
        />
        <Select
          label="State"
          placeholder="Any state"
          clearable
          data={TEST_STATES.map((value) => ({ value, label: STATE_LABELS[value] }))}
          value={state}
          onChange={(value) => setParam("state", value)}
        />
        <Select
          label="Detection level"
          placeholder="Any level"
          clearable
          data={(levels.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
          value={level}
          onChange={(value) => setParam("level", value)}
        />
        {(categories.data?.length ?? 0) > 0 && (
          <Select
            label="Category"
            placeholder="Any category"
            clearable
            data={(categories.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
            value={category}
            onChange={(value) => setParam("category", value)}
          />
        )}
        <TextInput
          label="Technique"
          placeholder="e.g. T1059"
          value={technique}
          onChange={(event) => setParam("technique", event.currentTarget.value || null)}
        />
      </Group>
      <Text size="sm" id="tests-keyboard-help">
        Keyboard: j / k or the arrow keys move between tests, Enter opens one.
      </Text>

      {changeState.error &&
        // A 412 is someone else's change seen late; the table refetches it right away, so the
        // API's "reload and apply again" would send the user looking for a reload.
        (isConflict(changeState.error) ? (
          <Alert color="red" title="State not changed" role="alert">
            {changeState.variables.test.name} was changed by someone else meanwhile; the table now
            shows its current state. Choose again if it still needs to move.
          </Alert>
        ) : (
          <ErrorAlert title="State not changed" error={changeState.error} />
        ))}
      {tests.isPending ? (
        <Loader aria-label="Loading tests" />
      ) : tests.error ? (
        <ErrorAlert title="Tests unavailable" error={tests.error} />
      ) : tests.data.length === 0 ? (
        <p>No tests match.</p>
      ) : (
        <TestsTable
          tests={tests.data}
          levels={levelsById}
          categories={categoriesById}
          activeIndex={Math.min(activeIndex, tests.data.length - 1)}
          onActiveIndexChange={setActiveIndex}
          onOpen={openTest}
          onChangeState={
            canEditRed(role)
              ? (test, to) =>
                  to === "cancelled" ? setCancelling(test) : changeState.mutate({ test, to })
              : undefined
          }
          changingId={changeState.isPending ? changeState.variables.test.id : null}
        />
      )}
      <ConfirmCancelTest
        test={cancelling}
        onConfirm={(test) => changeState.mutate({ test, to: "cancelled" })}
        onClose={() => setCancelling(null)}
      />
      {canChange && (
        <DeletedList
          what="tests"
          queryKey={missionKey(missionId)}
          fetchWithDeleted={() => fetchTests(missionId, { include_deleted: true })}
          restore={(test) =>
            restoreTest(test).then(() => queryClient.invalidateQueries({ queryKey: missionsKey }))
          }
          describe={(test) => describeTest(test, categoriesById)}
        />
      )}

      <Paper withBorder p="sm" component="section" aria-labelledby="mission-notes-title">
        <Title order={2} size="h3" mb="xs" id="mission-notes-title">
          Mission notes
        </Title>
        <NotesThread
          missionId={missionId}
          canWrite={canWriteNotes}
          canDeleteAll={canChange}
          readOnly={archived}
        />
      </Paper>

      <TestDrawer
        test={drawerTest}
        role={role}
        canWriteNotes={canWriteNotes}
        canDownloadEvidence={mission.data.my_role != null}
        levels={levels.data ?? []}
        tools={tools.data ?? []}
        onClose={() => setParam("test", null)}
        onOpenTest={openTest}
        onRemove={canChange ? (test) => removeTest.mutate(test) : undefined}
        order={
          canChange
            ? {
                move: (test, delta) => moveTest.mutate({ test, delta }),
                moving: moveTest.isPending,
                notice: moved,
                error: moveTest.error,
              }
            : undefined
        }
        categories={categories.data ?? []}
        // The drawer of the test just removed gives no focus back: the test's name that opened
        // it went with its row, and the alert's Undo takes the focus. (Focusing Undo while the
        // drawer still gave it back, on a timer once closed, raced that return.)
        returnFocus={removedTest === null || removedTest.id !== lastOpen?.id}
        readOnly={archived}
      />
      <MembersModal
        missionId={missionId}
        opened={membersOpen}
        onClose={members.close}
        onSaved={setMembersSaved}
        canManage={canChange}
      />
      <AddTestsModal
        missionId={missionId}
        categories={categories.data ?? []}
        opened={addOpen}
        onClose={adding.close}
      />
      <CategoriesModal
        missionId={missionId}
        opened={categoriesOpen}
        onClose={categoriesModal.close}
      />
      <EditMissionModal mission={mission.data} opened={editOpen} onClose={editing.close} />
    </Stack>
  );
}

/** What tells apart two deleted tests of the same name: their techniques, category and state. */
function describeTest(test: MissionTest, categories: Map<string, { name: string }>): string {
  const category = test.category_id ? categories.get(test.category_id)?.name : undefined;
  return [
    test.mitre.map((tag) => tag.external_id).join(", ") || "No ATT&CK tag",
    category && `category ${category}`,
    STATE_LABELS[test.state as TestState].toLowerCase(),
  ]
    .filter(Boolean)
    .join(" · ");
}
