/** Wall-clock time in an IANA zone, computed with Intl only (no libraries, DST-correct). */

export type WallTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: Monday = 1 … Sunday = 7. */
  weekday: number;
};

export type CalendarDate = { year: number; month: number; day: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** ISO weekday (Monday = 1) of a calendar date. */
export function isoWeekday(d: CalendarDate): number {
  const sundayZero = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return ((sundayZero + 6) % 7) + 1;
}

/** The calendar date `n` days after `d` (n may be negative). */
export function addDays(d: CalendarDate, n: number): CalendarDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** The wall clock at instant `ms` in `timeZone`. */
export function wallTime(ms: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const date = { year: parts.year, month: parts.month, day: parts.day };
  return {
    ...date,
    // Some ICU builds still print midnight as 24 even with h23.
    hour: parts.hour === 24 ? 0 : parts.hour,
    minute: parts.minute,
    second: parts.second,
    weekday: isoWeekday(date),
  };
}

/** The zone's offset from UTC at instant `ms`, in ms (New York in winter: −5 h). */
export function offsetAt(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the zone's clocks show this date and time. A time skipped by a
 * spring-forward gap maps to the same distance after the gap (02:30 → 03:30); a time
 * shown twice after a fall-back maps to the earlier instant, or the later with `later`.
 */
export function zonedToUtc(
  date: CalendarDate,
  minuteOfDay: number,
  timeZone: string,
  later = false,
): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const offsets = new Set([
    offsetAt(naive - DAY_MS, timeZone),
    offsetAt(naive, timeZone),
    offsetAt(naive + DAY_MS, timeZone),
  ]);
  const candidates = [...offsets].map((o) => naive - o).sort((a, b) => a - b);
  const exact = candidates.filter((t) => {
    const w = wallTime(t, timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === naive;
  });
  if (exact.length > 0) return later ? exact[exact.length - 1] : exact[0];
  // In a gap: the instant computed with the offset from before the gap lies after it.
  return candidates[candidates.length - 1];
}

/** Minutes after midnight, with seconds as a fraction, of a wall time. */
export function wallMinutes(w: WallTime): number {
  return w.hour * 60 + w.minute + w.second / 60;
}
