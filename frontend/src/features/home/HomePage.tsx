import { SimpleGrid, Stack, Title } from "@mantine/core";
import { useAuth } from "../auth/AuthProvider";
import { DatabaseCard } from "./DatabaseCard";
import { LibraryCard } from "./LibraryCard";
import { MissionsCard } from "./MissionsCard";
import { MitreCard } from "./MitreCard";

export default function HomePage() {
  const { me, can } = useAuth();
  return (
    <Stack>
      <Title order={1}>Welcome{me?.display_name ? `, ${me.display_name}` : ""}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="home-cards">
        <MissionsCard />
        <MitreCard />
        {can("test_template.read") && <LibraryCard />}
        {can("diag.read") && <DatabaseCard />}
      </SimpleGrid>
    </Stack>
  );
}
