import { Swatch } from "../../app/Swatch";
import { Group, Select, Stack, Table, Text } from "@mantine/core";
import type { ScoredLevel } from "./heat";
import { formatScore } from "./heat";
import { type ToolFigures, outcomesText, toolSummaries } from "./tools";

/**
 * How each defense tool did in the mission: its score, its tests with an outcome and its
 * outcomes by level (named in words beside the level's colour).
 */
function ToolCoverageTable({ tools, levels }: { tools: ToolFigures[]; levels: ScoredLevel[] }) {
  if (tools.length === 0) {
    return (
      <Text size="sm" data-testid="tool-coverage-empty">
        No defense tool has an outcome in this mission yet. The blue team records one per tool on a
        completed test (Add tool outcome in the test); each tool&apos;s score then shows here.
      </Text>
    );
  }
  const rows = toolSummaries(tools, levels);
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Coverage per defense tool" data-testid="tool-coverage">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tool</Table.Th>
            <Table.Th>Layer</Table.Th>
            <Table.Th>Score</Table.Th>
            <Table.Th>Tests with an outcome</Table.Th>
            <Table.Th>Outcomes by level</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id} data-testid={`tool-row-${row.title}`}>
              <Table.Td>{row.title}</Table.Td>
              <Table.Td>{row.layer}</Table.Td>
              <Table.Td data-testid="tool-score">{formatScore(row.score)}</Table.Td>
              <Table.Td data-testid="tool-tests">
                {row.tests}
                {row.scoredTests !== row.tests ? ` (${row.scoredTests} scored)` : ""}
              </Table.Td>
              <Table.Td data-testid="tool-outcomes">
                {row.outcomes.length === 0 ? (
                  outcomesText(row.outcomes)
                ) : (
                  <Group
                    gap="sm"
                    component="ul"
                    style={{ listStyle: "none", padding: 0, margin: 0 }}
                  >
                    {row.outcomes.map((item) => (
                      <Group key={item.level.id} gap={6} component="li" wrap="nowrap">
                        <Swatch color={item.level.color} />
                        <span>
                          {item.runs} {item.level.name}
                        </span>
                      </Group>
                    ))}
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Which tool the heatmap draws: all of them (the mission's scores) or one. */
export function ToolSelect({
  tools,
  value,
  onChange,
}: {
  tools: ToolFigures[];
  value: string | null;
  onChange: (toolId: string | null) => void;
}) {
  if (tools.length === 0) return null;
  const rows = toolSummaries(tools, []);
  return (
    <Select
      label="Tool"
      description="The heatmap of one defense tool's outcomes, or of all."
      data={[
        { value: "", label: "All tools" },
        // A deleted tool is told from the live one that may have taken its name.
        ...rows.map((row) => ({
          value: row.id,
          label: `${row.name} (${row.layer}${row.deleted ? ", deleted" : ""})`,
        })),
      ]}
      value={value ?? ""}
      onChange={(chosen) => onChange(chosen ? chosen : null)}
      allowDeselect={false}
      w={280}
    />
  );
}

export function ToolSection({ tools, levels }: { tools: ToolFigures[]; levels: ScoredLevel[] }) {
  return (
    <Stack gap={4} component="section" aria-labelledby="tool-coverage-title">
      <Text fw={600} id="tool-coverage-title">
        Per defense tool
      </Text>
      <ToolCoverageTable tools={tools} levels={levels} />
    </Stack>
  );
}
