import type { Matrix } from "../../../api/types";

/** What a search in the matrix found, by ATT&CK ID (a technique sits in several tactics). */
export interface MatrixSearch {
  /** Techniques whose own ID or name matches. */
  techniques: Set<string>;
  /** Subtechniques whose ID or name matches. */
  subtechniques: Set<string>;
  /** Techniques with a matching subtechnique: shown expanded, never dimmed. */
  parents: Set<string>;
}

export type Match = "match" | "contains" | "dimmed" | "none";

function matches(needle: string, externalId: string, name: string): boolean {
  return externalId.toLowerCase().includes(needle) || name.toLowerCase().includes(needle);
}

/** Case-insensitive substring search on ID or name; null for an empty query (nothing dims). */
export function searchMatrix(matrix: Matrix, query: string): MatrixSearch | null {
  const needle = query.trim().toLowerCase();
  if (needle === "") return null;
  const found: MatrixSearch = {
    techniques: new Set(),
    subtechniques: new Set(),
    parents: new Set(),
  };
  for (const tactic of matrix.tactics) {
    for (const technique of tactic.techniques) {
      if (matches(needle, technique.external_id, technique.name))
        found.techniques.add(technique.external_id);
      for (const sub of technique.subtechniques) {
        if (matches(needle, sub.external_id, sub.name)) {
          found.subtechniques.add(sub.external_id);
          found.parents.add(technique.external_id);
        }
      }
    }
  }
  return found;
}

export function techniqueMatch(search: MatrixSearch | null, externalId: string): Match {
  if (search === null) return "none";
  if (search.techniques.has(externalId)) return "match";
  if (search.parents.has(externalId)) return "contains";
  return "dimmed";
}

export function subtechniqueMatch(search: MatrixSearch | null, externalId: string): Match {
  if (search === null) return "none";
  return search.subtechniques.has(externalId) ? "match" : "dimmed";
}

export function resultCount(search: MatrixSearch): number {
  return search.techniques.size + search.subtechniques.size;
}
