import {
  Anchor,
  Button,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { fetchLevels, fetchMissions, levelsKey, missionsKey } from "../missions/api";
import type { Heat } from "../mitre/matrix/TechniqueCell";
import { type GroupCoverage, coverageKey, downloadFile, fetchGroupCoverage } from "./api";
import { UNSCORED_COLOR, formatScore, textColorOn } from "./heat";
import { DomainSelect, useCoverageDomain } from "./DomainSelect";
import { HeatMatrix, Legend } from "./HeatMatrix";
import { ThreatGroupSelect } from "./ThreatGroupSelect";

/** A technique the group uses that no mission has a counted run of yet. */
const UNTESTED_COLOR = "#ffd8a8";
/** A technique the group uses only through some of its sub-techniques. */
const SUBTECHNIQUES_COLOR = "#e9ecef";

type GroupTechnique = GroupCoverage["techniques"][number];

/**
 * How the organisation's latest outcomes (across every mission the user sees) cover a threat
 * group's techniques: the scores, the group's techniques on the matrix, and a table of them.
 */
export default function GroupCoveragePage() {
  const [params, setParams] = useSearchParams();
  const group = params.get("group");
  const coverage = useQuery({
    queryKey: [...coverageKey, "group", group],
    queryFn: () => fetchGroupCoverage(group ?? ""),
    enabled: Boolean(group),
  });
  const levels = useQuery({ queryKey: levelsKey, queryFn: () => fetchLevels() });
  const missions = useQuery({
    queryKey: [...missionsKey, "all"],
    queryFn: () => fetchMissions({}),
  });
  const [domain, chooseDomain] = useCoverageDomain(coverage.data?.domains);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  // The group's layer of the ATT&CK domain drawn: the layer downloaded is the matrix shown.
  const download = () => {
    if (!coverage.data) return;
    setDownloadError(null);
    const id = coverage.data.group.external_id;
    const query = domain ? `?${new URLSearchParams({ domain }).toString()}` : "";
    downloadFile(
      `/api/v1/coverage/groups/${encodeURIComponent(id)}/navigator-layer${query}`,
      `violet-${id}-layer.json`,
    ).catch(setDownloadError);
  };
  const levelsById = new Map((levels.data ?? []).map((level) => [level.id, level]));
  const missionNames = new Map((missions.data ?? []).map((m) => [m.id, m.name]));
  const choose = (value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set("group", value);
    else next.delete("group");
    setParams(next, { replace: true });
  };

  const outcomeOf = (item: GroupTechnique): { label: string; color: string } => {
    if (!item.tested) return { label: "Not tested", color: UNTESTED_COLOR };
    const level = item.detection_level_id ? levelsById.get(item.detection_level_id) : undefined;
    return level && level.score !== null
      ? { label: level.name, color: level.color }
      : { label: "Not scored", color: UNSCORED_COLOR };
  };
  const byId = new Map((coverage.data?.techniques ?? []).map((item) => [item.external_id, item]));
  // A technique the group uses only through sub-techniques is marked, so they are not missed
  // behind its collapsed "+N".
  const subtechniquesUsed = new Map<string, number>();
  for (const id of byId.keys()) {
    if (id.includes(".")) {
      const parent = id.split(".")[0];
      subtechniquesUsed.set(parent, (subtechniquesUsed.get(parent) ?? 0) + 1);
    }
  }
  const heatOf = (externalId: string): Heat | undefined => {
    const item = byId.get(externalId);
    if (item) {
      const { label, color } = outcomeOf(item);
      return { background: color, text: textColorOn(color), label };
    }
    const used = subtechniquesUsed.get(externalId);
    if (!used) return undefined;
    return {
      background: SUBTECHNIQUES_COLOR,
      text: textColorOn(SUBTECHNIQUES_COLOR),
      label: `${used} sub-technique${used === 1 ? "" : "s"} used`,
    };
  };
  // A technique of the matrix brings its row of the table into view.
  const showRow = (techniqueId: string, subtechniqueId?: string) =>
    document
      .querySelector(`[data-testid="group-${subtechniqueId ?? techniqueId}"]`)
      ?.scrollIntoView({ block: "center" });

  return (
    <Stack>
      <Title order={1}>Threat group coverage</Title>
      <ThreatGroupSelect value={group} onChange={choose} w={480} />
      {!group ? (
        <Text size="sm">
          Choose a threat group to see how the latest outcomes of your missions cover the techniques
          ATT&CK attributes to it.
        </Text>
      ) : coverage.isPending ? (
        <Loader aria-label="Loading the group's coverage" />
      ) : coverage.error ? (
        <ErrorAlert title="Coverage unavailable" error={coverage.error} />
      ) : (
        <>
          <Group justify="space-between" align="flex-end" maw={880}>
            <Title order={2} size="h3">
              {coverage.data.group.external_id} {coverage.data.group.name}
            </Title>
            <Button variant="default" onClick={download}>
              Download Navigator layer
            </Button>
          </Group>
          {downloadError ? <ErrorAlert title="Download failed" error={downloadError} /> : null}
          <SimpleGrid cols={{ base: 1, sm: 3 }} maw={880}>
            <Paper withBorder p="sm">
              <Text size="sm">Score (untested count as 0)</Text>
              <Text fw={700} size="xl" data-testid="group-score">
                {formatScore(coverage.data.score)}
              </Text>
            </Paper>
            <Paper withBorder p="sm">
              <Text size="sm">Techniques tested</Text>
              <Text fw={700} size="xl" data-testid="group-tested">
                {coverage.data.techniques_tested} of {coverage.data.techniques_total}
              </Text>
            </Paper>
            <Paper withBorder p="sm">
              <Text size="sm">Score of those tested</Text>
              <Text fw={700} size="xl" data-testid="group-tested-score">
                {formatScore(coverage.data.tested_score)}
              </Text>
            </Paper>
          </SimpleGrid>
          {coverage.data.techniques_total === 0 ? (
            <Text size="sm">The catalogue attributes no technique to this group.</Text>
          ) : (
            <>
              <Legend
                title="Latest outcome of the group's techniques"
                items={[
                  ...(levels.data ?? [])
                    .filter((level) => level.score !== null)
                    .map((level) => ({ label: level.name, color: level.color })),
                  { label: "Tested, not scored", color: UNSCORED_COLOR },
                  { label: "Not tested", color: UNTESTED_COLOR },
                  { label: "Used through sub-techniques", color: SUBTECHNIQUES_COLOR },
                  { label: "Not used by the group", color: "#ffffff" },
                ]}
              />
              <DomainSelect
                domains={coverage.data.domains}
                value={domain}
                onChange={chooseDomain}
              />
              <HeatMatrix
                domain={domain}
                label="The group's techniques"
                heatOf={heatOf}
                onOpen={showRow}
              />
              <Table striped data-testid="group-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Technique</Table.Th>
                    <Table.Th>Tactics</Table.Th>
                    <Table.Th>Latest outcome</Table.Th>
                    <Table.Th>Score</Table.Th>
                    <Table.Th>From mission</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {coverage.data.techniques.map((item) => (
                    <Table.Tr key={item.external_id} data-testid={`group-${item.external_id}`}>
                      <Table.Td>
                        {item.external_id} {item.name}
                      </Table.Td>
                      <Table.Td>{item.tactics.join(", ")}</Table.Td>
                      <Table.Td>{outcomeOf(item).label}</Table.Td>
                      <Table.Td>{formatScore(item.score)}</Table.Td>
                      <Table.Td>
                        {item.mission_id ? (
                          <Anchor
                            component={Link}
                            to={`/missions/${item.mission_id}?test=${item.test_id}`}
                          >
                            {missionNames.get(item.mission_id) ?? "Open the test"}
                          </Anchor>
                        ) : (
                          "—"
                        )}
                        {item.outcome_revoked_id && (
                          // A test tagged before ATT&CK revoked its technique for this one.
                          <Text size="xs" c="dimmed">
                            Tested as {item.outcome_revoked_id} (revoked)
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </>
      )}
    </Stack>
  );
}
