/**
 * Login CSRF and cross-site form posts (issue #11 item 2): a state-changing request that a
 * cookie could authenticate must come from our own origin.
 */

export type OriginInput = {
  method: string;
  pathname: string;
  /** The `Origin` header, or null when absent. */
  origin: string | null;
  /** The `Sec-Fetch-Site` header, or null when absent. */
  secFetchSite: string | null;
  /** The origin of PUBLIC_URL, e.g. "https://beacon.example". */
  ownOrigin: string;
};

export type OriginVerdict = { ok: true } | { ok: false; message: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Paths whose requests carry their own authority instead of a cookie: one-click unsubscribe
 * (RFC 8058, posted by mail providers), signed webhooks, the API-key-only JSON API, and
 * Cloudflare's own endpoints.
 */
const EXEMPT_PREFIXES = ["/u/", "/webhooks/", "/api/v1/", "/cdn-cgi/"];

export function isOriginExempt(pathname: string): boolean {
  return pathname === "/api/v1" || EXEMPT_PREFIXES.some((p) => pathname.startsWith(p));
}

/** Whether a request may change state: safe methods and exempt paths always may. */
export function checkOrigin(input: OriginInput): OriginVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { ok: true };
  if (isOriginExempt(input.pathname)) return { ok: true };
  if (input.origin !== null) {
    // "null" (sandboxed frames, some redirects) is never our origin.
    if (input.origin === input.ownOrigin) return { ok: true };
    return {
      ok: false,
      message: `This form was sent from another site (${input.origin}), so it was refused. Open Beacon at ${input.ownOrigin} and try again.`,
    };
  }
  if (input.secFetchSite === "same-origin") return { ok: true };
  // Browsers send Origin on every POST; a request with neither header is not one of ours.
  return {
    ok: false,
    message: `This form did not say which site sent it, so it was refused. Open Beacon at ${input.ownOrigin} and try again.`,
  };
}
