import { Swatch } from "../../app/Swatch";
import { Group, Loader, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../app/ErrorAlert";
import { type MitreDomain, fetchMatrix, matrixQueryKey } from "../mitre/api";
import { DEFAULT_DOMAIN } from "../mitre/domains";
import classes from "../mitre/matrix/Matrix.module.css";
import { TacticColumn } from "../mitre/matrix/TacticColumn";
import type { Heat } from "../mitre/matrix/TechniqueCell";

/**
 * The ATT&CK matrix of `domain` with a heatmap: `heatOf` gives a tested technique its colour and
 * a label in words; clicking a technique (or a subtechnique) calls `onOpen`.
 */
export function HeatMatrix({
  domain,
  heatOf,
  onOpen,
  label,
}: {
  /** Null: not known yet (the page is still loading what decides it). */
  domain: MitreDomain | null;
  heatOf: (externalId: string) => Heat | undefined;
  onOpen: (techniqueId: string, subtechniqueId?: string) => void;
  label: string;
}) {
  const matrix = useQuery({
    queryKey: matrixQueryKey(domain ?? DEFAULT_DOMAIN),
    queryFn: () => fetchMatrix(domain ?? DEFAULT_DOMAIN),
    enabled: domain !== null,
  });
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  if (domain === null || matrix.isPending) return <Loader aria-label="Loading the matrix" />;
  if (matrix.error) return <ErrorAlert title="Could not load the matrix" error={matrix.error} />;
  const toggle = (key: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  return (
    <div
      className={`${classes.scroller} ${classes.compact}`}
      tabIndex={0}
      aria-label={`${label}, scrolls both ways`}
      data-testid="heat-matrix"
    >
      <div className={classes.columns}>
        {matrix.data.tactics.map((tactic) => (
          <TacticColumn
            key={tactic.external_id}
            tactic={tactic}
            search={null}
            query=""
            isExpanded={(key) => expanded.has(key)}
            onToggle={toggle}
            onOpen={onOpen}
            heatOf={heatOf}
          />
        ))}
      </div>
    </div>
  );
}

/** A legend: a swatch beside each entry's name (the names carry the meaning). */
export function Legend({
  title,
  items,
}: {
  title: string;
  items: { label: string; color: string }[];
}) {
  return (
    <Stack gap={4} component="section" aria-label={title} data-testid="legend">
      <Text size="sm" fw={600}>
        {title}
      </Text>
      <Group gap="md" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {items.map((item) => (
          <Group key={item.label} gap={6} component="li" wrap="nowrap">
            <Swatch color={item.color} size={14} />
            <Text size="sm">{item.label}</Text>
          </Group>
        ))}
      </Group>
    </Stack>
  );
}
