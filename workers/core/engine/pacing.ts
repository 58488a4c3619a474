/**
 * Request slots on one provider key, shared by every campaign of every team sending
 * through it. The Pacer Durable Object loads this state, applies one transition, saves it.
 *
 * A slot is granted to a holder: one request to be made (a campaign's batch key). A slot
 * near enough is used at once: the caller waits for it in-process. A far one stays held,
 * and the caller comes back shortly before it and gets that same slot, so asking again
 * never takes a second one and the queue never runs ahead of the requests really waiting.
 * A held slot is used, handed back (it goes to the next asker) or, if its holder comes
 * back too late or never, lost: its time has passed.
 */

/**
 * Providers count requests in one-second windows. Slots are placed inside each second
 * with a margin at both ends (at rate 5: 10, 88, 166, 244 and 322 ms), so a request that
 * leaves a little late (a busy isolate, an alarm that fires late) still lands in its own
 * window and never makes it one request too many, which would draw a 429.
 */
export const WINDOW_MARGIN_MS = 10;

/**
 * A slot may still be used this close to the end of its window, and no later: past that,
 * a request could arrive in the next window. At rate 5 the last slot of a second can be
 * used up to 78 ms late, the first up to 390 ms. The guard is what a request checked in
 * time has left to reach the provider: 250 ms was not enough with 200 campaigns busy in
 * one isolate (`npm run bench` (d) drew 429s; requests took up to 850 ms to leave), nor
 * always 400 or 500 ms in the full bench run.
 */
export const LATE_GUARD_MS = 600;

/** Every slot may be used at least this late: a timer never wakes exactly on time. */
const MIN_LATE_MS = 20;

/**
 * How long a held slot is remembered after its time. It can no longer be used then, but
 * callers' clocks differ a little, and one caller's `now` must not erase a slot that is
 * still ahead for its holder.
 */
export const HELD_GRACE_MS = 10_000;

export type PacerState = {
  /** The tail of the queue: the earliest time a new slot may take. */
  next: number;
  /** Slots granted but not yet used, by holder. */
  held: Map<string, number>;
  /** Future slots handed back, ascending: given to the next askers before the tail. */
  free: number[];
};

export type GrantInput = {
  /** Names one request (campaign id + batch key): asking again gets the same slot. */
  holder: string;
  now: number;
  ratePerSecond: number;
  /** A slot at most this far away is used now; a further one is held for a later ask. */
  maxWaitMs: number;
};

/** `use`: send at `slot` (wait in-process); otherwise come back before `slot`, same holder. */
export type Grant = { state: PacerState; slot: number; use: boolean };

/** A key no one has sent through yet. */
export function emptyPacer(): PacerState {
  return { next: 0, held: new Map(), free: [] };
}

/** The provider window a slot counts in and how many slots it holds, at a rate. */
function windowOf(ratePerSecond: number): { ms: number; slots: number } {
  if (!(ratePerSecond > 0)) throw new RangeError("ratePerSecond must be > 0");
  return ratePerSecond >= 1
    ? { ms: 1000, slots: Math.floor(ratePerSecond) }
    : { ms: Math.ceil(1000 / ratePerSecond), slots: 1 };
}

/**
 * The earliest slot at or after `t` (whole milliseconds). Slots are spread over the part
 * of their window before its late guard, so each can still be used a little late.
 */
export function slotAtOrAfter(t: number, ratePerSecond: number): number {
  const w = windowOf(ratePerSecond);
  const step = (w.ms - WINDOW_MARGIN_MS - LATE_GUARD_MS) / w.slots;
  const start = Math.floor(t / w.ms) * w.ms;
  for (let i = Math.max(0, Math.floor((t - start - WINDOW_MARGIN_MS) / step)); i < w.slots; i++) {
    const slot = start + WINDOW_MARGIN_MS + Math.ceil(i * step);
    if (slot >= t) return slot;
  }
  return start + w.ms + WINDOW_MARGIN_MS;
}

/** The last moment a slot can still be used without its request leaving its window. */
export function usableUntil(slot: number, ratePerSecond: number): number {
  const w = windowOf(ratePerSecond);
  return Math.max(Math.floor(slot / w.ms) * w.ms + w.ms - LATE_GUARD_MS, slot + MIN_LATE_MS);
}

/** The held slots still remembered at `now`, without `except`'s. One pass: it runs on every ask. */
function heldAfter(held: Map<string, number>, now: number, except?: string) {
  const kept = new Map<string, number>();
  for (const [holder, slot] of held) {
    if (holder !== except && slot >= now - HELD_GRACE_MS) kept.set(holder, slot);
  }
  return kept;
}

/** Handed-back slots still ahead at `now`: a past one is of no use to anyone. */
function freeAfter(free: number[], now: number): number[] {
  return free.filter((slot) => slot >= now);
}

/**
 * Grants `holder` its request slot: the one it already holds (until late enough to leave
 * its window: then it is forfeited, never sent late), else the earliest handed-back one,
 * else the tail, which then moves on to the next slot.
 */
export function grant(state: PacerState, input: GrantInput): Grant {
  const { holder, now } = input;
  const mine = state.held.get(holder);
  const held = heldAfter(state.held, now, holder);
  let free = freeAfter(state.free, now);
  let next = state.next;
  let slot: number;
  if (mine !== undefined && now <= usableUntil(mine, input.ratePerSecond)) {
    // Its own slot, even a little late: it still falls in the slot's window.
    slot = mine;
  } else if (free.length > 0) {
    slot = free[0];
    free = free.slice(1);
  } else {
    slot = slotAtOrAfter(Math.max(now, next), input.ratePerSecond);
    next = slot + 1;
  }
  const use = slot - now <= input.maxWaitMs;
  if (!use) held.set(holder, slot);
  return { state: { next, held, free }, slot, use };
}

/** Gives up `holder`'s slot, when it has nothing left to send, so the next asker gets it. */
export function handBack(state: PacerState, input: { holder: string; now: number }): PacerState {
  const slot = state.held.get(input.holder);
  const held = heldAfter(state.held, input.now, input.holder);
  const free = freeAfter(state.free, input.now);
  if (slot !== undefined && slot >= input.now) {
    free.push(slot);
    free.sort((a, b) => a - b);
  }
  return { next: state.next, held, free };
}
