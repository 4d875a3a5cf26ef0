/** The API's file name for a mission's download: letters and digits of any script kept,
 * anything else a `-` ("Übung Q3" → `Übung-Q3-report.html`), as `_named_after` does. */
export function fileNameOf(missionName: string, suffix: string): string {
  const stem = (value: string) => value.replace(/^[-.]+|[-.]+$/g, "");
  const name = stem(stem(missionName.replace(/[^\p{L}\p{N}_.-]+/gu, "-")).slice(0, 80));
  return (name || "mission") + suffix;
}
