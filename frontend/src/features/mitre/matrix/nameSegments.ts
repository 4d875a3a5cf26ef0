/** A name cut into the runs that match a search (case-insensitive) and those that do not. */
export function nameSegments(name: string, highlight: string): { text: string; match: boolean }[] {
  const query = highlight.trim().toLowerCase();
  if (!query) return [{ text: name, match: false }];
  const segments: { text: string; match: boolean }[] = [];
  const lower = name.toLowerCase();
  let start = 0;
  for (let found = lower.indexOf(query); found !== -1; found = lower.indexOf(query, start)) {
    if (found > start) segments.push({ text: name.slice(start, found), match: false });
    segments.push({ text: name.slice(found, found + query.length), match: true });
    start = found + query.length;
  }
  if (start < name.length) segments.push({ text: name.slice(start), match: false });
  return segments;
}

// A CamelCase token at least this long is wider than a compact column: it may break between
// its parts. Shorter ones (PowerShell, JavaScript) stay whole.
const LONG_TOKEN = 13;

/**
 * `text` in the parts between which a line may break, where a browser would not: after a
 * slash or an underscore ("Virtualization/" "Sandbox", "LC_" "LOAD_" "DYLIB"), and inside a long CamelCase token before each capital
 * that follows a small letter ("SyncAppv" "Publishing" "Server"). Joined, the parts are `text`.
 */
export function breakParts(text: string): string[] {
  const cuts = new Set<number>();
  for (let index = 1; index < text.length; index += 1) {
    if ("/_".includes(text[index - 1]) && /[A-Za-z]/.test(text[index])) cuts.add(index);
  }
  for (const token of text.matchAll(/[A-Za-z]+/g)) {
    if (token[0].length < LONG_TOKEN) continue;
    for (let index = 1; index < token[0].length; index += 1) {
      if (/[a-z]/.test(token[0][index - 1]) && /[A-Z]/.test(token[0][index])) {
        cuts.add(token.index + index);
      }
    }
  }
  const parts: string[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parts.push(text.slice(start, cut));
    start = cut;
  }
  parts.push(text.slice(start));
  return parts;
}
