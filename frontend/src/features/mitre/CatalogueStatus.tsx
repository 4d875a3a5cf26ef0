import { Alert, Anchor, Badge, Group, Loader, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { type MitreStatus, lastSyncOf } from "../../api/types";
import { formatDateTime } from "../../app/format";
import { useAuth } from "../auth/AuthProvider";
import { catalogueState, countsText, domainTitle, failureReason } from "./catalogueState";

/** Where the offline way in starts: the sync page with "Upload a file" chosen. */
export const OFFLINE_SYNC_PATH = "/admin/mitre?source=file";

/**
 * The catalogue as it is — syncing, failed (with the reason), empty, or loaded (release and
 * counts per domain) — and, when it is empty, the way to fill it without internet access.
 */
export function CatalogueStatus({ status }: { status: MitreStatus }) {
  const state = catalogueState(status);
  return (
    <Stack gap="xs" data-testid="mitre-status" data-state={state.kind}>
      {state.kind === "syncing" && (
        <Group gap="xs">
          <Loader size="xs" aria-hidden />
          <Badge color="blue" variant="light" size="lg" tt="none" data-testid="mitre-badge">
            Syncing ATT&CK…
          </Badge>
        </Group>
      )}
      {state.kind === "empty" && (
        <>
          <Badge color="gray" variant="light" size="lg" tt="none" data-testid="mitre-badge">
            No ATT&CK data
          </Badge>
          <WayIn />
        </>
      )}
      {state.kind === "failed" && (
        <>
          <Badge color="red" variant="light" size="lg" tt="none" data-testid="mitre-badge">
            ATT&CK sync failed
          </Badge>
          <Text size="sm" data-testid="mitre-failure">
            The catalogue is empty: the sync of{" "}
            {formatDateTime(state.lastSync.finished_at ?? state.lastSync.started_at)} failed.{" "}
            {state.reason}
          </Text>
          <WayIn />
        </>
      )}
      {(state.kind === "loaded" || state.kind === "syncing") &&
        state.domains.map((domain) => {
          const lastSync = lastSyncOf(domain);
          return (
            <div key={domain.domain} data-testid={`mitre-domain-${domain.domain}`}>
              <Group gap="xs">
                <Badge color="violet" size="lg" tt="none" data-testid="mitre-badge">
                  {domainTitle(domain)}
                </Badge>
                {lastSync && (
                  <Text size="sm" c="gray.7">
                    synced {formatDateTime(lastSync.finished_at ?? lastSync.started_at)}
                  </Text>
                )}
              </Group>
              <Text size="sm" mt={4}>
                {countsText(domain.counts)}
              </Text>
            </div>
          );
        })}
      {state.kind === "loaded" && state.failure && (
        <Alert color="orange" title="The last sync failed" data-testid="mitre-failure">
          {failureReason(state.failure)} The catalogue above is unchanged.
        </Alert>
      )}
    </Stack>
  );
}

/** The offline way in for those who may sync; who to ask for everyone else. */
function WayIn() {
  const { can } = useAuth();
  if (!can("mitre.sync")) {
    return <Text size="sm">Ask an administrator to load the ATT&CK catalogue.</Text>;
  }
  return (
    <Text size="sm">
      No internet access here?{" "}
      <Anchor component={Link} to={OFFLINE_SYNC_PATH} data-testid="offline-sync-link">
        Upload the ATT&CK bundle file
      </Anchor>{" "}
      downloaded on another machine.
    </Text>
  );
}
