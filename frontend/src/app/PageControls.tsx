import { Group, Pagination, Text } from "@mantine/core";

/**
 * Under a paged table, when there is more than one page: the page buttons and where this page
 * sits ("51–100 of 230 missions"). `page` is 1-based.
 */
export function PageControls({
  total,
  page,
  pageSize,
  noun,
  onChange,
}: {
  total: number;
  page: number;
  pageSize: number;
  noun: string;
  onChange: (page: number) => void;
}) {
  if (total <= pageSize) return null;
  const first = (page - 1) * pageSize + 1;
  return (
    <Group>
      <Pagination
        total={Math.ceil(total / pageSize)}
        value={page}
        onChange={onChange}
        getControlProps={(control) => ({ "aria-label": `${control} page` })}
      />
      <Text size="sm">
        {first}–{Math.min(first + pageSize - 1, total)} of {total} {noun}
      </Text>
    </Group>
  );
}
