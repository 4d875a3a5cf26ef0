import {
  Anchor,
  Button,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { formatDateTime } from "../../app/format";
import { PageControls } from "../../app/PageControls";
import { useTableParams } from "../../app/useTableParams";
import { useAuth } from "../auth/AuthProvider";
import { fetchLevels, fetchTools, levelsKey, toolsKey } from "../missions/api";
import { auditKey, fetchAuditPage } from "./api";
import { ACTION_GROUPS, describeAction, describeChanges } from "./describe";

// The search, the kind of action, the dates and the page live in the URL.
const AUDIT_TABLE = {
  filters: { q: "", action: "", from: "", to: "", mission_id: "", token_id: "" },
};

/** Local midnight of a YYYY-MM-DD date, `days` later, as the API's ISO time with offset. */
function startOf(date: string, days = 0): string | undefined {
  const parsed = new Date(`${date}T00:00:00`);
  if (!date || Number.isNaN(parsed.getTime())) return undefined;
  parsed.setDate(parsed.getDate() + days);
  return parsed.toISOString();
}

/**
 * Admin → Audit trail (`audit.read`): who created, changed, deleted or restored what, and the
 * sign-ins, newest first; the events of this workspace and the instance-wide ones.
 */
export default function AuditPage() {
  const { can } = useAuth();
  const table = useTableParams(AUDIT_TABLE);
  const { action, from, to, mission_id: missionId, token_id: tokenId } = table.filters;
  const [q] = useDebouncedValue(table.filters.q.trim(), 250);
  const query = {
    q: q || undefined,
    action: action || undefined,
    mission_id: missionId || undefined,
    token_id: tokenId || undefined,
    since: startOf(from),
    until: startOf(to, 1),
    limit: table.pageSize,
    offset: (table.page - 1) * table.pageSize,
  };
  const events = useQuery({
    queryKey: [...auditKey, query],
    queryFn: () => fetchAuditPage(query),
    placeholderData: keepPreviousData,
  });
  // Outcomes are recorded by id: the workspace's levels and tools give their names.
  const withDeleted = can("settings.manage");
  const levels = useQuery({
    queryKey: [...levelsKey, "names", withDeleted],
    queryFn: () => fetchLevels(withDeleted),
  });
  const tools = useQuery({
    queryKey: [...toolsKey, "names", withDeleted],
    queryFn: () => fetchTools(withDeleted),
  });
  // Users in changes (`executed_by`, `lead_id`…) by the emails the page comes with.
  const userEmails = events.data?.user_emails;
  const names = useMemo(
    () =>
      new Map([
        ...[...(levels.data ?? []), ...(tools.data ?? [])].map(
          (item) => [item.id, item.name] as [string, string],
        ),
        ...Object.entries(userEmails ?? {}),
      ]),
    [levels.data, tools.data, userEmails],
  );

  return (
    <Stack maw={1200}>
      <Title order={1}>Audit trail</Title>
      <Text size="sm">
        Who created, changed, deleted or restored what, and every sign-in, newest first: the events
        of this workspace and those of the whole instance (users, groups, sign-ins).
      </Text>
      <Group align="end">
        <TextInput
          label="Search"
          description="A name, an email, an action or an API token's name"
          value={table.filters.q}
          onChange={(event) => table.setFilter("q", event.currentTarget.value)}
          w={260}
        />
        <Select
          label="What"
          placeholder="Everything"
          clearable
          data={ACTION_GROUPS}
          value={action || null}
          onChange={(value) => table.setFilter("action", value ?? "")}
          w={220}
        />
        <TextInput
          type="date"
          label="From"
          value={from}
          onChange={(event) => table.setFilter("from", event.currentTarget.value)}
        />
        <TextInput
          type="date"
          label="To"
          value={to}
          onChange={(event) => table.setFilter("to", event.currentTarget.value)}
        />
      </Group>
      {missionId && (
        <Group gap="xs">
          <Text size="sm">Only the events of one mission.</Text>
          <Button size="xs" variant="default" onClick={() => table.setFilter("mission_id", "")}>
            Show every event
          </Button>
        </Group>
      )}
      {tokenId && (
        <Group gap="xs">
          <Text size="sm">Only the events of one API token.</Text>
          <Button size="xs" variant="default" onClick={() => table.setFilter("token_id", "")}>
            Show everyone&apos;s events
          </Button>
        </Group>
      )}
      {events.isPending ? (
        <Loader aria-label="Loading the audit trail" />
      ) : events.error ? (
        <ErrorAlert title="Could not load the audit trail" error={events.error} />
      ) : events.data.items.length === 0 ? (
        <Text>No event matches.</Text>
      ) : (
        <Table aria-label="Audit events" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Who</Table.Th>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col">Changes</Table.Th>
              <Table.Th scope="col">From</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.data.items.map((event) => (
              <Table.Tr key={event.id} data-testid="audit-event">
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {formatDateTime(event.occurred_at)}
                </Table.Td>
                <Table.Td>
                  {event.actor_email ?? "—"}
                  {/* A pipeline's write, told from a person's: the token, a link to its events. */}
                  {event.token_id && (
                    <Text size="sm">
                      via token{" "}
                      <Anchor
                        component={Link}
                        to={`/admin/audit?token_id=${event.token_id}`}
                        title="Only this token's events"
                      >
                        {event.token_name ?? "(no name)"}
                      </Anchor>
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {describeAction(event)}
                  {event.object_label && (
                    <Text size="sm" fw={600} lineClamp={2}>
                      {event.object_label}
                    </Text>
                  )}
                  {event.mission_id && event.mission_name && event.object_type !== "mission" && (
                    <Text size="sm">
                      in{" "}
                      <Anchor component={Link} to={`/missions/${event.mission_id}`}>
                        {event.mission_name}
                      </Anchor>
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {describeChanges(event.changes, names).map((line) => (
                    <Text key={line} size="sm" lineClamp={3}>
                      {line}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>{event.ip_address ?? "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <PageControls
        total={events.data?.total ?? 0}
        page={table.page}
        pageSize={table.pageSize}
        noun="events"
        onChange={table.setPage}
      />
    </Stack>
  );
}
