import { Anchor, Button, Group, Loader, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { apiFieldErrors } from "../../app/forms";
import { formatDateTime } from "../../app/format";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { createScenario, fetchScenarios, scenariosQueryKey } from "./api";

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

  return (
    <Stack>
      <Title order={1}>Scenarios</Title>
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
      ) : scenarios.data.items.length === 0 ? (
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
            {scenarios.data.items.map((scenario) => (
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
    </Stack>
  );
}
