import { Badge, Group, Tooltip } from "@mantine/core";
import type { MitreTag } from "../../api/types";

/** A template's MITRE tags as badges: the id, with the name on hover and for screen readers. */
export function MitreTags({ tags }: { tags: MitreTag[] }) {
  if (tags.length === 0) return null;
  return (
    <Group gap={4}>
      {tags.map((tag) => (
        <Tooltip key={`${tag.kind}:${tag.external_id}`} label={tag.name}>
          <Badge
            variant="light"
            color={tag.kind === "tactic" ? "grape" : "violet"}
            tt="none"
            size="sm"
            aria-label={`${tag.external_id} ${tag.name}`}
          >
            {tag.external_id}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}
