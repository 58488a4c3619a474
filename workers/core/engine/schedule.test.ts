import { describe, expect, it } from "vitest";
import {
  addDelay,
  delayToMinutes,
  formatDelay,
  humanizeUntil,
  nextDueAt,
  splitDelay,
} from "./schedule";
import type { SendingWindow } from "./schemas";
import { wallTime, zonedToUtc } from "./zoned";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const NY = "America/New_York";
const LONDON = "Europe/London";
const AUCKLAND = "Pacific/Auckland";
const DAY = 1440;
const weekdays9to5: SendingWindow = { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" };

function due(
  from: string,
  delayMinutes: number,
  opts: Partial<Parameters<typeof nextDueAt>[0]> = {},
) {
  return iso(
    nextDueAt({
      from: at(from),
      delayMinutes,
      businessDaysOnly: false,
      window: null,
      timeZone: "UTC",
      ...opts,
    }),
  );
}

describe("zonedToUtc", () => {
  it("converts a plain wall time in winter and summer", () => {
    expect(iso(zonedToUtc({ year: 2026, month: 1, day: 15 }, 9 * 60, NY))).toBe(
      "2026-01-15T14:00:00.000Z",
    );
    expect(iso(zonedToUtc({ year: 2026, month: 7, day: 15 }, 9 * 60, NY))).toBe(
      "2026-07-15T13:00:00.000Z",
    );
  });

  it("moves a time skipped by spring-forward to after the gap", () => {
    expect(iso(zonedToUtc({ year: 2026, month: 3, day: 8 }, 2 * 60 + 30, NY))).toBe(
      "2026-03-08T07:30:00.000Z",
    );
    expect(iso(zonedToUtc({ year: 2026, month: 3, day: 29 }, 60 + 30, LONDON))).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(iso(zonedToUtc({ year: 2026, month: 9, day: 27 }, 2 * 60 + 30, AUCKLAND))).toBe(
      "2026-09-26T14:30:00.000Z",
    );
  });

  it("picks the earlier of a time shown twice after fall-back, or the later on request", () => {
    const date = { year: 2026, month: 11, day: 1 };
    expect(iso(zonedToUtc(date, 90, NY))).toBe("2026-11-01T05:30:00.000Z");
    expect(iso(zonedToUtc(date, 90, NY, true))).toBe("2026-11-01T06:30:00.000Z");
  });

  it("reads the weekday in the zone, not in UTC", () => {
    // Monday 09:00 in Auckland is still Sunday in UTC.
    expect(wallTime(at("2026-01-18T20:00:00Z"), AUCKLAND).weekday).toBe(1);
    expect(wallTime(at("2026-01-18T20:00:00Z"), "UTC").weekday).toBe(7);
  });
});

describe("nextDueAt without business days or a window", () => {
  it("is due at once with a zero delay", () => {
    expect(due("2026-01-15T10:11:12.345Z", 0)).toBe("2026-01-15T10:11:12.345Z");
  });

  it("adds exact minutes for delays that are not whole days", () => {
    expect(due("2026-03-08T06:00:00Z", 90, { timeZone: NY })).toBe("2026-03-08T07:30:00.000Z");
    expect(due("2026-01-15T10:00:00Z", 2 * 60)).toBe("2026-01-15T12:00:00.000Z");
  });

  it("keeps the wall-clock time for whole days across spring-forward (23-hour day)", () => {
    expect(due("2026-03-07T14:00:00Z", DAY, { timeZone: NY })).toBe("2026-03-08T13:00:00.000Z");
    expect(due("2026-03-28T10:00:00Z", DAY, { timeZone: LONDON })).toBe("2026-03-29T09:00:00.000Z");
    expect(due("2026-09-25T21:00:00Z", DAY, { timeZone: AUCKLAND })).toBe(
      "2026-09-26T20:00:00.000Z",
    );
  });

  it("keeps the wall-clock time for whole days across fall-back (25-hour day)", () => {
    expect(due("2026-10-31T13:00:00Z", DAY, { timeZone: NY })).toBe("2026-11-01T14:00:00.000Z");
    expect(due("2026-10-24T09:00:00Z", DAY, { timeZone: LONDON })).toBe("2026-10-25T10:00:00.000Z");
    expect(due("2026-04-03T20:00:00Z", DAY, { timeZone: AUCKLAND })).toBe(
      "2026-04-04T21:00:00.000Z",
    );
  });

  it("lands a whole-day delay that falls into the spring-forward gap just after it", () => {
    // Saturday 02:30 EST + 1 day: Sunday 02:30 does not exist in New York.
    expect(due("2026-03-07T07:30:00Z", DAY, { timeZone: NY })).toBe("2026-03-08T07:30:00.000Z");
  });
});

describe("nextDueAt with business days only", () => {
  it("moves a Saturday to Monday at the same wall time", () => {
    // Friday 17:00 EST + 1 day = Saturday → Monday 17:00, which is EDT after the change.
    expect(due("2026-03-06T22:00:00Z", DAY, { timeZone: NY, businessDaysOnly: true })).toBe(
      "2026-03-09T21:00:00.000Z",
    );
  });

  it("moves a Sunday to Monday", () => {
    expect(due("2026-01-18T12:00:00Z", 0, { businessDaysOnly: true })).toBe(
      "2026-01-19T12:00:00.000Z",
    );
  });

  it("leaves a weekday alone", () => {
    expect(due("2026-01-14T12:00:00Z", 60, { businessDaysOnly: true })).toBe(
      "2026-01-14T13:00:00.000Z",
    );
  });

  it("judges the weekend in the prospect's zone", () => {
    // Friday 23:00 in New York is Saturday 04:00 UTC: still a business day there.
    expect(due("2026-01-17T04:00:00Z", 0, { timeZone: NY, businessDaysOnly: true })).toBe(
      "2026-01-17T04:00:00.000Z",
    );
    // Saturday 08:00 in Auckland is Friday 19:00 UTC: a weekend there → Monday 08:00 NZDT.
    expect(due("2026-01-16T19:00:00Z", 0, { timeZone: AUCKLAND, businessDaysOnly: true })).toBe(
      "2026-01-18T19:00:00.000Z",
    );
  });

  it("uses the window start on Monday when there is a window", () => {
    const w: SendingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: "09:00", end: "17:00" };
    expect(due("2026-01-17T12:00:00Z", 0, { businessDaysOnly: true, window: w })).toBe(
      "2026-01-19T09:00:00.000Z",
    );
  });

  it("lets a weekend-only window win over business days rather than never sending", () => {
    const w: SendingWindow = { days: [6], start: "10:00", end: "12:00" };
    expect(due("2026-01-14T12:00:00Z", 0, { businessDaysOnly: true, window: w })).toBe(
      "2026-01-17T10:00:00.000Z",
    );
  });
});

