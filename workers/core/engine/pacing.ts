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
 * Slots are spaced 2% wider than the rate: a request that leaves a few ms late (a busy
 * isolate, the network) would otherwise share a provider's one-second window with the
 * next one and draw a 429, which costs a whole slot.
 */
export const HEADROOM = 1.02;

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

/** The time between two slots at this rate. */
export function spacingMs(ratePerSecond: number): number {
  if (!(ratePerSecond > 0)) throw new RangeError("ratePerSecond must be > 0");
  return (1000 / ratePerSecond) * HEADROOM;
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
 * Grants `holder` its request slot: the one it already holds, else the earliest handed-back
 * one, else the tail (which then moves on by one spacing). A held slot whose time has
 * passed is forfeited, not sent late: a late request can crowd the provider's window.
 */
export function grant(state: PacerState, input: GrantInput): Grant {
  const { holder, now } = input;
  const mine = state.held.get(holder);
  const held = heldAfter(state.held, now, holder);
  let free = freeAfter(state.free, now);
  let next = state.next;
  let slot: number;
  if (mine !== undefined && mine >= now) {
    slot = mine;
  } else if (free.length > 0) {
    slot = free[0];
    free = free.slice(1);
  } else {
    // Whole milliseconds: the slot becomes a stored retry time. Rounding up only widens.
    slot = Math.ceil(Math.max(now, next));
    next = slot + spacingMs(input.ratePerSecond);
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
