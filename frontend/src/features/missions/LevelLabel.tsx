import { Swatch } from "../../app/Swatch";
import { Group, Text } from "@mantine/core";
import type { DetectionLevel } from "./api";

/** A detection level as a colour swatch beside its name (the text keeps its contrast). */
export function LevelLabel({ level }: { level: DetectionLevel | undefined }) {
  if (!level) return <Text size="sm">—</Text>;
  return (
    <Group gap={6} wrap="nowrap" data-testid="level-label">
      <Swatch color={level.color} />
      <Text size="sm">{level.name}</Text>
    </Group>
  );
}
