import { describe, expect, it } from "vitest";
import {
  dayKey,
  newLedger,
  nextDayStart,
  type QuotaLedger,
  release,
  reserve,
  usage,
} from "./quota";

const at = (iso: string) => Date.parse(iso);
const NOON = at("2026-01-20T12:00:00Z");
const base = { limit: 10, now: NOON, timeZone: "UTC" };

function chain(state: QuotaLedger, ...asks: Parameters<typeof reserve>[1][]) {
  let s = state;
  const granted: number[] = [];
  for (const a of asks) {
    const r = reserve(s, a);
    s = r.state;
    granted.push(r.granted);
  }
  return { state: s, granted };
}

describe("dayKey and nextDayStart", () => {
  it("uses the team's zone for the day", () => {
    // 03:00 UTC on the 21st is still the 20th in New York, the 21st in Auckland.
    const t = at("2026-01-21T03:00:00Z");
    expect(dayKey(t, "UTC")).toBe("2026-01-21");
    expect(dayKey(t, "America/New_York")).toBe("2026-01-20");
    expect(dayKey(at("2026-01-20T12:00:00Z"), "Pacific/Auckland")).toBe("2026-01-21");
  });

  it("gives the next local midnight", () => {
    expect(nextDayStart(NOON, "UTC")).toBe(at("2026-01-21T00:00:00Z"));
    expect(nextDayStart(NOON, "America/New_York")).toBe(at("2026-01-21T05:00:00Z"));
    // The day after spring-forward starts at EDT midnight.
    expect(nextDayStart(at("2026-03-08T12:00:00Z"), "America/New_York")).toBe(
      at("2026-03-09T04:00:00Z"),
    );
  });
});

describe("reserve", () => {
  it("grants up to the remaining allowance", () => {
    const r = chain(
      newLedger(NOON, "UTC"),
      { ...base, id: "a", n: 6 },
      { ...base, id: "b", n: 6 },
      { ...base, id: "c", n: 1 },
    );
    expect(r.granted).toEqual([6, 4, 0]);
    expect(r.state.used).toBe(10);
  });

  it("answers the same for the same id and counts it once", () => {
    const first = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 4 });
    const again = reserve(first.state, { ...base, id: "a", n: 4 });
    expect(again.granted).toBe(4);
    expect(again.state.used).toBe(4);
    expect(again.state).toBe(first.state);
  });

  it("does not change the state it was given", () => {
    const s = newLedger(NOON, "UTC");
    reserve(s, { ...base, id: "a", n: 3, mailboxId: "m" });
    expect(s).toEqual(newLedger(NOON, "UTC"));
  });

  it("honours a mailbox's own cap as well as the team's limit", () => {
    const r = chain(
      newLedger(NOON, "UTC"),
      { ...base, id: "a", n: 5, mailboxId: "m1", mailboxCap: 3 },
      { ...base, id: "b", n: 5, mailboxId: "m1", mailboxCap: 3 },
      { ...base, id: "c", n: 9, mailboxId: "m2", mailboxCap: 100 },
    );
    expect(r.granted).toEqual([3, 0, 7]);
    expect(r.state.mailboxUsed).toEqual({ m1: 3, m2: 7 });
  });

  it("starts a new allowance when the team's day changes and says when", () => {
    const day1 = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 10 });
    expect(day1.resetsAt).toBe(at("2026-01-21T00:00:00Z"));
    const day2 = reserve(day1.state, { ...base, id: "b", n: 4, now: day1.resetsAt });
    expect(day2.granted).toBe(4);
    expect(day2.state).toMatchObject({ day: "2026-01-21", used: 4 });
  });

  it("still answers a retry from just before midnight the same after it", () => {
    const day1 = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 7 });
    const retry = reserve(day1.state, { ...base, id: "a", n: 7, now: at("2026-01-21T00:00:05Z") });
    expect(retry.granted).toBe(7);
    expect(retry.state.used).toBe(0);
  });

  it("forgets reservations older than yesterday", () => {
    const day1 = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 1 });
    const day3 = reserve(day1.state, { ...base, id: "b", n: 1, now: at("2026-01-22T12:00:00Z") });
    expect(Object.keys(day3.state.reservations)).toEqual(["b"]);
  });

  it("grants nothing with a limit of zero, and refuses nonsense counts", () => {
    expect(reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 3, limit: 0 }).granted).toBe(0);
    expect(() => reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: -1 })).toThrow(RangeError);
    expect(() => reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 1.5 })).toThrow(RangeError);
  });

  it("counts 50 concurrent askers so that the total granted equals the limit exactly", () => {
    let s = newLedger(NOON, "UTC");
    let total = 0;
    for (let i = 0; i < 50; i++) {
      const r = reserve(s, { ...base, limit: 1000, id: `c${i}`, n: 37 });
      s = r.state;
      total += r.granted;
    }
    expect(total).toBe(1000);
  });
});

