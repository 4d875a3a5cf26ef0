import { Text } from "@mantine/core";
import { HomeCard } from "./HomeCard";

/** Placeholder until missions exist: the card keeps its place on the page. */
export function MissionsCard() {
  return (
    <HomeCard id="missions" title="My missions">
      <Text size="sm" c="dimmed">
        Missions arrive in a later release. This card will list yours with their progress.
      </Text>
    </HomeCard>
  );
}
