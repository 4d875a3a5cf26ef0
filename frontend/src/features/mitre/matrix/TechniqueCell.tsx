import { Highlight } from "@mantine/core";
import type { CSSProperties } from "react";
import type { MatrixTechnique } from "../../../api/types";
import { type MatrixSearch, subtechniqueMatch, techniqueMatch } from "./search";
import classes from "./Matrix.module.css";

interface TechniqueCellProps {
  technique: MatrixTechnique;
  search: MatrixSearch | null;
  query: string;
  expanded: boolean;
  onToggle: () => void;
  onOpen: (techniqueId: string, subtechniqueId?: string) => void;
  /** The cell's background (a heatmap's score colour); the theme's otherwise. */
  color?: string;
}

/** One technique in a tactic column; its subtechniques fold out below it. */
export function TechniqueCell({
  technique,
  search,
  query,
  expanded,
  onToggle,
  onOpen,
  color,
}: TechniqueCellProps) {
  const match = techniqueMatch(search, technique.external_id);
  const subCount = technique.subtechniques.length;
  const highlight = query.trim();

  return (
    <li
      className={classes.cell}
      data-match={match}
      data-testid={`technique-${technique.external_id}`}
      style={color ? ({ "--cell-color": color } as CSSProperties) : undefined}
    >
      <div className={classes.cellRow}>
        <button
          type="button"
          className={classes.cellButton}
          onClick={() => onOpen(technique.external_id)}
        >
          <span className={classes.id}>{technique.external_id}</span>
          <Highlight component="span" size="xs" highlight={highlight}>
            {technique.name}
          </Highlight>
        </button>
        {subCount > 0 && (
          <button
            type="button"
            className={classes.toggle}
            aria-expanded={expanded}
            aria-label={`${expanded ? "Hide" : "Show"} ${subCount} subtechniques of ${technique.name}`}
            onClick={onToggle}
          >
            {expanded ? "−" : "+"}
            {subCount}
          </button>
        )}
      </div>
      {expanded && (
        <ul className={classes.subList}>
          {technique.subtechniques.map((sub) => (
            <li
              key={sub.external_id}
              className={classes.sub}
              data-match={subtechniqueMatch(search, sub.external_id)}
              data-testid={`subtechnique-${sub.external_id}`}
            >
              <button
                type="button"
                className={classes.cellButton}
                onClick={() => onOpen(technique.external_id, sub.external_id)}
              >
                <span className={classes.id}>{sub.external_id}</span>
                <Highlight component="span" size="xs" highlight={highlight}>
                  {sub.name}
                </Highlight>
              </button>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
