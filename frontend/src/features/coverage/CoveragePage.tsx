import {
  Anchor,
  Button,
  Drawer,
  Group,
  Loader,
  MultiSelect,
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
import {
  STATE_LABELS,
  type TestState,
  fetchMissions,
  fetchTests,
  missionsKey,
} from "../missions/api";
import type { MitreDomain } from "../mitre/api";
import type { Heat } from "../mitre/matrix/TechniqueCell";
import {
  type CoverageLevel,
  type MissionCoverage,
  coverageKey,
  downloadFile,
  fetchMissionCoverage,
  fetchOrgCoverage,
} from "./api";
import { UNSCORED_COLOR, closestLevel, formatScore, textColorOn } from "./heat";
import { DomainSelect, useCoverageDomain } from "./DomainSelect";
import { HeatMatrix, Legend } from "./HeatMatrix";
import { ScoreTrend } from "./ScoreTrend";
import { ToolSection, ToolSelect } from "./ToolCoverage";
import { toolTitle } from "./tools";
import { scoreTrend } from "./trend";

type MissionTool = NonNullable<MissionCoverage["tools"]>[number];

/** One technique or sub-technique on the heatmap, whichever endpoint it came from. */
interface Covered {
  externalId: string;
  name: string;
  score: number | null;
  level: CoverageLevel | null;
  /** Where the outcome comes from, across missions. */
  missionId?: string;
  missionName?: string;
  testId?: string;
}

interface HeatData {
  score: number | null;
  levels: CoverageLevel[];
  covered: Map<string, Covered>;
  /** The ATT&CK domains of the tested techniques, the one holding most first. */
  domains: MitreDomain[];
  /** Of one mission: its coverage per defense tool (`?by=tool`); across missions: none. */
  tools: MissionTool[];
}

/**
 * Coverage as an ATT&CK heatmap: of one mission (scores of its runs), or across several (the
 * latest outcome per technique, and their scores over time). A technique opens the tests that
 * cover it.
 */
export default function CoveragePage() {
  const [params, setParams] = useSearchParams();
  const selected = (params.get("missions") ?? "").split(",").filter(Boolean);
  const single = selected.length === 1 ? selected[0] : null;
  const [open, setOpen] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  const missions = useQuery({
    queryKey: [...missionsKey, "all"],
    queryFn: () => fetchMissions({}),
  });
  const coverage = useQuery({
    queryKey: [...coverageKey, "heatmap", single ? "mission" : "missions", selected.join(",")],
    queryFn: (): Promise<HeatData> =>
      single
        ? fetchMissionCoverage(single, true).then(fromMission)
        : fetchOrgCoverage(selected).then(fromOrg),
  });

  const choose = (ids: string[]) => {
    const next = new URLSearchParams(params);
    if (ids.length) next.set("missions", ids.join(","));
    else next.delete("missions");
    // A tool belongs to the mission it was chosen in.
    next.delete("tool");
    setParams(next, { replace: true });
  };
  const [domain, chooseDomain] = useCoverageDomain(coverage.data?.domains);
  // The tool whose outcomes the heatmap draws (the URL's `tool`), or null for all of them.
  const toolId = single ? params.get("tool") : null;
  const chooseTool = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("tool", id);
    else next.delete("tool");
    setParams(next, { replace: true });
  };
  const tool = coverage.data?.tools.find((item) => item.tool_id === toolId) ?? null;
  // What the cards, the heatmap and the drawer show: the chosen tool's figures, or the mission's.
  const shown = coverage.data && tool ? forTool(coverage.data, tool) : coverage.data;
  // The layer of the domain drawn (once known; until then the API's default, the same one), and
  // of the tool chosen: the layer downloaded is the heatmap shown.
  const layerQuery = new URLSearchParams();
  if (!single && selected.length) layerQuery.set("mission_ids", selected.join(","));
  if (coverage.data && domain) layerQuery.set("domain", domain);
  if (tool) layerQuery.set("tool", tool.tool_id);
  const layerBase = single
    ? `/api/v1/missions/${single}/navigator-layer`
    : "/api/v1/coverage/navigator-layer";
  const layerPath = layerQuery.toString() ? `${layerBase}?${layerQuery.toString()}` : layerBase;
  const download = () => {
    setDownloadError(null);
    downloadFile(layerPath, "coverage-layer.json").catch(setDownloadError);
  };

  const heatOf = (externalId: string): Heat | undefined => {
    const item = shown?.covered.get(externalId);
    if (!item) return undefined;
    const background = item.level?.color ?? UNSCORED_COLOR;
    const label = item.level
      ? `${item.level.name}${single ? ` · ${formatScore(item.score)}` : ""}`
      : "Not scored";
    return { background, text: textColorOn(background), label };
  };
  const tested = [...(shown?.covered.keys() ?? [])].filter((id) => !id.includes("."));
  // Across missions, how their scores moved from one to the next (the chosen ones, or all).
  const trend =
    single || !missions.data
      ? null
      : scoreTrend(
          missions.data.filter((mission) => selected.length === 0 || selected.includes(mission.id)),
        );

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Coverage</Title>
        <Group>
          <Button variant="default" component={Link} to="/coverage/compare">
            Compare two missions
          </Button>
          <Button variant="default" component={Link} to="/coverage/groups">
            Threat group coverage
          </Button>
          <Button variant="default" onClick={download}>
            Download Navigator layer
          </Button>
        </Group>
      </Group>
      {downloadError ? <ErrorAlert title="Download failed" error={downloadError} /> : null}
      <MultiSelect
        label="Missions"
        description="One mission: the scores of its tests. Several, or none for all you can see: the latest outcome per technique."
        placeholder={selected.length ? undefined : "All missions"}
        data={(missions.data ?? []).map((mission) => ({
          value: mission.id,
          label: mission.name,
        }))}
        value={selected}
        onChange={choose}
        searchable
        clearable
        maw={640}
      />

      {coverage.isPending ? (
        <Loader aria-label="Loading coverage" />
      ) : coverage.error ? (
        <ErrorAlert title="Coverage unavailable" error={coverage.error} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }} maw={640}>
            <Paper withBorder p="sm">
              <Text size="sm">{tool ? `Score of ${toolTitle(tool)}` : "Score"}</Text>
              <Text fw={700} size="xl" data-testid="coverage-score">
                {formatScore(shown?.score ?? null)}
              </Text>
            </Paper>
            <Paper withBorder p="sm">
              <Text size="sm">Techniques tested</Text>
              <Text fw={700} size="xl" data-testid="coverage-tested">
                {tested.length}
              </Text>
            </Paper>
          </SimpleGrid>
          <Legend
            title="Detection levels"
            items={[
              ...coverage.data.levels.map((level) => ({
                label: level.score === null ? level.name : `${level.name} (${level.score})`,
                color: level.color,
              })),
              { label: "Tested, not scored", color: UNSCORED_COLOR },
              { label: "Not tested", color: "#ffffff" },
            ]}
          />
          {single ? (
            <ToolSection tools={coverage.data.tools} levels={coverage.data.levels} />
          ) : null}
          <Group align="flex-end">
            <DomainSelect domains={coverage.data.domains} value={domain} onChange={chooseDomain} />
            <ToolSelect
              tools={coverage.data.tools}
              value={tool?.tool_id ?? null}
              onChange={chooseTool}
            />
          </Group>
          <HeatMatrix
            domain={domain}
            label={tool ? `Coverage heatmap of ${toolTitle(tool)}` : "Coverage heatmap"}
            heatOf={heatOf}
            onOpen={(techniqueId, subtechniqueId) => setOpen(subtechniqueId ?? techniqueId)}
          />
        </>
      )}
      {trend ? <ScoreTrend points={trend} /> : null}
      <CoveringTests
        externalId={open}
        missionId={single}
        data={shown}
        toolName={tool ? toolTitle(tool) : null}
        onClose={() => setOpen(null)}
      />
    </Stack>
  );
}

