import { describe, expect, it } from "vitest";
import { classify, isBurst, nearHoneypot, type TrackingRequest } from "./machine";
import { imageProxy, scannerNetwork } from "./networks";

const SENT = 1_000_000;
const base: TrackingRequest = {
  kind: "click",
  method: "GET",
  at: SENT + 60_000,
  sentAt: SENT,
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
  asn: 7922,
  asOrg: "Comcast Cable",
  link: "https://a.example",
};
const rules = { machineSeconds: 10 };

describe("classify", () => {
  it("a person's GET from an ordinary network, a minute after the send, is human", () => {
    expect(classify(base, [], rules)).toEqual({ machine: false, reason: null, proxy: null });
  });

  it("HEAD is a machine", () => {
    expect(classify({ ...base, method: "HEAD" }, [], rules).reason).toBe("head");
  });

  it("within TRACK_MACHINE_SECONDS of the send is a machine; at the limit it is not", () => {
    expect(classify({ ...base, at: SENT + 9_999 }, [], rules).reason).toBe("too_soon");
    expect(classify({ ...base, at: SENT + 10_000 }, [], rules).machine).toBe(false);
    expect(classify({ ...base, at: SENT + 20_000 }, [], { machineSeconds: 30 }).reason).toBe(
      "too_soon",
    );
  });

  it("a scanner network by ASN or by organisation is a machine; Miniflare's placeholder is not", () => {
    for (const asn of [8075, 8074, 12076]) {
      expect(classify({ ...base, asn, asOrg: null }, [], rules).reason).toBe("scanner_network");
    }
    expect(classify({ ...base, asn: 1, asOrg: "Proofpoint, Inc." }, [], rules).reason).toBe(
      "scanner_network",
    );
    expect(classify({ ...base, asn: 64512, asOrg: "Mimecast Ltd" }, [], rules).machine).toBe(true);
    expect(classify({ ...base, asn: 395747, asOrg: "Cloudflare, Inc." }, [], rules).machine).toBe(
      false,
    );
  });

  it("the third distinct link within 2 s is a burst; the same link thrice is not", () => {
    const prior = [
      { kind: "click" as const, link: "https://b.example", at: base.at - 1_500 },
      { kind: "click" as const, link: "https://c.example", at: base.at - 800 },
    ];
    expect(classify(base, prior, rules).reason).toBe("burst");
    const same = prior.map((p) => ({ ...p, link: base.link }));
    expect(classify(base, same, rules).machine).toBe(false);
    const slow = prior.map((p) => ({ ...p, at: p.at - 5_000 }));
    expect(isBurst(base.link, base.at, slow)).toBe(false);
  });

  it("a honeypot hit is a machine, and so is a click within ±10 s of one", () => {
    expect(classify({ ...base, kind: "honeypot" }, [], rules).reason).toBe("honeypot");
    const hp = [{ kind: "honeypot" as const, link: null, at: base.at - 9_000 }];
    expect(classify(base, hp, rules).reason).toBe("near_honeypot");
    expect(nearHoneypot(base.at, [{ ...hp[0], at: base.at - 11_000 }])).toBe(false);
    // An open near a honeypot hit is not a click: the rule is about clicks.
    expect(classify({ ...base, kind: "open" }, hp, rules).machine).toBe(false);
  });

  it("image proxies' opens are counted and labelled, never machines by themselves", () => {
    const gmail = classify(
      { ...base, kind: "open", userAgent: "Mozilla/5.0 (via ggpht.com GoogleImageProxy)" },
      [],
      rules,
    );
    expect(gmail).toEqual({ machine: false, reason: null, proxy: "gmail" });
    expect(imageProxy("Mozilla/5.0", 714, "APPLE-ENGINEERING")).toBe("apple_mpp");
    expect(imageProxy(base.userAgent, base.asn, base.asOrg)).toBeNull();
    expect(scannerNetwork(714, "APPLE-ENGINEERING")).toBeNull();
  });
});
