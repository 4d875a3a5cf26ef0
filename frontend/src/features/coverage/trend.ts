import type { Mission } from "../missions/api";

type TrendMission = Pick<
  Mission,
  "id" | "name" | "start_date" | "end_date" | "created_at" | "progress"
>;

/** A scored mission on the score-over-time line, and how it moved from the one before. */
export interface TrendPoint {
  id: string;
  name: string;
  /** The mission's date: its end, else its start, else the day it was created where the user
   * is (YYYY-MM-DD). */
  date: string;
  score: number;
  /** Score minus the previous point's (one decimal), or null for the first. */
  change: number | null;
  /** The previous point's mission, to compare with. */
  previousId: string | null;
}

/**
 * Mission scores in date order: whether the organisation detects better from one exercise to
 * the next. Missions without a score (nothing completed and scored yet) are left out; two on
 * the same day keep the order they were created in.
 */
export function scoreTrend(missions: TrendMission[], timeZone?: string): TrendPoint[] {
  const scored = missions
    .filter((mission) => mission.progress.score !== null && mission.progress.score !== undefined)
    .map((mission) => ({
      mission,
      date: mission.end_date ?? mission.start_date ?? localDay(mission.created_at, timeZone),
    }))
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) || a.mission.created_at.localeCompare(b.mission.created_at),
    );
  return scored.map(({ mission, date }, index) => {
    const score = mission.progress.score as number;
    const previous = index > 0 ? scored[index - 1].mission : null;
    return {
      id: mission.id,
      name: mission.name,
      date,
      score,
      change:
        previous === null
          ? null
          : Math.round((score - (previous.progress.score as number)) * 10) / 10,
      previousId: previous?.id ?? null,
    };
  });
}

/** The day (YYYY-MM-DD) a moment falls on where the user is (`timeZone`: the browser's): a
 * mission created at 22:56 in New York is of that day, not of the next one in UTC. */
export function localDay(moment: string, timeZone?: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return format.format(new Date(moment));
}

/** A change for people: "+12.5", "−5", "±0", or "—" for the first point. */
export function formatChange(change: number | null): string {
  if (change === null) return "—";
  if (change === 0) return "±0";
  return change > 0 ? `+${change}` : `−${-change}`;
}
