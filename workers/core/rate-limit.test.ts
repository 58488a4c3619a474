import { describe, expect, it } from "vitest";
import {
  API_KEY_RULE,
  API_TEAM_RULE,
  type AttemptLog,
  type Bucket,
  bucketFullAt,
  hitLog,
  logExpiresAt,
  refill,
  refundLog,
  retryAfterSeconds,
  SIGN_IN_RULE,
  takeAll,
  tryAgainIn,
  type WindowRule,
} from "./rate-limit";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const TEN_IN_15: WindowRule = { limit: 10, windowMs: 15 * MINUTE };

function hits(n: number, from: number, stepMs: number, rule = TEN_IN_15) {
  let log: AttemptLog | null = null;
  const allowed: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const r = hitLog(log, rule, from + i * stepMs);
    log = r.log;
    allowed.push(r.decision.allowed);
  }
  return { log, allowed };
}

describe("attempt log (sign-in, sign-up)", () => {
  it("the sign-in rule is 10 in 15 minutes", () => {
    expect(SIGN_IN_RULE).toEqual({ limit: 10, windowMs: 900_000 });
  });

  it("allows 10 attempts and refuses the 11th", () => {
    const { allowed } = hits(11, T0, 1000);
    expect(allowed.filter(Boolean)).toHaveLength(10);
    expect(allowed[10]).toBe(false);
  });

  it("a refused attempt waits until the oldest counted one leaves the window", () => {
    const { log } = hits(10, T0, MINUTE);
    const r = hitLog(log, TEN_IN_15, T0 + 10 * MINUTE);
    expect(r.decision).toEqual({ allowed: false, retryAfterMs: 5 * MINUTE });
  });

  it("never asks to wait more than the window", () => {
    const { log } = hits(10, T0, 0);
    const r = hitLog(log, TEN_IN_15, T0);
    expect(r.decision).toEqual({ allowed: false, retryAfterMs: 15 * MINUTE });
  });

  it("refused attempts are not counted (waiting out the window is enough)", () => {
    let { log } = hits(10, T0, 0);
    for (let i = 0; i < 30; i++) log = hitLog(log, TEN_IN_15, T0 + i * 1000).log;
    expect(log?.hits).toHaveLength(10);
    expect(hitLog(log, TEN_IN_15, T0 + 15 * MINUTE).decision.allowed).toBe(true);
  });

  it("slides: one more is allowed as soon as the oldest attempt is 15 minutes old", () => {
    const { log } = hits(10, T0, MINUTE);
    expect(hitLog(log, TEN_IN_15, T0 + 15 * MINUTE - 1).decision.allowed).toBe(false);
    const r = hitLog(log, TEN_IN_15, T0 + 15 * MINUTE);
    expect(r.decision.allowed).toBe(true);
    expect(hitLog(r.log, TEN_IN_15, T0 + 15 * MINUTE + 1).decision.allowed).toBe(false);
  });

  it("cannot be doubled across a window boundary (never more than 10 in any 15 minutes)", () => {
    let log: AttemptLog | null = null;
    const counted: number[] = [];
    // One attempt every 10 s for 45 minutes, as a patient guesser would.
    for (let t = T0; t < T0 + 45 * MINUTE; t += 10_000) {
      const r = hitLog(log, TEN_IN_15, t);
      log = r.log;
      if (r.decision.allowed) counted.push(t);
    }
    expect(counted).toHaveLength(30);
    for (const from of counted) {
      const inSpan = counted.filter((t) => t >= from && t < from + 15 * MINUTE);
      expect(inSpan.length).toBeLessThanOrEqual(10);
    }
  });

  it("a refund forgets the one attempt it names", () => {
    const { log } = hits(3, T0, 1000);
    expect(refundLog(log, T0 + 1000).hits).toEqual([T0, T0 + 2000]);
    expect(refundLog(log, T0 + 999).hits).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(refundLog(null, T0).hits).toEqual([]);
  });

  it("a log expires a window after its latest attempt; an empty one at once", () => {
    expect(logExpiresAt({ hits: [T0, T0 + 5000] }, TEN_IN_15)).toBe(T0 + 5000 + 15 * MINUTE);
    expect(logExpiresAt({ hits: [] }, TEN_IN_15)).toBe(0);
  });
});

/** `n` requests at once (same instant) from a fresh key of a fresh team. */
function burst(n: number, at: number, start?: { key: Bucket; team: Bucket }) {
  let key: Bucket | null = start?.key ?? null;
  let team: Bucket | null = start?.team ?? null;
  let allowed = 0;
  let lastRefusal: number | null = null;
  for (let i = 0; i < n; i++) {
    const r = takeAll(
      [
        { bucket: key, rule: API_KEY_RULE },
        { bucket: team, rule: API_TEAM_RULE },
      ],
      at,
    );
    [key, team] = r.buckets;
    if (r.decision.allowed) allowed += 1;
    else lastRefusal = r.decision.retryAfterMs;
  }
  return { allowed, lastRefusal, key: key as Bucket, team: team as Bucket };
}

