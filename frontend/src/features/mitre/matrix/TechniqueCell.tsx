import type { CSSProperties } from "react";
import type { MatrixTechnique } from "../../../api/types";
import { MatrixName } from "./MatrixName";
import { type MatrixSearch, subtechniqueMatch, techniqueMatch } from "./search";
import classes from "./Matrix.module.css";

/** A heatmap's colour for a cell, with the text that says the same (colour is never alone). */
export interface Heat {
  background: string;
  text: string;
  label: string;
}

interface TechniqueCellProps {
  technique: MatrixTechnique;
  search: MatrixSearch | null;
  query: string;
  expanded: boolean;
  onToggle: () => void;
  onOpen: (techniqueId: string, subtechniqueId?: string) => void;
  /** A heatmap's colour and label; the theme's colours otherwise. */
  heat?: Heat;
  /**
   * On a heatmap, each sub-technique's own colour and label (undefined: not tested). Without it
   * the sub-techniques would show on their technique's colour, as if each had its outcome.
   */
  subtechniqueHeatOf?: (externalId: string) => Heat | undefined;
}

/** One technique in a tactic column; its subtechniques fold out below it. */
export function TechniqueCell({
  technique,
  search,
  query,
  expanded,
  onToggle,
  onOpen,
  heat,
  subtechniqueHeatOf,
}: TechniqueCellProps) {
  const match = techniqueMatch(search, technique.external_id);
  const subCount = technique.subtechniques.length;
  const highlight = query.trim();

  return (
    <li
      className={classes.cell}
      data-match={match}
      data-testid={`technique-${technique.external_id}`}
      data-heat={heat ? heat.label : undefined}
      style={
        heat
          ? ({ "--cell-color": heat.background, "--cell-text": heat.text } as CSSProperties)
          : undefined
      }
    >
      <div className={classes.cellRow}>
        <button
          type="button"
          className={classes.cellButton}
          onClick={() => onOpen(technique.external_id)}
        >
          <span className={classes.id}>{technique.external_id}</span>
          <MatrixName name={technique.name} highlight={highlight} />
          {heat && <span className={classes.heatLabel}>{heat.label}</span>}
        </button>
        {subCount > 0 && (
          <button
            type="button"
            className={classes.toggle}
            aria-expanded={expanded}
            aria-label={`${expanded ? "Hide" : "Show"} ${subCount} ${
              subCount === 1 ? "subtechnique" : "subtechniques"
            } of ${technique.name}`}
            onClick={onToggle}
          >
            {expanded ? "−" : "+"}
            {subCount}
          </button>
        )}
      </div>
      {expanded && (
        <ul className={classes.subList}>
          {technique.subtechniques.map((sub) => {
            const subHeat = subtechniqueHeatOf?.(sub.external_id);
            return (
              <li
                key={sub.external_id}
                className={subtechniqueHeatOf ? `${classes.sub} ${classes.heatSub}` : classes.sub}
                data-match={subtechniqueMatch(search, sub.external_id)}
                data-testid={`subtechnique-${sub.external_id}`}
                data-heat={subHeat ? subHeat.label : undefined}
                style={
                  subtechniqueHeatOf
                    ? // `initial` empties the variables inherited from the technique's cell, so
                      // an untested sub-technique falls back to the page's colours.
                      ({
                        "--cell-color": subHeat?.background ?? "initial",
                        "--cell-text": subHeat?.text ?? "initial",
                      } as CSSProperties)
                    : undefined
                }
              >
                <button
                  type="button"
                  className={classes.cellButton}
                  onClick={() => onOpen(technique.external_id, sub.external_id)}
                >
                  <span className={classes.id}>{sub.external_id}</span>
                  <MatrixName name={sub.name} highlight={highlight} />
                  {subHeat && <span className={classes.heatLabel}>{subHeat.label}</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </li>
  );
}
