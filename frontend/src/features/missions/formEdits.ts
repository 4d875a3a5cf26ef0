/** Rows carry a client-side `key`; it is no part of what they say. */
const withoutKeys = (name: string, value: unknown) => (name === "key" ? undefined : value);

/** Whether two form values say the same (row keys aside). */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, withoutKeys) === JSON.stringify(b, withoutKeys);
}

/**
 * The form once the server answered with `next`: a field the user has edited since `previous`
 * (the version the form was filled from) keeps what they typed, unless it was just `sent` (then
 * the server's value is what they typed, stored); every other field follows the server.
 */
export function keepEdits<T extends object>(
  current: T,
  previous: T,
  next: T,
  sent: readonly string[] = [],
): T {
  const merged = { ...next };
  for (const name of Object.keys(current) as (keyof T)[]) {
    const edited = !same(current[name], previous[name]);
    if (edited && !sent.includes(name as string)) merged[name] = current[name];
  }
  return merged;
}

/**
 * The fields the user has edited since `previous` that `next` (someone else's version) changed
 * too: taking `next` as the new base would let a save overwrite those without a word.
 */
export function clashes<T extends object>(current: T, previous: T, next: T): string[] {
  return (Object.keys(current) as (keyof T & string)[]).filter(
    (name) => !same(current[name], previous[name]) && !same(next[name], previous[name]),
  );
}
