/** Issue #11 item 3: where to go after signing in or switching teams, never off our origin. */

const DEFAULT_PAGE = "/people";
// A base no request ever has: a target resolving elsewhere was not a path of ours.
const BASE = "http://beacon.invalid";

function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Percent-decodes until stable (a few rounds), or null for a malformed escape. */
function fullyDecoded(value: string): string | null {
  let current = value;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Whether a form of the target could read as another host to a browser or a proxy. */
function looksOffsite(value: string): boolean {
  return (
    !value.startsWith("/") ||
    value.startsWith("//") ||
    value.includes("\\") ||
    hasControlChar(value)
  );
}

/**
 * A same-origin path (normalized: dot segments resolved, unsafe characters escaped) to
 * redirect to, or `fallback` for anything else: absolute and protocol-relative URLs,
 * backslashes, control characters, and their percent-encoded forms.
 */
export function safeRedirect(to: unknown, fallback = DEFAULT_PAGE): string {
  if (typeof to !== "string" || to === "" || to.length > 2048) return fallback;
  if (looksOffsite(to)) return fallback;
  const decoded = fullyDecoded(to);
  if (decoded === null || looksOffsite(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(to, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" normalizes to "//evil.example": check the result too.
  if (looksOffsite(path)) return fallback;
  return path;
}