/** Techniques by id, each coloured by the scored level closest to its score. */
function coveredOf(
  techniques: { external_id: string; name: string; score: number | null }[],
  levels: CoverageLevel[],
): Map<string, Covered> {
  const covered = new Map<string, Covered>();
  for (const item of techniques) {
    covered.set(item.external_id, {
      externalId: item.external_id,
      name: item.name,
      score: item.score,
      level: closestLevel(item.score, levels),
    });
  }
  return covered;
}

function fromMission(coverage: Awaited<ReturnType<typeof fetchMissionCoverage>>): HeatData {
  return {
    score: coverage.score,
    levels: coverage.levels,
    covered: coveredOf(coverage.techniques, coverage.levels),
    domains: coverage.domains,
    tools: coverage.tools ?? [],
  };
}

/**
 * The mission's data as one tool saw it: its score and its per-technique scores (a technique
 * the tool has no outcome on is not tested for it). The domains stay the mission's, so the
 * matrix drawn does not jump when a tool is chosen.
 */
function forTool(data: HeatData, tool: MissionTool): HeatData {
  return { ...data, score: tool.score, covered: coveredOf(tool.techniques, data.levels) };
}

function fromOrg(coverage: Awaited<ReturnType<typeof fetchOrgCoverage>>): HeatData {
  const levels = new Map(coverage.levels.map((level) => [level.id, level]));
  const covered = new Map<string, Covered>();
  for (const item of coverage.techniques) {
    const level = item.detection_level_id ? (levels.get(item.detection_level_id) ?? null) : null;
    covered.set(item.external_id, {
      externalId: item.external_id,
      name: item.name,
      score: item.score,
      // An unscored level (Not applicable) is shown grey, as "Not scored".
      level: level && level.score !== null ? level : null,
      missionId: item.mission_id,
      missionName: item.mission_name,
      testId: item.test_id,
    });
  }
  return {
    score: coverage.score,
    levels: coverage.levels,
    covered,
    domains: coverage.domains,
    tools: [],
  };
}

