import { Text } from "@mantine/core";
import type { ReactNode } from "react";
import classes from "./Facts.module.css";

/** A small description list: label on the left, value on the right. */
export function Facts({
  items,
}: {
  items: { label: string; value: ReactNode; testId?: string }[];
}) {
  return (
    <dl className={classes.facts}>
      {items.map((item) => (
        <div key={item.label} className={classes.row}>
          <Text component="dt" c="dimmed" size="sm">
            {item.label}
          </Text>
          <Text component="dd" size="sm" fw={600} data-testid={item.testId}>
            {item.value}
          </Text>
        </div>
      ))}
    </dl>
  );
}
