/** Colours and labels of the coverage heatmaps (pure, unit-tested in heat.test.ts). */

export interface ScoredLevel {
  id: string;
  name: string;
  score: number | null;
  color: string;
}

/** Grey of a technique tested but not scored (the Navigator layer uses the same). */
export const UNSCORED_COLOR = "#d0d0d0";

/**
 * The scored level closest to `score` (ties: the lower one), as the Navigator layer colours a
 * technique; null when the score or every level's score is null.
 */
export function closestLevel<T extends ScoredLevel>(score: number | null, levels: T[]): T | null {
  const scored = levels
    .filter((level) => level.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0));
  if (score === null || scored.length === 0) return null;
  let best = scored[0];
  for (const level of scored) {
    if (Math.abs((level.score ?? 0) - score) < Math.abs((best.score ?? 0) - score)) best = level;
  }
  return best;
}

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(first: string, second: string): number {
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

/**
 * Black or white, whichever reads better on `background`: one of the two is always at least
 * 4.58:1 on any colour, so a cell keeps its contrast whatever colour a level is given.
 */
export function textColorOn(background: string): "#000000" | "#ffffff" {
  return contrast(background, "#000000") >= contrast(background, "#ffffff") ? "#000000" : "#ffffff";
}

/** The compare diff's colours; each cell also shows the change as text. */
export const CHANGES = {
  improved: { label: "Improved", color: "#2b8a3e" },
  regressed: { label: "Regressed", color: "#c92a2a" },
  unchanged: { label: "Unchanged", color: "#adb5bd" },
  new: { label: "New", color: "#1971c2" },
  dropped: { label: "Dropped", color: "#e8590c" },
} as const;

/** A score for people: "75", "83.3", or "—". */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "—" : `${Math.round(score * 10) / 10}`;
}
