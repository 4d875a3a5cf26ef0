import type { ReactNode } from "react";

/**
 * A combobox's "nothing found" line (Mantine's `nothingFoundMessage`). Mantine shows it inside
 * the options' listbox: as plain text it leaves that listbox without any option, which axe
 * reports as critical (aria-required-children) and a screen reader has nothing to read out. As
 * a disabled option it is announced, and it cannot be picked: Mantine's keyboard navigation
 * only moves between its own options.
 */
export function NothingFound({ children }: { children: ReactNode }) {
  return (
    <span role="option" aria-disabled="true" aria-selected="false">
      {children}
    </span>
  );
}