describe("nextDueAt with a sending window", () => {
  const ny = { timeZone: NY, window: weekdays9to5 };

  it("keeps a time inside the window", () => {
    expect(due("2026-01-20T15:00:00Z", 0, ny)).toBe("2026-01-20T15:00:00.000Z");
  });

  it("treats the start as inside and the end as outside", () => {
    expect(due("2026-01-20T14:00:00Z", 0, ny)).toBe("2026-01-20T14:00:00.000Z");
    expect(due("2026-01-20T21:59:59Z", 0, ny)).toBe("2026-01-20T21:59:59.000Z");
    expect(due("2026-01-20T22:00:00Z", 0, ny)).toBe("2026-01-21T14:00:00.000Z");
  });

  it("waits for the start when due earlier that day", () => {
    expect(due("2026-01-20T12:00:00Z", 0, ny)).toBe("2026-01-20T14:00:00.000Z");
  });

  it("moves Friday evening to Monday morning", () => {
    expect(due("2026-01-16T23:00:00Z", 0, ny)).toBe("2026-01-19T14:00:00.000Z");
  });

  it("moves Friday evening to Monday morning across spring-forward", () => {
    // Friday 6 March 18:00 EST → Monday 9 March 09:00 EDT.
    expect(due("2026-03-06T23:00:00Z", 0, ny)).toBe("2026-03-09T13:00:00.000Z");
  });

  it("moves Friday evening to Monday morning across fall-back in London", () => {
    // Friday 23 October 18:00 BST → Monday 26 October 09:00 GMT.
    expect(due("2026-10-23T17:00:00Z", 0, { timeZone: LONDON, window: weekdays9to5 })).toBe(
      "2026-10-26T09:00:00.000Z",
    );
  });

  it("moves Friday evening to Monday morning in Auckland, which is Sunday in UTC", () => {
    expect(due("2026-01-16T05:00:00Z", 0, { timeZone: AUCKLAND, window: weekdays9to5 })).toBe(
      "2026-01-18T20:00:00.000Z",
    );
  });

  it("skips days that are not in the window", () => {
    const w: SendingWindow = { days: [1, 3, 5], start: "09:00", end: "17:00" };
    // Tuesday 10:00 UTC → Wednesday 09:00.
    expect(due("2026-01-20T10:00:00Z", 0, { window: w })).toBe("2026-01-21T09:00:00.000Z");
  });

  it("applies the delay before fitting into the window", () => {
    // Thursday 16:00 + 2 hours = 18:00, after the end → Friday 09:00.
    expect(due("2026-01-15T16:00:00Z", 120, { window: weekdays9to5 })).toBe(
      "2026-01-16T09:00:00.000Z",
    );
  });

  it("waits a whole week when only the current weekday is allowed and its window has passed", () => {
    const w: SendingWindow = { days: [2], start: "09:00", end: "10:00" };
    expect(due("2026-01-20T11:00:00Z", 0, { window: w })).toBe("2026-01-27T09:00:00.000Z");
  });

  it("accepts a window that runs to midnight", () => {
    const w: SendingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: "20:00", end: "24:00" };
    expect(due("2026-01-20T23:59:00Z", 0, { window: w })).toBe("2026-01-20T23:59:00.000Z");
    expect(due("2026-01-21T00:00:00Z", 0, { window: w })).toBe("2026-01-21T20:00:00.000Z");
  });

  it("opens a window whose start is skipped by spring-forward just after the gap", () => {
    const w: SendingWindow = { days: [7], start: "02:30", end: "05:00" };
    expect(due("2026-03-08T06:00:00Z", 0, { timeZone: NY, window: w })).toBe(
      "2026-03-08T07:30:00.000Z",
    );
  });

  it("never goes back in time when the window start is shown twice after fall-back", () => {
    const w: SendingWindow = { days: [7], start: "01:30", end: "03:00" };
    // 01:10 EST (the second 01:10): the first 01:30 (EDT) has passed; the second is ahead.
    expect(due("2026-11-01T06:10:00Z", 0, { timeZone: NY, window: w })).toBe(
      "2026-11-01T06:30:00.000Z",
    );
  });
});

