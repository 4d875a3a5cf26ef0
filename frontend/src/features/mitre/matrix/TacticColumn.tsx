import type { MatrixTactic } from "../../../api/types";
import type { MatrixSearch } from "./search";
import { type Heat, TechniqueCell } from "./TechniqueCell";
import classes from "./Matrix.module.css";

interface TacticColumnProps {
  tactic: MatrixTactic;
  search: MatrixSearch | null;
  query: string;
  isExpanded: (key: string, techniqueId: string) => boolean;
  onToggle: (key: string) => void;
  onOpen: (techniqueId: string, subtechniqueId?: string) => void;
  /** A colour and a label per technique id (the coverage heatmaps). */
  heatOf?: (externalId: string) => Heat | undefined;
}

export function TacticColumn({
  tactic,
  search,
  query,
  isExpanded,
  onToggle,
  onOpen,
  heatOf,
}: TacticColumnProps) {
  const headingId = `tactic-${tactic.external_id}`;
  return (
    <section className={classes.column} aria-labelledby={headingId} data-testid={headingId}>
      <header className={classes.tacticHeader}>
        <h2 className={classes.tacticName} id={headingId}>
          {tactic.name}
        </h2>
        <span className={classes.tacticMeta}>
          {tactic.external_id} · {tactic.techniques.length} techniques
        </span>
      </header>
      <ul className={classes.list}>
        {tactic.techniques.map((technique) => {
          // A technique shows up under several tactics; each cell folds out on its own.
          const key = `${tactic.external_id}/${technique.external_id}`;
          return (
            <TechniqueCell
              key={technique.external_id}
              technique={technique}
              search={search}
              query={query}
              expanded={isExpanded(key, technique.external_id)}
              onToggle={() => onToggle(key)}
              onOpen={onOpen}
              heat={heatOf?.(technique.external_id)}
              subtechniqueHeatOf={heatOf}
            />
          );
        })}
      </ul>
    </section>
  );
}
