import { Accordion, Anchor, Badge, Drawer, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { TechniqueDetail } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { Description } from "../Description";
import { fetchTechnique, techniqueQueryKey } from "../api";
import { attackLink } from "../attackLink";

interface TechniqueDrawerProps {
  techniqueId: string | null;
  /** A subtechnique to unfold, when the user came from a subtechnique cell. */
  subtechniqueId: string | null;
  onClose: () => void;
}

export function TechniqueDrawer({ techniqueId, subtechniqueId, onClose }: TechniqueDrawerProps) {
  const technique = useQuery({
    queryKey: techniqueQueryKey(techniqueId ?? ""),
    queryFn: () => fetchTechnique(techniqueId ?? ""),
    enabled: techniqueId !== null,
  });
  const data = technique.data;

  return (
    <Drawer
      opened={techniqueId !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={data ? `${data.external_id} · ${data.name}` : techniqueId}
      closeButtonProps={{ "aria-label": "Close technique details" }}
    >
      {technique.isPending ? (
        <Loader aria-label="Loading the technique" />
      ) : technique.error ? (
        <ErrorAlert title="Could not load the technique" error={technique.error} />
      ) : (
        <TechniqueDetails technique={technique.data} subtechniqueId={subtechniqueId} />
      )}
    </Drawer>
  );
}

/** The technique's facts, description and subtechniques (one unfolded when asked). */
function TechniqueDetails({
  technique,
  subtechniqueId,
}: {
  technique: TechniqueDetail;
  subtechniqueId: string | null;
}) {
  return (
    <Stack data-testid="technique-detail">
      {(technique.deprecated || technique.revoked) && (
        <Group gap="xs">
          {technique.deprecated && <Badge color="orange">Deprecated</Badge>}
          {technique.revoked && <Badge color="red">Revoked</Badge>}
          {technique.replaced_by && <Text size="sm">Replaced by {technique.replaced_by}</Text>}
        </Group>
      )}
      {attackLink(technique.url) && (
        <Anchor
          href={attackLink(technique.url) ?? undefined}
          target="_blank"
          rel="noopener noreferrer"
        >
          View {technique.external_id} on attack.mitre.org
        </Anchor>
      )}
      <Section title="Tactics">
        <BadgeList
          items={technique.tactics.map((tactic) => `${tactic.name} (${tactic.external_id})`)}
        />
      </Section>
      <Section title="Platforms">
        <BadgeList items={technique.platforms} />
      </Section>
      <Section title="Description">
        <Description text={technique.description} />
      </Section>
      {technique.detection && (
        <Section title="Detection">
          <Description text={technique.detection} />
        </Section>
      )}
      <Section title={`Subtechniques (${technique.subtechniques.length})`}>
        {technique.subtechniques.length === 0 ? (
          <Text size="sm" c="dimmed">
            None.
          </Text>
        ) : (
          <Accordion variant="separated" defaultValue={subtechniqueId}>
            {technique.subtechniques.map((sub) => (
              <Accordion.Item key={sub.external_id} value={sub.external_id}>
                <Accordion.Control>
                  {sub.external_id} · {sub.name}
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="xs">
                    <BadgeList items={sub.platforms} />
                    <Description text={sub.description} />
                    {attackLink(sub.url) && (
                      <Anchor
                        href={attackLink(sub.url) ?? undefined}
                        target="_blank"
                        rel="noopener noreferrer"
                        size="sm"
                      >
                        View {sub.external_id} on attack.mitre.org
                      </Anchor>
                    )}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <Title order={3} size="h5" mb={6}>
        {title}
      </Title>
      {children}
    </section>
  );
}

function BadgeList({ items }: { items: string[] }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Group gap={6}>
      {items.map((item) => (
        <Badge key={item} variant="light">
          {item}
        </Badge>
      ))}
    </Group>
  );
}
