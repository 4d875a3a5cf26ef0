import { Badge, Group, Text } from "@mantine/core";
import { type MitreStatus, lastSyncOf } from "../../api/types";
import { formatDateTime } from "../../app/format";

/** "ATT&CK v18.1 · synced <when>", or "No ATT&CK data" while the catalogue is empty. */
export function MitreStatusBadge({ status }: { status: MitreStatus }) {
  const lastSync = lastSyncOf(status);
  if (status.counts.techniques === 0 && !lastSync) {
    return (
      <Badge color="gray" variant="light" size="lg" data-testid="mitre-badge">
        No ATT&CK data
      </Badge>
    );
  }
  return (
    <Group gap="xs" data-testid="mitre-status">
      <Badge color="violet" size="lg" tt="none" data-testid="mitre-badge">
        ATT&CK {status.version ? `v${status.version}` : "(version unknown)"}
      </Badge>
      <Text size="sm" c="dimmed" data-testid="mitre-last-sync">
        {lastSync
          ? `Last sync ${formatDateTime(lastSync.finished_at ?? lastSync.started_at)}`
          : "Never synced"}
      </Text>
    </Group>
  );
}
