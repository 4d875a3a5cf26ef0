import { Group, Progress, Text, Tooltip } from "@mantine/core";
import { formatScore } from "../coverage/heat";
import { STATE_LABELS, TEST_STATES } from "./api";
import type { Mission, TestState } from "./api";

export const STATE_COLORS: Record<TestState, string> = {
  pending: "gray.5",
  in_progress: "yellow.6",
  waiting_blue: "blue.6",
  completed: "green.7",
  cancelled: "dark.3",
};

/** A stacked bar of the mission's tests by state, with the same figures as text. */
export function MissionProgress({ progress }: { progress: Mission["progress"] }) {
  const total = progress.tests_total;
  const counts = progress.tests_by_state as Record<TestState, number>;
  const summary = TEST_STATES.filter((state) => counts[state])
    .map((state) => `${counts[state]} ${STATE_LABELS[state].toLowerCase()}`)
    .join(", ");
  return (
    <div>
      <Progress.Root size="lg" aria-hidden="true">
        {TEST_STATES.map((state) =>
          counts[state] ? (
            <Tooltip key={state} label={`${STATE_LABELS[state]}: ${counts[state]}`}>
              <Progress.Section value={(counts[state] / total) * 100} color={STATE_COLORS[state]} />
            </Tooltip>
          ) : null,
        )}
      </Progress.Root>
      <Text size="xs" mt={4} data-testid="progress-text">
        {total === 0 ? "No tests yet" : `${total} test${total === 1 ? "" : "s"}: ${summary}`}
      </Text>
    </div>
  );
}

/**
 * The mission score (mean detection score of the latest completed runs, out of 100) or a dash,
 * written as the coverage pages and the report write it.
 */
export function Score({ score }: { score: number | null | undefined }) {
  return (
    <Group gap={4}>
      <Text size="sm" fw={600} data-testid="mission-score">
        {formatScore(score)}
      </Text>
    </Group>
  );
}
