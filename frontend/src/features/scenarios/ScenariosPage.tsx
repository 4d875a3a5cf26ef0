import { Anchor, Button, Group, Loader, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { apiFieldErrors } from "../../app/forms";
import { formatDateTime } from "../../app/format";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useAuth } from "../auth/AuthProvider";
import { createScenario, fetchScenarios, restoreScenario, scenariosQueryKey } from "./api";

function NewScenarioForm() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const mutation = useMutation({
    mutationFn: () => createScenario({ name: name.trim(), description: null }),
    onSuccess: async (scenario) => {
      await queryClient.invalidateQueries({ queryKey: scenariosQueryKey });
      navigate(`/scenarios/${scenario.id}`);
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      <Group align="flex-end">
        <TextInput
          label="New scenario name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={apiFieldErrors(mutation.error)["name"]}
        />
        <Button type="submit" loading={mutation.isPending}>
          Create scenario
        </Button>
      </Group>
      {mutation.error && !apiFieldErrors(mutation.error)["name"] && (
        <ErrorAlert title="Could not create the scenario" error={mutation.error} />
      )}
    </form>
  );
}

/** Scenario templates: ordered sets of tests a mission copies in one go. */
export default function ScenariosPage() {
  const { can } = useAuth();
  const [q, setQ] = useState("");
  const scenarios = useQuery({
    queryKey: [...scenariosQueryKey, "list", q],
    queryFn: () => fetchScenarios(q),
  });
  // A scenario's page deletes it and comes back here, naming it, so it can be undone.
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const deleted = (location.state as { deletedScenario?: { id: string; name: string } } | null)
    ?.deletedScenario;

  return (
    <Stack>
      <Title order={1}>Scenarios</Title>
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the scenario ${deleted.name}.`}
          undo={() =>
            restoreScenario(deleted.id).then(() =>
              queryClient.invalidateQueries({ queryKey: scenariosQueryKey }),
            )
          }
          onDone={() => navigate(".", { replace: true, state: null })}
          // Its Delete went with the scenario's page: the focus goes to Undo.
          focusUndo
        />
      )}
      {can("scenario_template.write") && <NewScenarioForm />}
      <TextInput
        label="Search scenarios"
        value={q}
        onChange={(event) => setQ(event.currentTarget.value)}
        maw={360}
      />
      {scenarios.isPending ? (
        <Loader size="sm" aria-label="Loading scenarios" />
      ) : scenarios.error ? (
        <ErrorAlert title="Scenarios unavailable" error={scenarios.error} />
      ) : scenarios.data.length === 0 ? (
        <Text size="sm" c="gray.7">
          No scenario yet.
        </Text>
      ) : (
        <Table striped withTableBorder aria-label="Scenarios" data-testid="scenario-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Tests</Table.Th>
              <Table.Th scope="col">Last changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {scenarios.data.map((scenario) => (
              <Table.Tr key={scenario.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/scenarios/${scenario.id}`}>
                    {scenario.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{scenario.test_count}</Table.Td>
                <Table.Td>{formatDateTime(scenario.updated_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {can("scenario_template.delete") && (
        <DeletedList
          what="scenarios"
          queryKey={scenariosQueryKey}
          fetchWithDeleted={() => fetchScenarios("", true)}
          restore={(scenario) => restoreScenario(scenario.id)}
        />
      )}
    </Stack>
  );
}
