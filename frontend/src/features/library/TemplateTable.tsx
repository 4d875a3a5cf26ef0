import { Badge, Button, Group, Table, Text, VisuallyHidden } from "@mantine/core";
import type { TestTemplate } from "../../api/types";
import { useAuth } from "../auth/AuthProvider";
import { MitreTags } from "./MitreTags";

/** One page of templates with their tags; actions as the user's permissions allow. */
export function TemplateTable({
  templates,
  onOpen,
  onEdit,
  onDelete,
  onRestore,
  emptyText,
}: {
  templates: TestTemplate[];
  onOpen: (template: TestTemplate) => void;
  onEdit: (template: TestTemplate) => void;
  onDelete: (template: TestTemplate) => void;
  onRestore: (template: TestTemplate) => void;
  /** What an empty page says (no template matches the filters, or the library is empty). */
  emptyText: string;
}) {
  const { can } = useAuth();
  if (templates.length === 0) {
    return (
      <Text size="sm" c="gray.7" data-testid="no-templates">
        {emptyText}
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped withTableBorder aria-label="Test templates" data-testid="template-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">MITRE ATT&CK</Table.Th>
            <Table.Th scope="col">Platforms</Table.Th>
            <Table.Th scope="col">OPSEC</Table.Th>
            <Table.Th scope="col">Tags</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {templates.map((template) => (
            <Table.Tr key={template.id} data-testid="template-row">
              <Table.Td>
                <Button variant="subtle" px={4} onClick={() => onOpen(template)}>
                  {template.name}
                </Button>
                {template.deleted_at && (
                  <Badge color="red" variant="light" ml="xs">
                    Deleted
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <MitreTags tags={template.mitre} />
              </Table.Td>
              <Table.Td>{template.platforms.join(", ")}</Table.Td>
              <Table.Td>{template.opsec_level ?? ""}</Table.Td>
              <Table.Td>{template.tags.join(", ")}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap" justify="flex-end">
                  {template.deleted_at
                    ? can("test_template.delete") && (
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => onRestore(template)}
                          aria-label={`Restore ${template.name}`}
                        >
                          Restore
                        </Button>
                      )
                    : can("test_template.write") && (
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => onEdit(template)}
                          aria-label={`Edit ${template.name}`}
                        >
                          Edit
                        </Button>
                      )}
                  {!template.deleted_at && can("test_template.delete") && (
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() => onDelete(template)}
                      aria-label={`Delete ${template.name}`}
                    >
                      Delete
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