/** The drawer of a technique: its outcome, and the tests that cover it. */
function CoveringTests({
  externalId,
  missionId,
  data,
  toolName,
  onClose,
}: {
  externalId: string | null;
  missionId: string | null;
  data: HeatData | undefined;
  /** The tool whose outcomes `data` holds, or null for all tools. */
  toolName: string | null;
  onClose: () => void;
}) {
  const tests = useQuery({
    queryKey: [...coverageKey, "tests", missionId, externalId],
    queryFn: () => fetchTests(missionId ?? "", { technique: externalId ?? "" }),
    enabled: Boolean(missionId && externalId),
  });
  const rows = [...(data?.covered.values() ?? [])].filter(
    (item) =>
      externalId &&
      (item.externalId === externalId || item.externalId.startsWith(`${externalId}.`)),
  );
  const levels = new Map((data?.levels ?? []).map((level) => [level.id, level]));
  return (
    <Drawer
      opened={externalId !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={`Coverage of ${externalId ?? ""}${toolName ? ` by ${toolName}` : ""}`}
    >
      <Stack data-testid="covering-tests">
        {rows.length === 0 ? (
          <Text size="sm">Not tested.</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Technique</Table.Th>
                <Table.Th>Outcome</Table.Th>
                {!missionId && <Table.Th>Latest test</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((item) => (
                <Table.Tr key={item.externalId}>
                  <Table.Td>
                    {item.externalId} {item.name}
                  </Table.Td>
                  <Table.Td>
                    {item.level ? item.level.name : "Not scored"} ({formatScore(item.score)})
                  </Table.Td>
                  {!missionId && (
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={`/missions/${item.missionId}?test=${item.testId}`}
                      >
                        {item.missionName}
                      </Anchor>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {missionId &&
          (tests.isPending ? (
            <Loader size="sm" aria-label="Loading tests" />
          ) : tests.error ? (
            <ErrorAlert title="Tests unavailable" error={tests.error} />
          ) : (
            <Stack gap={4}>
              <Text fw={600}>
                {/* A test's level is the best of its tools', not the chosen tool's. */}
                {toolName ? "Tests (level over all tools)" : "Tests"}
              </Text>
              <ul>
                {tests.data.map((test) => (
                  <li key={test.id}>
                    <Anchor component={Link} to={`/missions/${missionId}?test=${test.id}`}>
                      {test.name}
                    </Anchor>{" "}
                    — {STATE_LABELS[test.state as TestState]}
                    {test.detection_level_id
                      ? `, ${levels.get(test.detection_level_id)?.name ?? ""}`
                      : ""}
                  </li>
                ))}
              </ul>
            </Stack>
          ))}
      </Stack>
    </Drawer>
  );
}