describe("release", () => {
  it("gives unused units back to the team and the mailbox", () => {
    const r = reserve(newLedger(NOON, "UTC"), {
      ...base,
      id: "a",
      n: 6,
      mailboxId: "m",
      mailboxCap: 10,
    });
    const rel = release(r.state, { id: "a", n: 2 });
    expect(rel.released).toBe(2);
    expect(rel.state.used).toBe(4);
    expect(rel.state.mailboxUsed.m).toBe(4);
  });

  it("is idempotent: the same release twice gives back once", () => {
    const r = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 6 });
    const once = release(r.state, { id: "a", n: 3 });
    const twice = release(once.state, { id: "a", n: 3 });
    expect(twice.released).toBe(0);
    expect(twice.state.used).toBe(3);
    const more = release(twice.state, { id: "a", n: 5 });
    expect(more.released).toBe(2);
    expect(more.state.used).toBe(1);
  });

  it("never gives back more than was granted", () => {
    const r = reserve(newLedger(NOON, "UTC"), { ...base, limit: 4, id: "a", n: 6 });
    const rel = release(r.state, { id: "a", n: 6 });
    expect(rel.released).toBe(4);
    expect(rel.state.used).toBe(0);
  });

  it("ignores an unknown reservation", () => {
    const s = newLedger(NOON, "UTC");
    expect(release(s, { id: "nope", n: 3 })).toEqual({ state: s, released: 0 });
  });

  it("does not add yesterday's unused units to today's allowance", () => {
    const day1 = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 5 });
    const day2 = reserve(day1.state, { ...base, id: "b", n: 2, now: at("2026-01-21T08:00:00Z") });
    const rel = release(day2.state, { id: "a", n: 5 });
    expect(rel.released).toBe(0);
    expect(rel.state.used).toBe(2);
    expect(rel.state.reservations.a.released).toBe(5);
  });
});

describe("usage", () => {
  it("reports today's sends, what remains and when it resets", () => {
    const r = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 3 });
    expect(usage(r.state, 10, NOON, "UTC")).toEqual({
      sentToday: 3,
      remaining: 7,
      resetsAt: at("2026-01-21T00:00:00Z"),
    });
  });

  it("reports a fresh day before anything was reserved in it", () => {
    const r = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 3 });
    expect(usage(r.state, 10, at("2026-01-21T01:00:00Z"), "UTC")).toMatchObject({
      sentToday: 0,
      remaining: 10,
    });
  });

  it("never reports a negative remainder after the limit was lowered", () => {
    const r = reserve(newLedger(NOON, "UTC"), { ...base, id: "a", n: 8 });
    expect(usage(r.state, 5, NOON, "UTC").remaining).toBe(0);
  });
});

describe("the team's time zone changes mid-day", () => {
  // 15:00 UTC on the 20th is 05:00 on the 21st in Kiritimati (UTC+14).
  const afternoon = at("2026-01-20T15:00:00Z");
  const utc = { ...base, now: afternoon, timeZone: "UTC" };
  const kiritimati = { ...base, now: afternoon, timeZone: "Pacific/Kiritimati" };

  it("frees no allowance: switching zones back and forth keeps today's count", () => {
    const sent = reserve(newLedger(afternoon, "UTC"), { ...utc, id: "a", n: 10 });
    const there = reserve(sent.state, { ...kiritimati, id: "b", n: 5 });
    expect(there.granted).toBe(0);
    const back = reserve(there.state, { ...utc, id: "c", n: 5 });
    expect(back.granted).toBe(0);
    expect(usage(back.state, 10, afternoon, "Pacific/Kiritimati")).toMatchObject({
      sentToday: 10,
      remaining: 0,
      resetsAt: at("2026-01-21T00:00:00Z"),
    });
  });

  it("resets when the counted day ends, then counts days in the new zone", () => {
    const sent = reserve(newLedger(afternoon, "UTC"), { ...utc, id: "a", n: 10 });
    const midnight = at("2026-01-21T00:00:00Z");
    const next = reserve(sent.state, { ...kiritimati, id: "b", n: 4, now: midnight });
    expect(next.granted).toBe(4);
    // 14:00 on the 21st in Kiritimati: its next midnight is 10:00 UTC.
    expect(next.resetsAt).toBe(at("2026-01-21T10:00:00Z"));
    expect(next.state).toMatchObject({ day: "2026-01-21", used: 4 });
  });

  it("still rolls over a ledger written without its end time by its day key", () => {
    const old: QuotaLedger = { day: "2026-01-19", used: 10, reservations: {}, mailboxUsed: {} };
    expect(reserve(old, { ...utc, id: "a", n: 3 }).granted).toBe(3);
    expect(usage(old, 10, afternoon, "UTC").sentToday).toBe(0);
  });
});
