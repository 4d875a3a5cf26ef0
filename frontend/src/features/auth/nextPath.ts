/**
 * Where to go after signing in: the `next` query parameter when it is a path on this site,
 * else home. Anything else ("//evil.example", "https://…", "javascript:…") is ignored so the
 * sign-in page cannot be used as an open redirect.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/sign-in")) return "/";
  return next;
}

/** `/sign-in?next=<path>` for the page the user was on. */
export function signInPathFor(location: { pathname: string; search: string; hash: string }) {
  const here = `${location.pathname}${location.search}${location.hash}`;
  if (here === "/" || location.pathname === "/sign-in") return "/sign-in";
  return `/sign-in?${new URLSearchParams({ next: here })}`;
}
