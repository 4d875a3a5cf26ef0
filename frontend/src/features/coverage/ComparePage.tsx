import { Badge, Group, Loader, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { fetchMissions, missionsKey } from "../missions/api";
import type { Heat } from "../mitre/matrix/TechniqueCell";
import { type CompareChange, coverageKey, fetchCompare } from "./api";
import { CHANGES, formatScore, textColorOn } from "./heat";
import { DomainSelect, useCoverageDomain } from "./DomainSelect";
import { HeatMatrix, Legend } from "./HeatMatrix";

/** Two missions side by side per technique, and the change as a diff matrix. */
export default function ComparePage() {
  const [params, setParams] = useSearchParams();
  const from = params.get("from");
  const to = params.get("to");
  const missions = useQuery({
    queryKey: [...missionsKey, "all"],
    queryFn: () => fetchMissions({}),
  });
  const compare = useQuery({
    queryKey: [...coverageKey, "compare", from, to],
    queryFn: () => fetchCompare(from ?? "", to ?? ""),
    enabled: Boolean(from && to),
  });
  const options = (missions.data ?? []).map((mission) => ({
    value: mission.id,
    label: mission.name,
  }));
  const choose = (name: "from" | "to", value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const [domain, chooseDomain] = useCoverageDomain(compare.data?.domains);
  const changes = new Map(
    (compare.data?.techniques ?? []).map((item) => [item.external_id, item.change]),
  );
  const heatOf = (externalId: string): Heat | undefined => {
    const change = changes.get(externalId);
    if (!change) return undefined;
    const { label, color } = CHANGES[change];
    return { background: color, text: textColorOn(color), label };
  };

  // A technique of the diff matrix brings its row of the table into view and gives it the
  // focus: scrolled only, a keyboard or screen reader user was left in the matrix, told
  // nothing, with the row far above the focus.
  const showRow = (techniqueId: string, subtechniqueId?: string) => {
    const row = document.querySelector<HTMLElement>(
      `[data-testid="compare-${subtechniqueId ?? techniqueId}"]`,
    );
    row?.scrollIntoView({ block: "center" });
    row?.focus({ preventScroll: true });
  };

  return (
    <Stack>
      <Title order={1}>Compare two missions</Title>
      <Group align="flex-end">
        <Select
          label="Before"
          data={options}
          value={from}
          onChange={(v) => choose("from", v)}
          searchable
          w={280}
        />
        <Select
          label="After"
          data={options}
          value={to}
          onChange={(v) => choose("to", v)}
          searchable
          w={280}
        />
      </Group>
      {!from || !to ? (
        <Text size="sm">Choose the mission before and the mission after.</Text>
      ) : compare.isPending ? (
        <Loader aria-label="Comparing" />
      ) : compare.error ? (
        <ErrorAlert title="Comparison unavailable" error={compare.error} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }} maw={640}>
            <Text>
              {compare.data.from.name}: <strong>{formatScore(compare.data.from.score)}</strong>
            </Text>
            <Text>
              {compare.data.to.name}: <strong>{formatScore(compare.data.to.score)}</strong>
            </Text>
          </SimpleGrid>
          <Group gap="xs" data-testid="compare-summary">
            {(Object.keys(CHANGES) as CompareChange[]).map((change) => (
              <Badge key={change} variant="outline" color="dark">
                {CHANGES[change].label}: {compare.data.summary[change] ?? 0}
              </Badge>
            ))}
          </Group>
          <Table striped data-testid="compare-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Technique</Table.Th>
                <Table.Th>{compare.data.from.name}</Table.Th>
                <Table.Th>{compare.data.to.name}</Table.Th>
                <Table.Th>Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {compare.data.techniques.map((item) => (
                <Table.Tr
                  key={item.external_id}
                  data-testid={`compare-${item.external_id}`}
                  tabIndex={-1}
                  className="mantine-focus-auto"
                >
                  <Table.Td>
                    {item.external_id} {item.name}
                  </Table.Td>
                  <Table.Td>{formatScore(item.from_score)}</Table.Td>
                  <Table.Td>{formatScore(item.to_score)}</Table.Td>
                  <Table.Td>{CHANGES[item.change].label}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Legend
            title="Changes"
            items={Object.values(CHANGES).map(({ label, color }) => ({ label, color }))}
          />
          <DomainSelect domains={compare.data.domains} value={domain} onChange={chooseDomain} />
          <HeatMatrix domain={domain} label="Diff matrix" heatOf={heatOf} onOpen={showRow} />
        </>
      )}
    </Stack>
  );
}
