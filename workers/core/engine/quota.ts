import { addDays, type CalendarDate, wallTime, zonedToUtc } from "./zoned";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const keyOf = (d: CalendarDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

/** The team's calendar day at `now`, "YYYY-MM-DD", in its time zone. */
export function dayKey(now: number, timeZone: string): string {
  return keyOf(wallTime(now, timeZone));
}

/** When the team's next day begins (its next midnight, or the first instant after it). */
export function nextDayStart(now: number, timeZone: string): number {
  return zonedToUtc(addDays(wallTime(now, timeZone), 1), 0, timeZone);
}

export type Reservation = {
  /** Units asked for. */
  n: number;
  granted: number;
  /** Units given back by `release` (at most `granted`). */
  released: number;
  mailboxId?: string;
  /** The day the units were counted against. */
  day: string;
};

export type QuotaLedger = {
  day: string;
  /**
   * When the counted day ends: the next midnight in the zone in force when it began.
   * Counters reset only then, so changing the team's zone mid-day frees no allowance.
   * Absent in ledgers written before it existed (they reset when the day key changes).
   */
  endsAt?: number;
  used: number;
  reservations: Record<string, Reservation>;
  mailboxUsed: Record<string, number>;
};

export type ReserveInput = {
  /** Persisted by the caller BEFORE asking, so a retry after a crash asks with the same id. */
  id: string;
  n: number;
  limit: number;
  mailboxId?: string;
  mailboxCap?: number | null;
  now: number;
  timeZone: string;
};

export type ReserveResult = { state: QuotaLedger; granted: number; resetsAt: number };

/** An empty ledger for the team's current day. */
export function newLedger(now: number, timeZone: string): QuotaLedger {
  return {
    day: dayKey(now, timeZone),
    endsAt: nextDayStart(now, timeZone),
    used: 0,
    reservations: {},
    mailboxUsed: {},
  };
}

/** True while the ledger's day is still the one being counted at `now`. */
function sameDay(state: QuotaLedger, now: number, timeZone: string): boolean {
  return state.endsAt !== undefined ? now < state.endsAt : state.day === dayKey(now, timeZone);
}

/** When the allowance counted by `state` (or, after it, today's) opens again. */
function resetTime(state: QuotaLedger, now: number, timeZone: string): number {
  return state.endsAt !== undefined && now < state.endsAt
    ? state.endsAt
    : nextDayStart(now, timeZone);
}

function checkCount(what: string, n: number) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0`);
}

/**
 * Starts a new day's counters when the counted day has ended. Reservations of today and
 * yesterday are kept so that a retry across midnight is still answered the same.
 */
export function rollOver(state: QuotaLedger, now: number, timeZone: string): QuotaLedger {
  if (sameDay(state, now, timeZone)) return state;
  const today = dayKey(now, timeZone);
  const yesterday = keyOf(addDays(wallTime(now, timeZone), -1));
  const reservations: Record<string, Reservation> = {};
  for (const [id, r] of Object.entries(state.reservations)) {
    if (r.day === today || r.day === yesterday) reservations[id] = r;
  }
  return { ...newLedger(now, timeZone), reservations };
}

/**
 * Reserves up to `n` sends against the team's daily limit and the mailbox's own cap.
 * Idempotent by id: asking again with the same id answers the same and counts nothing.
 */
export function reserve(state: QuotaLedger, input: ReserveInput): ReserveResult {
  checkCount("n", input.n);
  checkCount("limit", input.limit);
  const rolled = rollOver(state, input.now, input.timeZone);
  const resetsAt = resetTime(rolled, input.now, input.timeZone);
  const earlier = rolled.reservations[input.id];
  if (earlier) return { state: rolled, granted: earlier.granted, resetsAt };

  const team = Math.max(0, input.limit - rolled.used);
  const box = input.mailboxId ? (rolled.mailboxUsed[input.mailboxId] ?? 0) : 0;
  const cap = input.mailboxId && input.mailboxCap != null ? input.mailboxCap : null;
  const mailbox = cap === null ? Number.POSITIVE_INFINITY : Math.max(0, cap - box);
  const granted = Math.min(input.n, team, mailbox);

  const reservation: Reservation = { n: input.n, granted, released: 0, day: rolled.day };
  if (input.mailboxId) reservation.mailboxId = input.mailboxId;
  return {
    state: {
      ...rolled,
      used: rolled.used + granted,
      reservations: { ...rolled.reservations, [input.id]: reservation },
      mailboxUsed: input.mailboxId
        ? { ...rolled.mailboxUsed, [input.mailboxId]: box + granted }
        : rolled.mailboxUsed,
    },
    granted,
    resetsAt,
  };
}

export type ReleaseResult = { state: QuotaLedger; released: number };

/**
 * Gives back units of a reservation that never reached the provider. `n` is the total
 * unused so far, not an increment, so repeating a release changes nothing. Units of an
 * earlier day are recorded but not returned to today's allowance.
 */
export function release(state: QuotaLedger, input: { id: string; n: number }): ReleaseResult {
  checkCount("n", input.n);
  const r = state.reservations[input.id];
  if (!r) return { state, released: 0 };
  const target = Math.min(input.n, r.granted);
  const delta = target - r.released;
  if (delta <= 0) return { state, released: 0 };

  const updated: Reservation = { ...r, released: target };
  const reservations = { ...state.reservations, [input.id]: updated };
  if (r.day !== state.day) return { state: { ...state, reservations }, released: 0 };

  const mailboxUsed = { ...state.mailboxUsed };
  if (r.mailboxId) mailboxUsed[r.mailboxId] = Math.max(0, (mailboxUsed[r.mailboxId] ?? 0) - delta);
  return {
    state: { ...state, used: Math.max(0, state.used - delta), reservations, mailboxUsed },
    released: delta,
  };
}

export type Usage = { sentToday: number; remaining: number; resetsAt: number };

/** Today's usage for GET /account/usage: reserved sends count as sent. */
export function usage(state: QuotaLedger, limit: number, now: number, timeZone: string): Usage {
  const used = sameDay(state, now, timeZone) ? state.used : 0;
  return {
    sentToday: used,
    remaining: Math.max(0, limit - used),
    resetsAt: resetTime(state, now, timeZone),
  };
}
