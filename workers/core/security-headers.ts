/** Issue #11 item 8: the headers every response of ours carries. */

/**
 * The Content-Security-Policy of an HTML page: only our own scripts (Remix's inline ones by
 * `nonce`) and stylesheets; style attributes stay allowed (docs/decisions/0023-web-edge-origin-size-csp.md).
 */
export function pageCsp(nonce: string | null, publicUrl: string): string {
  const url = new URL(publicUrl);
  const socket = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`;
  return [
    "default-src 'self'",
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ""}`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers same-origin WebSockets in current browsers; older Safari needs the host.
    `connect-src 'self' ${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Anything that is not a page (JSON, CSV, raw mail) runs nothing and is framed nowhere. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Paths whose URL holds a capability token: never sent on in a Referer. */
const TOKEN_PREFIXES = ["/u/", "/t/"];

export type SecurityHeadersInput = {
  pathname: string;
  publicUrl: string;
  contentType: string | null;
  /** The response's own CSP (a page's, with its nonce), kept when present. */
  csp: string | null;
};

/** The security headers to set on a response (overriding what it had). */
export function securityHeaders(input: SecurityHeadersInput): Record<string, string> {
  const isHtml = (input.contentType ?? "").toLowerCase().startsWith("text/html");
  const headers: Record<string, string> = {
    "Content-Security-Policy":
      input.csp ?? (isHtml ? pageCsp(null, input.publicUrl) : NON_PAGE_CSP),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": TOKEN_PREFIXES.some((p) => input.pathname.startsWith(p))
      ? "no-referrer"
      : "strict-origin-when-cross-origin",
  };
  if (new URL(input.publicUrl).protocol === "https:") {
    headers["Strict-Transport-Security"] = "max-age=31536000";
  }
  return headers;
}
