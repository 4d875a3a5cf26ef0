import { Card, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A titled card on the home page; the title names the card's region for screen readers. */
export function HomeCard({
  id,
  title,
  children,
}: {
  id: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <Card
      withBorder
      padding="lg"
      component="section"
      aria-labelledby={`${id}-title`}
      data-testid={`${id}-card`}
    >
      <Title order={2} size="h4" id={`${id}-title`} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}
