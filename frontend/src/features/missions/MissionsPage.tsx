import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Table,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useNavigate } from "react-router";
import { DeletedList } from "../../app/DeletedList";
import { PageControls } from "../../app/PageControls";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useTableParams } from "../../app/useTableParams";
import { useAuth } from "../auth/AuthProvider";
import {
  MISSION_STATUSES,
  MISSION_STATUS_LABELS,
  createMission,
  fetchMissionPage,
  fetchMissions,
  labelled,
  missionsKey,
  restoreMission,
} from "./api";
import type { MissionStatus } from "./api";
import { MissionForm } from "./MissionForm";
import { MissionProgress, Score } from "./MissionProgress";
import { ImportMissionButton } from "../coverage/ImportMissionButton";

export const STATUS_COLORS: Record<MissionStatus, string> = {
  planned: "gray",
  active: "blue",
  completed: "green",
  archived: "dark",
};

// Search, status and page live in the URL (a reload or a shared link shows the same page).
const MISSION_TABLE = { filters: { q: "", status: "" } };

/** The missions the user takes part in (all of them with mission.read_all), with progress. */
export default function MissionsPage() {
  const { can } = useAuth();
  const table = useTableParams(MISSION_TABLE);
  const status = (table.filters.status || undefined) as MissionStatus | undefined;
  const [q] = useDebouncedValue(table.filters.q.trim(), 250);
  const [creating, { open, close }] = useDisclosure(false);
  // The mission page deletes a mission and comes back here, naming it, so it can be undone.
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const deleted = (location.state as { deletedMission?: { id: string; name: string } } | null)
    ?.deletedMission;
  const query = useQuery({
    queryKey: [...missionsKey, "list", status, q, table.page],
    queryFn: () =>
      fetchMissionPage({
        status,
        q: q || undefined,
        limit: table.pageSize,
        offset: (table.page - 1) * table.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Missions</Title>
        {can("mission.create") && (
          <Group>
            <ImportMissionButton />
            <Button onClick={open}>New mission</Button>
          </Group>
        )}
      </Group>
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the mission ${deleted.name}.`}
          undo={() =>
            restoreMission(deleted.id).then(() =>
              queryClient.invalidateQueries({ queryKey: missionsKey }),
            )
          }
          onDone={() => navigate(location, { replace: true, state: null })}
          // Its Delete went with the mission's page: the focus goes to Undo.
          focusUndo
        />
      )}
      <Group>
        <TextInput
          label="Search missions"
          value={table.filters.q}
          onChange={(event) => table.setFilter("q", event.currentTarget.value)}
        />
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={labelled(MISSION_STATUSES, MISSION_STATUS_LABELS)}
          value={status ?? null}
          onChange={(value) => table.setFilter("status", value ?? "")}
        />
      </Group>
      {query.isPending ? (
        <Loader aria-label="Loading missions" />
      ) : query.error ? (
        <ErrorAlert title="Missions unavailable" error={query.error} />
      ) : query.data.items.length === 0 ? (
        <p>{q || status ? "No mission matches." : "No missions yet."}</p>
      ) : (
        <Table striped data-testid="missions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Mission</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>My role</Table.Th>
              <Table.Th>Progress</Table.Th>
              <Table.Th>Score</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data.items.map((mission) => (
              <Table.Tr key={mission.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/missions/${mission.id}`}>
                    {mission.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[mission.status as MissionStatus]} variant="light">
                    {mission.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{mission.my_role ?? "—"}</Table.Td>
                <Table.Td miw={220}>
                  <MissionProgress progress={mission.progress} />
                </Table.Td>
                <Table.Td>
                  <Score score={mission.progress.score} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <PageControls
        total={query.data?.total ?? 0}
        page={table.page}
        pageSize={table.pageSize}
        noun="missions"
        onChange={table.setPage}
      />
      {/* A mission's lead restores it (and mission.manage_all any): the API lists those. */}
      <DeletedList
        what="missions"
        queryKey={missionsKey}
        fetchWithDeleted={() => fetchMissions({ include_deleted: true })}
        restore={(mission) => restoreMission(mission.id)}
      />
      <Modal
        opened={creating}
        onClose={close}
        title="New mission"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <CreateMissionForm onDone={close} />
      </Modal>
    </Stack>
  );
}

function CreateMissionForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const mutation = useMutation({
    mutationFn: createMission,
    onSuccess: (mission) => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onDone();
      navigate(`/missions/${mission.id}`);
    },
  });
  return (
    <MissionForm
      submitLabel="Create mission"
      errorTitle="Not created"
      pending={mutation.isPending}
      error={mutation.error}
      onSubmit={(fields) => mutation.mutate(fields)}
    />
  );
}
