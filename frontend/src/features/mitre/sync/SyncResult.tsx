import { Alert, SimpleGrid, Table, Title } from "@mantine/core";
import type { MitreSyncResult } from "../../../api/types";
import { formatDuration } from "../../../app/format";

/** What the sync did: the catalogue's counts and how many objects changed. */
export function SyncResult({ result }: { result: MitreSyncResult }) {
  return (
    <Alert color="green" title="Sync succeeded" data-testid="sync-result">
      ATT&CK {result.version ? `v${result.version}` : ""} ({result.domain}) imported in{" "}
      {formatDuration(result.duration_ms)}.
      <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
        <CountTable
          caption="Catalogue"
          rows={[
            ["Tactics", result.counts.tactics],
            ["Techniques", result.counts.techniques],
            ["Subtechniques", result.counts.subtechniques],
          ]}
        />
        <CountTable
          caption="Changes"
          rows={[
            ["Added", result.changes.added],
            ["Updated", result.changes.updated],
            ["Unchanged", result.changes.unchanged],
            ["Deprecated", result.changes.deprecated],
          ]}
        />
      </SimpleGrid>
    </Alert>
  );
}

function CountTable({ caption, rows }: { caption: string; rows: [string, number][] }) {
  return (
    <div>
      <Title order={3} size="h6" mb={4}>
        {caption}
      </Title>
      <Table withTableBorder verticalSpacing={4} aria-label={caption}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td
                ta="right"
                data-testid={`sync-${caption.toLowerCase()}-${label.toLowerCase()}`}
              >
                {value}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
