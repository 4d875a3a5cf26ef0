import { Anchor, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { formatDate } from "../../app/format";
import { formatScore } from "./heat";
import { type TrendPoint, formatChange } from "./trend";

/**
 * Mission scores over time: a line for the eye (hidden from screen readers) and a table with
 * the same figures, each row linking the mission and its comparison with the one before.
 */
export function ScoreTrend({ points }: { points: TrendPoint[] }) {
  return (
    <Stack gap="xs" component="section" aria-labelledby="score-trend-title">
      <Title order={2} size="h3" id="score-trend-title">
        Score over time
      </Title>
      {points.length === 0 ? (
        <Text size="sm">
          No mission has a score yet: scores appear here once tests are completed with a detection
          level.
        </Text>
      ) : (
        <>
          {points.length > 1 ? <TrendLine points={points} /> : null}
          <Table data-testid="score-trend" maw={760}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Date</Table.Th>
                <Table.Th>Mission</Table.Th>
                <Table.Th>Score</Table.Th>
                <Table.Th>Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {points.map((point) => (
                <Table.Tr key={point.id}>
                  <Table.Td>{formatDate(point.date)}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/missions/${point.id}`}>
                      {point.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{formatScore(point.score)}</Table.Td>
                  <Table.Td>
                    {point.previousId ? (
                      <Anchor
                        component={Link}
                        to={`/coverage/compare?from=${point.previousId}&to=${point.id}`}
                        aria-label={`${formatChange(point.change)}: compare ${point.name} with the mission before`}
                      >
                        {formatChange(point.change)}
                      </Anchor>
                    ) : (
                      formatChange(point.change)
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}

const WIDTH = 760;
const HEIGHT = 160;
const PAD = 12;
const LEFT = 36; // room for the scale's labels

/** The scores (0–100) as a line, oldest on the left, over faint lines at 0, 50 and 100. */
function TrendLine({ points }: { points: TrendPoint[] }) {
  const x = (index: number) => LEFT + (index * (WIDTH - LEFT - PAD)) / (points.length - 1);
  const y = (score: number) => HEIGHT - PAD - (score * (HEIGHT - 2 * PAD)) / 100;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      style={{ maxWidth: WIDTH }}
      aria-hidden="true"
      data-testid="score-trend-line"
    >
      {[0, 50, 100].map((score) => (
        <g key={score}>
          <line x1={LEFT} x2={WIDTH - PAD} y1={y(score)} y2={y(score)} stroke="#dee2e6" />
          <text x={LEFT - 6} y={y(score) + 4} textAnchor="end" fontSize={12} fill="#495057">
            {score}
          </text>
        </g>
      ))}
      <polyline
        fill="none"
        stroke="#1864ab"
        strokeWidth={2}
        points={points.map((point, index) => `${x(index)},${y(point.score)}`).join(" ")}
      />
      {points.map((point, index) => (
        <circle key={point.id} cx={x(index)} cy={y(point.score)} r={4} fill="#1864ab">
          <title>{`${point.name}: ${formatScore(point.score)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
