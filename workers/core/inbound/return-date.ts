import { addDelay } from "../engine/schedule";
import {
  addDays,
  type CalendarDate,
  isoWeekday,
  offsetAt,
  wallTime,
  zonedToUtc,
} from "../engine/zoned";
import { extractReplyText } from "./reply-text";
import type { Lang } from "./return-date-lexicon";
import {
  type ClassifiedMention,
  classifyDates,
  detectLanguages,
  findDates,
  monthFirstZone,
  type StatedDay,
} from "./return-date-mentions";

/** Follow-ups resume at 08:00 in the given zone: the start of most working days. */
export const RESUME_MINUTE_OF_DAY = 8 * 60;
/** A date further ahead than this is a typo or not a return date. */
export const LOOKAHEAD_DAYS = 90;
export const DEFAULT_OUT_OF_OFFICE_DAYS = 7;

export type OutOfOfficeInput = {
  text: string;
  subject?: string;
  receivedAt: number;
  timeZone: string;
  /** The team's default pause when no date is stated. */
  defaultDays?: number;
};

export type OutOfOfficeResume = {
  resumeAt: number;
  /** Whether the date came from the message rather than the default. */
  stated: boolean;
  /** The words the date was read from ("back on 5 January"), when stated. */
  phrase: string | null;
};

const DAY_MS = 86_400_000;
const dayNumber = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
const sameDay = (a: CalendarDate, b: CalendarDate) => dayNumber(a) === dayNumber(b);

function isRealDate(d: CalendarDate): boolean {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return t.getUTCMonth() === d.month - 1 && t.getUTCDate() === d.day;
}

/** A stated day on the calendar: a missing year is that of its next occurrence from `today`. */
function onCalendar(s: StatedDay, today: CalendarDate): CalendarDate {
  if (s.year !== null) return { year: s.year, month: s.month, day: s.day };
  const thisYear = { year: today.year, month: s.month, day: s.day };
  return dayNumber(thisYear) >= dayNumber(today) ? thisYear : { ...thisYear, year: today.year + 1 };
}

function withinLookahead(d: CalendarDate, today: CalendarDate): boolean {
  const ahead = dayNumber(d) - dayNumber(today);
  return isRealDate(d) && ahead >= 0 && ahead <= LOOKAHEAD_DAYS;
}

/** The first Monday-to-Friday day after `d`. */
function nextBusinessDay(d: CalendarDate): CalendarDate {
  let next = addDays(d, 1);
  while (isoWeekday(next) > 5) next = addDays(next, 1);
  return next;
}

/** The day a mention says work resumes, or null when it says nothing usable. */
function resumeDay(m: ClassifiedMention, today: CalendarDate): CalendarDate | null {
  if (m.kind === "start") return null;
  const stated = m.readings.map((r) => onCalendar(r, today)).find((d) => withinLookahead(d, today));
  if (!stated) return null;
  // "Back on Monday" written on a Monday means next week's.
  const day = m.weekdayOnly && sameDay(stated, today) ? addDays(stated, 7) : stated;
  return m.kind === "back" ? day : nextBusinessDay(day);
}

/** The mention whose resume day is latest (the first of equals), with that day. */
function latest(
  ms: ClassifiedMention[],
  today: CalendarDate,
): { day: CalendarDate; phrase: string } | null {
  let best: { day: CalendarDate; phrase: string } | null = null;
  for (const m of ms) {
    const day = resumeDay(m, today);
    if (day && (!best || dayNumber(day) > dayNumber(best.day))) best = { day, phrase: m.phrase };
  }
  return best;
}

function mentions(text: string, input: OutOfOfficeInput, langs: Lang[]): ClassifiedMention[] {
  const ref = {
    instant: new Date(input.receivedAt),
    timezone: offsetAt(input.receivedAt, input.timeZone) / 60_000,
  };
  const found = findDates(text, langs, ref, monthFirstZone(input.timeZone));
  return classifyDates(text, found, langs);
}

/**
 * When to resume writing to someone whose out-of-office reply arrived at `receivedAt`: the
 * latest return stated within 90 days ("until X", a range ending on X, or an unmarked X: the
 * next business day; "back on X": X), at 08:00 in `timeZone`, else `defaultDays` (7) later.
 */
export function outOfOfficeResume(input: OutOfOfficeInput): OutOfOfficeResume {
  const { receivedAt, timeZone } = input;
  const today = wallTime(receivedAt, timeZone);
  // The quoted original under the auto-reply may hold dates of its own ("meet on 12/10?").
  const body = extractReplyText(input.text) || input.text;
  const subject = input.subject ?? "";
  const langs = detectLanguages(`${subject}\n${body}`);
  const candidates = [
    // A subject is often the original one ("Re: Call on 12/10"): only marked dates count.
    ...mentions(subject, input, langs).filter((m) => m.kind !== "bare"),
    ...mentions(body, input, langs),
  ];

  // A date no word marks ("meeting on 1/6") counts only when no date is marked.
  const marked = candidates.filter((m) => m.kind !== "bare");
  const best = latest(marked, today) ?? latest(candidates, today);
  if (!best) {
    const days = input.defaultDays ?? DEFAULT_OUT_OF_OFFICE_DAYS;
    return { resumeAt: addDelay(receivedAt, days * 1440, timeZone), stated: false, phrase: null };
  }
  // "Back today" read at noon: resume now, not earlier the same morning.
  const resumeAt = Math.max(zonedToUtc(best.day, RESUME_MINUTE_OF_DAY, timeZone), receivedAt);
  return { resumeAt, stated: true, phrase: best.phrase };
}
