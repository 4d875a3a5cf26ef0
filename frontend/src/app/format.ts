/** Dates and durations as people read them (the browser's locale). */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** To the second: where minutes are not enough (a detection 40 s before the execution). */
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const dateTimeMilliseconds = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

/** A time the API writes into a message, "2026-12-03 09:12:44 UTC" (or "….123 UTC"). */
const MESSAGE_TIME = /\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{3})? UTC\b/g;

/**
 * `text` (an API message) with each time written in it in the browser's time zone and locale,
 * to the second (to the millisecond when the API gave them), as the page's inputs show times:
 * "The detection (3 Dec 2026, 10:12:00) is before the execution (3 Dec 2026, 10:12:44)".
 */
export function localTimesIn(text: string): string {
  return text.replace(MESSAGE_TIME, (found, day: string, time: string, fraction?: string) => {
    const date = new Date(`${day}T${time}${fraction ?? ""}Z`);
    if (Number.isNaN(date.getTime())) return found;
    return (fraction ? dateTimeMilliseconds : dateTimeSeconds).format(date);
  });
}

/** A calendar date (YYYY-MM-DD, as the API gives mission dates), in the browser's locale. */
const calendarDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function formatDate(date: string | null | undefined): string {
  if (!date) return "—";
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : calendarDate.format(parsed);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
