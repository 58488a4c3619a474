import { describe, expect, it } from "vitest";
import { dayStart, usageFigure, withLedgerUsage } from "./usage-figure";

const base = {
  limit: 100,
  resetsAt: Date.parse("2026-01-21T00:00:00Z"),
  timeZone: "UTC",
  mailboxes: [],
  mailboxUsed: {},
};

describe("usageFigure", () => {
  it("splits what the ledger counts into sent (logged) and reserved (in flight)", () => {
    const f = usageFigure({ ...base, used: 30, loggedSent: 25 });
    expect([f.sent, f.reserved, f.remaining, f.limit]).toEqual([25, 5, 70, 100]);
    expect(f.resetsAt).toBe("2026-01-21T00:00:00.000Z");
  });

  it("never reports more sent than the ledger counts, nor a negative reserve", () => {
    const f = usageFigure({ ...base, used: 10, loggedSent: 12 });
    expect([f.sent, f.reserved, f.remaining]).toEqual([10, 0, 90]);
  });

  it("never reports a negative remainder after the limit was lowered", () => {
    const f = usageFigure({ ...base, limit: 5, used: 8, loggedSent: 8 });
    expect(f.remaining).toBe(0);
  });

  it("lists each mailbox's cap, today's use and what is left under its cap", () => {
    const f = usageFigure({
      ...base,
      used: 7,
      loggedSent: 7,
      mailboxes: [
        { id: "a", name: "Ann", address: "ann@x.test", dailyCap: 5 },
        { id: "b", name: "Bo", address: "bo@x.test", dailyCap: null },
        { id: "c", name: "Cy", address: "cy@x.test", dailyCap: 3 },
      ],
      mailboxUsed: { a: 6, b: 1 },
    });
    expect(f.mailboxes.map((m) => [m.id, m.cap, m.used, m.remaining])).toEqual([
      ["a", 5, 6, 0],
      ["b", null, 1, null],
      ["c", 3, 0, 3],
    ]);
  });
});

describe("dayStart", () => {
  it("is the last midnight in the team's zone", () => {
    expect(dayStart(Date.parse("2026-01-20T15:00:00Z"), "UTC")).toBe(
      Date.parse("2026-01-20T00:00:00Z"),
    );
    // 15:00 UTC on the 20th is 05:00 on the 21st in Kiritimati (UTC+14).
    expect(dayStart(Date.parse("2026-01-20T15:00:00Z"), "Pacific/Kiritimati")).toBe(
      Date.parse("2026-01-20T10:00:00Z"),
    );
    // 02:00 UTC is still the 19th in New York (UTC-5).
    expect(dayStart(Date.parse("2026-01-20T02:00:00Z"), "America/New_York")).toBe(
      Date.parse("2026-01-19T05:00:00Z"),
    );
  });
});

describe("withLedgerUsage", () => {
  const loaded = usageFigure({
    ...base,
    used: 3,
    loggedSent: 3,
    mailboxes: [{ id: "a", name: "Ann", address: "ann@x.test", dailyCap: 10 }],
    mailboxUsed: { a: 3 },
  });

  it("follows the feed's total, remainder and mailbox use; newer sends count as reserved until reloaded", () => {
    const f = withLedgerUsage(loaded, {
      sentToday: 5,
      remaining: 95,
      limit: 100,
      resetsAt: "2026-01-21T00:00:00.000Z",
      mailboxes: { a: 5 },
    });
    expect([f.sent, f.reserved, f.remaining, f.limit]).toEqual([3, 2, 95, 100]);
    expect(f.mailboxes[0]).toMatchObject({ used: 5, remaining: 5 });
  });

  it("starts a new day from the feed (nothing sent yet)", () => {
    const f = withLedgerUsage(loaded, {
      sentToday: 0,
      remaining: 100,
      limit: 100,
      resetsAt: "2026-01-22T00:00:00.000Z",
      mailboxes: {},
    });
    expect([f.sent, f.reserved, f.remaining]).toEqual([0, 0, 100]);
    expect(f.mailboxes[0]).toMatchObject({ used: 0, remaining: 10 });
  });
});
