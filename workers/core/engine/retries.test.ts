import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, parseRetryAfter, planRetry } from "./retries";

const NOW = Date.parse("2026-01-20T10:00:00Z");

describe("planRetry", () => {
  it("waits out a 429's retry-after without counting it as an attempt", () => {
    const p = planRetry({
      error: { kind: "rate_limited", retryAfterMs: 10_000 },
      failures: 99,
      now: NOW,
      jitter: 0,
    });
    expect(p).toEqual({ retry: true, at: NOW + 10_000, countsAsAttempt: false });
  });

  it("backs off exponentially on server errors and timeouts", () => {
    const at = (failures: number) => {
      const p = planRetry({ error: { kind: "server_error" }, failures, now: NOW, jitter: 0.999 });
      return p.retry ? p.at - NOW : null;
    };
    expect([at(0), at(1), at(2)].map((ms) => Math.round((ms ?? 0) / 1000))).toEqual([30, 60, 120]);
  });

  it("gives up with too_many_retries at the limit", () => {
    expect(
      planRetry({ error: { kind: "timeout" }, failures: MAX_ATTEMPTS - 1, now: NOW, jitter: 0 }),
    ).toEqual({
      retry: false,
      reason: "too_many_retries",
    });
  });

  it("keeps jitter within half to the whole backoff", () => {
    for (const jitter of [0, 0.3, 0.99, 5, -1]) {
      const p = planRetry({ error: { kind: "timeout" }, failures: 0, now: NOW, jitter });
      if (!p.retry) throw new Error("expected a retry");
      expect(p.at - NOW).toBeGreaterThanOrEqual(15_000);
      expect(p.at - NOW).toBeLessThanOrEqual(30_000);
    }
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("7", NOW)).toBe(7000);
    expect(parseRetryAfter("Tue, 20 Jan 2026 10:00:30 GMT", NOW)).toBe(30_000);
  });

  it("gives null for a missing or bad header", () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter("soon", NOW)).toBeNull();
  });
});
