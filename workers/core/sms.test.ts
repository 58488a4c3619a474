import { describe, expect, it } from "vitest";
import {
  findOurSms,
  type ListedSms,
  LOOKUP_CLOCK_SKEW_MS,
  LOOKUP_SETTLE_MS,
  lookupAt,
  toE164,
} from "./sms";

describe("toE164", () => {
  it("strips spaces, dots, dashes and parentheses from an international number", () => {
    expect(toE164("+1 (555) 010-2030")).toEqual({ ok: true, number: "+15550102030" });
    expect(toE164(" +44 20.7946.0958 ")).toEqual({ ok: true, number: "+442079460958" });
  });

  it("reads a leading 00 as the international prefix", () => {
    expect(toE164("0044 20 7946 0958")).toEqual({ ok: true, number: "+442079460958" });
  });

  it("refuses a number without a country code, saying how to write it", () => {
    const r = toE164("555 010 2030");
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).toMatch(/no country code.*\+1 555 010 2030/);
  });

  it("refuses an extension, which no text message can reach", () => {
    const r = toE164("+1 555 010 2030 x12");
    expect(r.ok ? "" : r.message).toMatch(/extension/);
  });

  it("refuses a country code of 0 and numbers too short or too long", () => {
    for (const n of ["+0 555 010 2030", "+1 23", "+1 2345 6789 0123 4567"]) {
      expect(toE164(n).ok, n).toBe(false);
    }
  });
});

describe("findOurSms", () => {
  const firstTryAt = Date.parse("2026-03-02T10:00:00Z");
  const listed = (over: Partial<ListedSms>): ListedSms => ({
    sid: "SM1",
    body: "Hi Pat",
    createdAt: firstTryAt + 1_000,
    direction: "outbound-api",
    ...over,
  });
  const want = { body: "Hi Pat", firstTryAt, claimed: new Set<string>() };

  it("finds an outbound message with our body created after our first try", () => {
    expect(findOurSms([listed({})], want)).toBe("SM1");
  });

  it("allows the provider's clock to run a little behind ours", () => {
    expect(findOurSms([listed({ createdAt: firstTryAt - LOOKUP_CLOCK_SKEW_MS })], want)).toBe(
      "SM1",
    );
    expect(
      findOurSms([listed({ createdAt: firstTryAt - LOOKUP_CLOCK_SKEW_MS - 1 })], want),
    ).toBeNull();
  });

  it("ignores another body, an inbound message and a sid another message already claims", () => {
    expect(findOurSms([listed({ body: "Hi Sam" })], want)).toBeNull();
    expect(findOurSms([listed({ direction: "inbound" })], want)).toBeNull();
    expect(findOurSms([listed({})], { ...want, claimed: new Set(["SM1"]) })).toBeNull();
  });

  it("recognises the notice a trial account puts before the body", () => {
    const trial = listed({ body: "Sent from your Twilio trial account - Hi Pat" });
    expect(findOurSms([trial], want)).toBe("SM1");
  });

  it("takes a message without a readable date as ours: at most once beats a second text", () => {
    expect(findOurSms([listed({ createdAt: null })], want)).toBe("SM1");
  });

  it("picks the first match in the list's order (newest first)", () => {
    expect(findOurSms([listed({ sid: "SM2" }), listed({ sid: "SM1" })], want)).toBe("SM2");
  });
});

describe("lookupAt", () => {
  it("waits for the provider's list to settle after the last call", () => {
    expect(lookupAt(1_000)).toBe(1_000 + LOOKUP_SETTLE_MS);
  });
});
