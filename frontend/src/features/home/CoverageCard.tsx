import { Anchor, Loader, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { coverageKey, fetchOrgCoverage } from "../coverage/api";
import { formatScore } from "../coverage/heat";
import { HomeCard } from "./HomeCard";

/** The home page's coverage: the latest outcome per technique across the caller's missions. */
export function CoverageCard() {
  const query = useQuery({
    queryKey: [...coverageKey, "organisation"],
    queryFn: () => fetchOrgCoverage([]),
  });
  const techniques = (query.data?.techniques ?? []).filter((item) => item.kind === "technique");
  return (
    <HomeCard id="coverage" title="Coverage">
      {query.isPending ? (
        <Loader size="sm" aria-label="Loading coverage" />
      ) : query.error ? (
        <ErrorAlert title="Coverage unavailable" error={query.error} />
      ) : (
        <Stack gap="xs">
          {techniques.length === 0 ? (
            <Text size="sm">
              No technique tested yet: a completed mission test gives the first score.
            </Text>
          ) : (
            <Text size="sm">
              Score{" "}
              <strong data-testid="home-coverage-score">{formatScore(query.data.score)}</strong>{" "}
              over {techniques.length} {techniques.length === 1 ? "technique" : "techniques"} tested
              (latest outcome of each).
            </Text>
          )}
          <Anchor component={Link} to="/coverage">
            Open the coverage heatmap
          </Anchor>
        </Stack>
      )}
    </HomeCard>
  );
}
