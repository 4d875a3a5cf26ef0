import { Anchor, Group, Loader, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { fetchSummary, summaryQueryKey } from "../library/api";
import { Facts } from "./Facts";
import { HomeCard } from "./HomeCard";

/** How big the test library is, and how much of ATT&CK its templates cover. */
export function LibraryCard() {
  const { can } = useAuth();
  const summary = useQuery({ queryKey: summaryQueryKey, queryFn: fetchSummary });

  return (
    <HomeCard id="library" title="Library">
      {summary.isPending ? (
        <Loader size="sm" aria-label="Loading the library summary" />
      ) : summary.error ? (
        <ErrorAlert title="Library summary unavailable" error={summary.error} />
      ) : (
        <Stack gap="sm">
          <Facts
            items={[
              {
                label: "Test templates",
                value: summary.data.test_templates,
                testId: "library-templates",
              },
              {
                label: "Techniques covered",
                value: summary.data.techniques_covered,
                testId: "library-techniques",
              },
              {
                label: "Scenarios",
                value: summary.data.scenario_templates,
                testId: "library-scenarios",
              },
            ]}
          />
          <Group gap="md">
            <Anchor component={Link} to="/library" size="sm">
              Open the library
            </Anchor>
            {can("scenario_template.read") && (
              <Anchor component={Link} to="/scenarios" size="sm">
                Scenarios
              </Anchor>
            )}
          </Group>
        </Stack>
      )}
    </HomeCard>
  );
}
