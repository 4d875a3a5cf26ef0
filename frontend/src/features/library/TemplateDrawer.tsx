import { Anchor, Badge, Drawer, Group, List, Stack, Table, Text, Title } from "@mantine/core";
import type { TestTemplate } from "../../api/types";
import { Markdown } from "../../app/Markdown";
import { procedureListsArguments } from "./arguments";
import { MitreTags } from "./MitreTags";

function Section({ title, text }: { title: string; text?: string | null }) {
  if (!text?.trim()) return null;
  return (
    <section>
      <Title order={3} size="h5" mb={4}>
        {title}
      </Title>
      <Markdown text={text} />
    </section>
  );
}

/** Everything about one template, Markdown rendered (read-only). */
export function TemplateDrawer({
  template,
  onClose,
}: {
  template: TestTemplate | null;
  onClose: () => void;
}) {
  return (
    <Drawer
      opened={template !== null}
      onClose={onClose}
      closeButtonProps={{ "aria-label": "Close dialog" }}
      position="right"
      size="xl"
      title={template?.name}
    >
      {template && (
        <Stack data-testid="template-details">
          <MitreTags tags={template.mitre} />
          <Group gap={4}>
            {template.platforms.map((platform) => (
              <Badge key={platform} variant="outline" tt="none">
                {platform}
              </Badge>
            ))}
            {template.opsec_level && <Badge color="gray">OPSEC {template.opsec_level}</Badge>}
          </Group>
          <Section title="Description" text={template.description} />
          <Section title="Procedure" text={template.procedure} />
          <Section title="Prerequisites" text={template.prerequisites} />
          <Section title="Cleanup" text={template.cleanup} />
          <Section title="Expected detection" text={template.expected_detection} />
          {template.input_arguments.length > 0 && !procedureListsArguments(template.procedure) && (
            <section>
              <Title order={3} size="h5" mb={4}>
                Input arguments
              </Title>
              <Table withTableBorder aria-label="Input arguments">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Type</Table.Th>
                    <Table.Th scope="col">Default</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {template.input_arguments.map((argument) => (
                    <Table.Tr key={argument.name}>
                      <Table.Td>
                        <code>{argument.name}</code>
                      </Table.Td>
                      <Table.Td>{argument.type}</Table.Td>
                      <Table.Td>
                        <code>{String(argument.default ?? "")}</code>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </section>
          )}
          {template.references.length > 0 && (
            <section>
              <Title order={3} size="h5" mb={4}>
                References
              </Title>
              <List size="sm">
                {template.references.map((reference) => (
                  <List.Item key={reference}>
                    <Anchor href={reference} target="_blank" rel="noopener noreferrer">
                      {reference}
                    </Anchor>
                  </List.Item>
                ))}
              </List>
            </section>
          )}
          {template.source && (
            <Text size="xs" c="gray.7">
              Source: {template.source} {template.source_ref}
            </Text>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
