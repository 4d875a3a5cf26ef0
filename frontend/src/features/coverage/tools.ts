/** The mission's coverage per defense tool, for people (pure, unit-tested in tools.test.ts). */

import { TOOL_LAYERS } from "../missions/toolLayers";
import type { ScoredLevel } from "./heat";

/** The API's tool layers by value, named as a security team says them. */
export const LAYER_NAMES: Record<string, string> = Object.fromEntries(
  TOOL_LAYERS.map((layer) => [layer.value, layer.label]),
);

/** What the API gives per tool (`GET /missions/{id}/coverage?by=tool`, `tools[]`). */
export interface ToolFigures {
  tool_id: string;
  name: string;
  layer: string;
  /** Deleted since: its outcomes still count (a live tool may have taken its name). */
  deleted: boolean;
  score: number | null;
  tests: number;
  scored_tests: number;
  outcomes: Record<string, number>;
  techniques: { external_id: string; score: number | null }[];
}

/** A tool as people read it: "Old NDR (deleted)" for one deleted since. */
export function toolTitle(tool: { name: string; deleted: boolean }): string {
  return tool.deleted ? `${tool.name} (deleted)` : tool.name;
}

export interface ToolSummary {
  id: string;
  name: string;
  /** Its name, "(deleted)" after it for a tool deleted since (`toolTitle`). */
  title: string;
  deleted: boolean;
  layer: string;
  score: number | null;
  tests: number;
  scoredTests: number;
  /** The tool's outcomes by level, in the levels' order, only the levels it has runs at. */
  outcomes: { level: ScoredLevel; runs: number }[];
}

/**
 * One row per tool, in the API's order (by name). A level unknown to `levels` (there is none
 * today: the API lists every level a counted run uses) is left out rather than shown unnamed.
 */
export function toolSummaries(tools: ToolFigures[], levels: ScoredLevel[]): ToolSummary[] {
  return tools.map((tool) => ({
    id: tool.tool_id,
    name: tool.name,
    title: toolTitle(tool),
    deleted: tool.deleted,
    layer: LAYER_NAMES[tool.layer] ?? tool.layer,
    score: tool.score,
    tests: tool.tests,
    scoredTests: tool.scored_tests,
    outcomes: levels
      .filter((level) => (tool.outcomes[level.id] ?? 0) > 0)
      .map((level) => ({ level, runs: tool.outcomes[level.id] })),
  }));
}

/** "2 Alerted, 1 Not detected", or "No outcome" (the levels' names carry the meaning). */
export function outcomesText(outcomes: ToolSummary["outcomes"]): string {
  if (outcomes.length === 0) return "No outcome";
  return outcomes.map((item) => `${item.runs} ${item.level.name}`).join(", ");
}

/**
 * The per-technique scores the heatmap draws: the chosen tool's (technique id → score), or
 * null for all tools (the mission's own). A chosen tool the data no longer lists (its outcomes
 * were removed since) gives an empty map: nothing is drawn as if it were tested by it.
 */
export function toolTechniqueScores(
  tools: ToolFigures[],
  toolId: string | null,
): Map<string, number | null> | null {
  if (toolId === null) return null;
  const tool = tools.find((item) => item.tool_id === toolId);
  return new Map((tool?.techniques ?? []).map((item) => [item.external_id, item.score]));
}
