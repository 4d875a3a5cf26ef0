/**
 * The file name a `Content-Disposition` header gives: its RFC 6266 `filename*` (UTF-8, so a
 * mission named "Übung Q3" downloads as `Übung-Q3-tests.csv`), else its plain `filename`.
 */
export function dispositionFilename(disposition: string): string | null {
  const encoded = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded);
    } catch {
      // A malformed escape: the plain name below.
    }
  }
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
}