describe("nextDueAt over many inputs", () => {
  it("is never before the delay ends, lands in the window, and is unchanged when already allowed", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const zones = [NY, LONDON, AUCKLAND, "UTC", "Asia/Kolkata"];
    for (let i = 0; i < 400; i++) {
      const timeZone = zones[rand(zones.length)];
      const from = at("2026-01-01T00:00:00Z") + rand(365 * 24 * 60) * 60_000;
      const delayMinutes = rand(2) === 0 ? rand(4) * DAY : rand(5000);
      const window: SendingWindow | null =
        rand(3) === 0 ? null : { days: [1, 2, 3, 4, 5], start: "08:00", end: "18:30" };
      const businessDaysOnly = rand(2) === 0;
      const result = nextDueAt({ from, delayMinutes, businessDaysOnly, window, timeZone });
      const earliest = addDelay(from, delayMinutes, timeZone);
      expect(result).toBeGreaterThanOrEqual(earliest);
      const w = wallTime(result, timeZone);
      if (businessDaysOnly || window) expect(w.weekday).toBeLessThanOrEqual(5);
      if (window) {
        const m = w.hour * 60 + w.minute;
        expect(m).toBeGreaterThanOrEqual(8 * 60);
        expect(m).toBeLessThan(18 * 60 + 30);
      }
      const e = wallTime(earliest, timeZone);
      const em = e.hour * 60 + e.minute;
      const earliestAllowed =
        (!(businessDaysOnly || window) || e.weekday <= 5) && (!window || (em >= 480 && em < 1110));
      if (earliestAllowed) expect(result).toBe(earliest);
    }
  });
});

describe("humanizeUntil", () => {
  it("says now for no time or the past", () => {
    expect(humanizeUntil(0)).toBe("now");
    expect(humanizeUntil(-5_000)).toBe("now");
    expect(humanizeUntil(20_000)).toBe("now");
  });

  it("rounds to the largest sensible unit", () => {
    expect(humanizeUntil(60_000)).toBe("1 minute");
    expect(humanizeUntil(5 * 60_000)).toBe("5 minutes");
    expect(humanizeUntil(59.6 * 60_000)).toBe("1 hour");
    expect(humanizeUntil(2 * 3_600_000 + 10 * 60_000)).toBe("2 hours");
    expect(humanizeUntil(23.7 * 3_600_000)).toBe("1 day");
    expect(humanizeUntil(2 * 86_400_000)).toBe("2 days");
  });
});

describe("formatDelay and its units", () => {
  it("shows days, hours or minutes, whichever is exact", () => {
    expect(formatDelay(3 * DAY)).toBe("3 days");
    expect(formatDelay(DAY)).toBe("1 day");
    expect(formatDelay(120)).toBe("2 hours");
    expect(formatDelay(45)).toBe("45 minutes");
    expect(formatDelay(90)).toBe("90 minutes");
    expect(formatDelay(0)).toBe("no delay");
  });

  it("round-trips a delay through value and unit", () => {
    for (const m of [1, 45, 60, 90, 1440, 2880, 4320 + 60]) {
      const { value, unit } = splitDelay(m);
      expect(delayToMinutes(value, unit)).toBe(m);
    }
    expect(delayToMinutes(1.5, "hours")).toBe(90);
  });
});
