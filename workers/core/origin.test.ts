import { describe, expect, it } from "vitest";
import { checkOrigin, type OriginInput } from "./origin";

const base: OriginInput = {
  method: "POST",
  pathname: "/login",
  origin: "https://beacon.example",
  secFetchSite: null,
  ownOrigin: "https://beacon.example",
};

describe("checkOrigin", () => {
  it("accepts a POST from our own origin", () => {
    expect(checkOrigin(base).ok).toBe(true);
  });

  it("refuses a POST from another origin, naming it", () => {
    const v = checkOrigin({ ...base, origin: "https://evil.example" });
    expect(v).toEqual({ ok: false, message: expect.stringContaining("https://evil.example") });
  });

  it("refuses the opaque origin null", () => {
    expect(checkOrigin({ ...base, origin: "null" }).ok).toBe(false);
  });

  it("refuses another scheme or port of our host", () => {
    expect(checkOrigin({ ...base, origin: "http://beacon.example" }).ok).toBe(false);
    expect(checkOrigin({ ...base, origin: "https://beacon.example:8443" }).ok).toBe(false);
  });

  it("without Origin, accepts only Sec-Fetch-Site same-origin", () => {
    expect(checkOrigin({ ...base, origin: null, secFetchSite: "same-origin" }).ok).toBe(true);
    expect(checkOrigin({ ...base, origin: null, secFetchSite: "same-site" }).ok).toBe(false);
    expect(checkOrigin({ ...base, origin: null, secFetchSite: "cross-site" }).ok).toBe(false);
    expect(checkOrigin({ ...base, origin: null, secFetchSite: "none" }).ok).toBe(false);
  });

  it("refuses a POST with neither header", () => {
    expect(checkOrigin({ ...base, origin: null }).ok).toBe(false);
  });

  it("lets safe methods through from anywhere", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(checkOrigin({ ...base, method, origin: "https://evil.example" }).ok).toBe(true);
    }
  });

  it("checks every other method", () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect(checkOrigin({ ...base, method, origin: "https://evil.example" }).ok).toBe(false);
    }
  });

  it("guards better-auth's routes", () => {
    const v = checkOrigin({ ...base, pathname: "/api/auth/sign-in/email", origin: null });
    expect(v.ok).toBe(false);
  });

  it("exempts one-click unsubscribe, webhooks, the API-key API and /cdn-cgi", () => {
    for (const pathname of [
      "/u/abc",
      "/u/abc.data",
      "/webhooks/twilio",
      "/api/v1/people",
      "/api/v1",
      "/cdn-cgi/x",
    ]) {
      expect(checkOrigin({ ...base, pathname, origin: "https://evil.example" }).ok).toBe(true);
    }
  });

  it("does not exempt look-alike prefixes", () => {
    for (const pathname of ["/unsubscribe", "/api/v10/x", "/api/auth/x", "/webhooksx"]) {
      expect(checkOrigin({ ...base, pathname, origin: null }).ok).toBe(false);
    }
  });
});
