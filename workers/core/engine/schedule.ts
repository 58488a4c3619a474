import { minutesOfDay, type SendingWindow } from "./schemas";
import { addDays, type CalendarDate, isoWeekday, wallMinutes, wallTime, zonedToUtc } from "./zoned";

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1_440;

export type DueInput = {
  /** When the previous stage went out (or the prospect entered the stage), ms since epoch. */
  from: number;
  delayMinutes: number;
  businessDaysOnly: boolean;
  window: SendingWindow | null;
  /** The prospect's time zone, else the team's. */
  timeZone: string;
};

/**
 * Adds a delay: whole days keep the wall-clock time across DST changes ("1 day" after
 * 09:00 is 09:00 tomorrow, whether that day has 23, 24 or 25 hours); other delays are
 * exact minutes.
 */
export function addDelay(from: number, delayMinutes: number, timeZone: string): number {
  if (delayMinutes <= 0) return from;
  if (delayMinutes % MINUTES_PER_DAY !== 0) return from + delayMinutes * MINUTE_MS;
  const w = wallTime(from, timeZone);
  const date = addDays(w, delayMinutes / MINUTES_PER_DAY);
  const subSecond = ((from % 1000) + 1000) % 1000;
  return zonedToUtc(date, w.hour * 60 + w.minute, timeZone) + w.second * 1000 + subSecond;
}

/** The ISO weekdays on which a stage may go out. */
export function allowedDays(businessDaysOnly: boolean, window: SendingWindow | null): Set<number> {
  const base = window ? window.days : [1, 2, 3, 4, 5, 6, 7];
  const days = businessDaysOnly ? base.filter((d) => d <= 5) : base;
  // A weekend-only window with business days only would never send: the explicit window wins.
  return new Set(days.length > 0 ? days : base);
}

/**
 * When a stage becomes due: the delay added to `from`, then moved off weekends (business
 * days only) and into the sending window, all in the given time zone. Never earlier than
 * `from + delay`.
 */
export function nextDueAt(input: DueInput): number {
  const { businessDaysOnly, window, timeZone } = input;
  const t = addDelay(input.from, input.delayMinutes, timeZone);
  const days = allowedDays(businessDaysOnly, window);
  const w = wallTime(t, timeZone);
  const start = window ? minutesOfDay(window.start) : null;
  const end = window ? minutesOfDay(window.end) : null;

  if (days.has(w.weekday)) {
    if (start === null || end === null) return t;
    const now = wallMinutes(w);
    if (now >= start && now < end) return t;
    if (now < start) {
      const at = zonedToUtc(w, start, timeZone);
      // After a fall-back the window start can be shown twice; take the one still ahead.
      return at >= t ? at : zonedToUtc(w, start, timeZone, true);
    }
  }
  // Moved to another day: the window start, or (without a window) the same wall time.
  const minute = start ?? w.hour * 60 + w.minute;
  for (let n = 1; n <= 7; n++) {
    const date: CalendarDate = addDays(w, n);
    if (days.has(isoWeekday(date))) {
      const at = zonedToUtc(date, minute, timeZone);
      return start === null ? at + w.second * 1000 : at;
    }
  }
  // Unreachable: `days` is never empty.
  return t;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** How long until a time, for "next stage in …": "2 days", "1 hour", "5 minutes", "now". */
export function humanizeUntil(ms: number): string {
  const minutes = Math.round(ms / MINUTE_MS);
  if (minutes < 1) return "now";
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 24) return plural(hours, "hour");
  return plural(Math.round(hours / 24), "day");
}

export type DelayUnit = "minutes" | "hours" | "days";

/** A delay in minutes as the largest unit that shows it exactly (90 → 90 minutes). */
export function splitDelay(minutes: number): { value: number; unit: DelayUnit } {
  if (minutes > 0 && minutes % MINUTES_PER_DAY === 0)
    return { value: minutes / MINUTES_PER_DAY, unit: "days" };
  if (minutes > 0 && minutes % 60 === 0) return { value: minutes / 60, unit: "hours" };
  return { value: minutes, unit: "minutes" };
}

/** A delay entered as a value and a unit, in minutes. */
export function delayToMinutes(value: number, unit: DelayUnit): number {
  return Math.round(value * (unit === "days" ? MINUTES_PER_DAY : unit === "hours" ? 60 : 1));
}

/** A stage delay in words: "3 days", "2 hours", "45 minutes", "no delay". */
export function formatDelay(minutes: number): string {
  if (minutes <= 0) return "no delay";
  const { value, unit } = splitDelay(minutes);
  return plural(value, unit.slice(0, -1));
}
