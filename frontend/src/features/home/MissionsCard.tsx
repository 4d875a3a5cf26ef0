import { Anchor, Loader, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { fetchMissions, missionsKey } from "../missions/api";
import { MissionProgress } from "../missions/MissionProgress";
import { HomeCard } from "./HomeCard";

/** The caller's planned and active missions, each with its progress. */
export function MissionsCard() {
  const query = useQuery({
    queryKey: [...missionsKey, "mine"],
    queryFn: () => fetchMissions({ mine: true }),
  });
  const active = (query.data ?? []).filter(
    (mission) => mission.status === "planned" || mission.status === "active",
  );

  return (
    <HomeCard id="missions" title="My missions">
      {query.isPending ? (
        <Loader size="sm" aria-label="Loading your missions" />
      ) : query.error ? (
        <ErrorAlert title="Missions unavailable" error={query.error} />
      ) : active.length === 0 ? (
        <Text size="sm">
          No active missions.{" "}
          <Anchor component={Link} to="/missions">
            Open the missions
          </Anchor>
        </Text>
      ) : (
        <Stack gap="md" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {active.map((mission) => (
            <li key={mission.id}>
              <Anchor component={Link} to={`/missions/${mission.id}`} fw={600}>
                {mission.name}
              </Anchor>
              <MissionProgress progress={mission.progress} />
            </li>
          ))}
        </Stack>
      )}
    </HomeCard>
  );
}