describe("token buckets (API)", () => {
  it("the API rules: key burst 200 at 50/s, team 100/s", () => {
    expect(API_KEY_RULE).toEqual({ capacity: 200, perSecond: 50 });
    expect(API_TEAM_RULE.perSecond).toBe(100);
    expect(API_TEAM_RULE.capacity).toBeGreaterThanOrEqual(API_KEY_RULE.capacity);
  });

  it("a burst of 200 at once is allowed, the 201st is refused for 20 ms", () => {
    expect(burst(200, T0).allowed).toBe(200);
    const over = burst(201, T0);
    expect(over.allowed).toBe(200);
    expect(over.lastRefusal).toBe(20);
    expect(retryAfterSeconds(20)).toBe(1);
  });

  it("40 at once is allowed", () => {
    expect(burst(40, T0).allowed).toBe(40);
  });

  it("300 sequential calls at 20 ms each (a nearby integration) are never refused", () => {
    let key: Bucket | null = null;
    let team: Bucket | null = null;
    for (let i = 0; i < 300; i++) {
      const r = takeAll(
        [
          { bucket: key, rule: API_KEY_RULE },
          { bucket: team, rule: API_TEAM_RULE },
        ],
        T0 + i * 20,
      );
      expect(r.decision.allowed).toBe(true);
      [key, team] = r.buckets;
    }
  });

  it("sustains 50 a second per key after the burst", () => {
    const drained = burst(200, T0);
    const next = burst(60, T0 + 1000, drained);
    expect(next.allowed).toBe(50);
  });

  it("two keys of one team share 100 a second", () => {
    const rules = [API_KEY_RULE, API_KEY_RULE, API_TEAM_RULE];
    let buckets: (Bucket | null)[] = [null, null, null];
    // Drain the team: each key takes 100 at T0.
    const take = (which: 0 | 1, at: number) => {
      const picked = [which, 2];
      const r = takeAll(
        picked.map((i) => ({ bucket: buckets[i], rule: rules[i] })),
        at,
      );
      const next = [...buckets];
      picked.forEach((i, j) => {
        next[i] = r.buckets[j];
      });
      if (r.decision.allowed) buckets = next;
      return r.decision.allowed;
    };
    let allowed = 0;
    for (let i = 0; i < 100; i++) allowed += Number(take(0, T0)) + Number(take(1, T0));
    expect(allowed).toBe(200);
    // One second later the team has 100 more, though each key alone could take 150.
    let later = 0;
    for (let i = 0; i < 100; i++) later += Number(take(0, T0 + 1000)) + Number(take(1, T0 + 1000));
    expect(later).toBe(100);
  });

  it("a refusal takes nothing from the other buckets", () => {
    const drained = burst(200, T0);
    const r = takeAll(
      [
        { bucket: drained.key, rule: API_KEY_RULE },
        { bucket: drained.team, rule: API_TEAM_RULE },
      ],
      T0,
    );
    expect(r.decision.allowed).toBe(false);
    expect(r.buckets[1].tokens).toBe(drained.team.tokens);
  });

  it("refills up to capacity and no further; a new bucket is full", () => {
    expect(refill(null, API_KEY_RULE, T0)).toEqual({ tokens: 200, at: T0 });
    expect(refill({ tokens: 0, at: T0 }, API_KEY_RULE, T0 + 1000)).toEqual({
      tokens: 50,
      at: T0 + 1000,
    });
    expect(refill({ tokens: 0, at: T0 }, API_KEY_RULE, T0 + MINUTE).tokens).toBe(200);
  });

  it("a clock that steps back refills nothing", () => {
    expect(refill({ tokens: 3, at: T0 }, API_KEY_RULE, T0 - 5000)).toEqual({ tokens: 3, at: T0 });
  });

  it("a bucket is full again (forgettable) after its deficit refills", () => {
    expect(bucketFullAt({ tokens: 0, at: T0 }, API_KEY_RULE)).toBe(T0 + 4000);
    expect(bucketFullAt({ tokens: 200, at: T0 }, API_KEY_RULE)).toBe(T0);
  });
});

describe("waits for people and for Retry-After", () => {
  it("Retry-After is whole seconds, rounded up, at least 1", () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(15 * MINUTE)).toBe(900);
  });

  it("says seconds under a minute, else whole minutes rounded up", () => {
    expect(tryAgainIn(1000)).toBe("in 1 second");
    expect(tryAgainIn(30_000)).toBe("in 30 seconds");
    expect(tryAgainIn(60_000)).toBe("in 1 minute");
    expect(tryAgainIn(14 * MINUTE + 1)).toBe("in 15 minutes");
  });
});
