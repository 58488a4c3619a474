import { describe, expect, it } from "vitest";
import { trackingToken, verifyTrackingToken } from "./token";

const SECRET = "k".repeat(40);

describe("tracking tokens", () => {
  it("round-trips each kind of claim", () => {
    const claims = [
      { k: "o", t: "team", m: "msg" },
      { k: "c", t: "team", m: "msg", i: 2, u: "https://jobs.example/x?a=1&b=2" },
      { k: "d", t: "team", m: "msg", a: "att", n: 1 },
      { k: "h", t: "team", m: "msg" },
    ] as const;
    for (const c of claims) {
      const token = trackingToken(SECRET, c);
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      expect(verifyTrackingToken(SECRET, token)).toEqual(c);
    }
  });

  it("refuses another secret, an altered body or MAC, and malformed tokens", () => {
    const token = trackingToken(SECRET, { k: "c", t: "t", m: "m", i: 0, u: "https://a.example" });
    expect(verifyTrackingToken("x".repeat(40), token)).toBeNull();
    const [body, mac] = token.split(".");
    const forgedBody = Buffer.from(
      JSON.stringify({ k: "c", t: "t", m: "m", i: 0, u: "https://evil.example" }),
    ).toString("base64url");
    expect(verifyTrackingToken(SECRET, `${forgedBody}.${mac}`)).toBeNull();
    expect(verifyTrackingToken(SECRET, `${body}.${mac.slice(0, -1)}A`)).toBeNull();
    expect(verifyTrackingToken(SECRET, "nodot")).toBeNull();
    expect(verifyTrackingToken(SECRET, `.${mac}`)).toBeNull();
  });

  it("never signs a click to anything but http(s)", () => {
    const token = trackingToken(SECRET, {
      k: "c",
      t: "t",
      m: "m",
      i: 0,
      u: "javascript:alert(1)" as string,
    });
    expect(verifyTrackingToken(SECRET, token)).toBeNull();
  });
});
