import { Anchor, Group, Loader, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { CatalogueStatus } from "../mitre/CatalogueStatus";
import { fetchMitreStatus, mitreStatusQueryKey } from "../mitre/api";
import { HomeCard } from "./HomeCard";

export function MitreCard() {
  const { can } = useAuth();
  const query = useQuery({
    queryKey: mitreStatusQueryKey,
    queryFn: fetchMitreStatus,
    // A first-start sync runs in the background: show when it ends.
    refetchInterval: (current) => (current.state.data?.sync_running ? 3000 : false),
  });

  return (
    <HomeCard id="mitre" title="MITRE ATT&CK">
      {query.isPending ? (
        <Loader size="sm" aria-label="Loading ATT&CK status" />
      ) : query.error ? (
        <ErrorAlert title="ATT&CK status unavailable" error={query.error} />
      ) : (
        <Stack gap="sm">
          <CatalogueStatus status={query.data} />
          <Group gap="md">
            {query.data.counts.techniques > 0 && (
              <Anchor component={Link} to="/matrix" size="sm">
                Browse the matrix
              </Anchor>
            )}
            {can("mitre.sync") && (
              <Anchor component={Link} to="/admin/mitre" size="sm">
                Sync the catalogue
              </Anchor>
            )}
          </Group>
        </Stack>
      )}
    </HomeCard>
  );
}
