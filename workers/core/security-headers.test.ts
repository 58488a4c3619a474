import { describe, expect, it } from "vitest";
import { NON_PAGE_CSP, pageCsp, securityHeaders } from "./security-headers";

const page = {
  pathname: "/people",
  publicUrl: "https://beacon.example",
  contentType: "text/html",
  csp: null,
};

describe("pageCsp", () => {
  it("allows our scripts and the nonce, nothing inline without it", () => {
    const csp = pageCsp("abc123", "https://beacon.example");
    expect(csp).toContain("script-src 'self' 'nonce-abc123';");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toMatch(/style-src 'self';/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("lets the live feed's WebSocket reach our own host", () => {
    expect(pageCsp("n", "https://beacon.example")).toContain(
      "connect-src 'self' wss://beacon.example",
    );
    expect(pageCsp("n", "http://localhost:8787")).toContain(
      "connect-src 'self' ws://localhost:8787",
    );
  });
});

describe("securityHeaders", () => {
  it("keeps a page's own CSP", () => {
    expect(securityHeaders({ ...page, csp: "x" })["Content-Security-Policy"]).toBe("x");
  });

  it("gives a page without one a nonce-less page policy", () => {
    expect(securityHeaders(page)["Content-Security-Policy"]).toBe(
      pageCsp(null, "https://beacon.example"),
    );
  });

  it("locks down responses that are not pages", () => {
    const h = securityHeaders({ ...page, contentType: "application/json" });
    expect(h["Content-Security-Policy"]).toBe(NON_PAGE_CSP);
  });

  it("sets nosniff, framing and referrer policies", () => {
    const h = securityHeaders(page);
    expect(h["X-Content-Type-Options"]).toBe("nosniff");
    expect(h["X-Frame-Options"]).toBe("DENY");
    expect(h["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
  });

  it("never sends an unsubscribe or tracking token on in a Referer", () => {
    expect(securityHeaders({ ...page, pathname: "/u/tok" })["Referrer-Policy"]).toBe("no-referrer");
    expect(securityHeaders({ ...page, pathname: "/t/tok" })["Referrer-Policy"]).toBe("no-referrer");
  });

  it("sets HSTS only when PUBLIC_URL is https", () => {
    expect(securityHeaders(page)["Strict-Transport-Security"]).toBe("max-age=31536000");
    expect(
      securityHeaders({ ...page, publicUrl: "http://localhost" })["Strict-Transport-Security"],
    ).toBeUndefined();
  });
});
