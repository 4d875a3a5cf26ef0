import { Alert, SimpleGrid, Table, Text, Title } from "@mantine/core";
import type { MitreSyncResult } from "../../../api/types";
import { formatDuration } from "../../../app/format";

/**
 * Why "Changes" and "Catalogue" do not add up: changes count every tactic, technique and
 * sub-technique of the bundle (not its groups, relationships or other objects), the catalogue
 * only the live ones the matrix shows.
 */
export function countsExplained(result: MitreSyncResult): string {
  const { added, updated, unchanged } = result.changes;
  const inBundle = added + updated + unchanged;
  const live = result.counts.tactics + result.counts.techniques + result.counts.subtechniques;
  const hidden = inBundle - live;
  if (hidden <= 0) {
    return "Every tactic, technique and sub-technique of the bundle is live and listed in the matrix.";
  }
  return (
    `The bundle holds ${inBundle} tactics, techniques and sub-techniques; ${live} are live and ` +
    "listed in the matrix. " +
    `The other ${hidden} are deprecated or revoked by MITRE: kept, so old references still ` +
    "resolve, but hidden from the matrix."
  );
}

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
      <Text size="sm" mt="sm" data-testid="sync-counts-explained">
        {countsExplained(result)}
      </Text>
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
