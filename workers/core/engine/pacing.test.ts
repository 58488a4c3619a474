import { describe, expect, it } from "vitest";
import {
  emptyPacer,
  type GrantInput,
  grant,
  HELD_GRACE_MS,
  handBack,
  type PacerState,
  slotAtOrAfter,
  usableUntil,
} from "./pacing";

const RATE = 5;
/** At 5 a second, slots sit at these offsets inside each second (10 ms margins). */
const OFFSETS = [10, 88, 166, 244, 322];
/** The n-th slot from time 0. */
const nth = (n: number) => Math.floor(n / RATE) * 1000 + OFFSETS[n % RATE];
const LEAD_MS = 1_000;
const MAX_WAIT_MS = 2_000;

const ask = (state: PacerState, holder: string, now: number, over: Partial<GrantInput> = {}) =>
  grant(state, { holder, now, ratePerSecond: RATE, maxWaitMs: MAX_WAIT_MS, ...over });

type Contender = { at: number; seq: number; request: number; firstSlot: number | null };

type Simulation = {
  /** Send times, in the order granted. */
  sends: number[];
  firstSlots: number[];
  sendsBy: number[];
  state: PacerState;
};

/**
 * Contenders on one key, on a simulated clock, all arriving at 0 (in index order). Each
 * asks for its request's slot; a far slot brings it back at slot − lead with the same
 * holder; a granted one is sent at the slot, and the contender then asks for its next
 * request. `leaves` decides, on a far answer, to hand the slot back and come back later.
 */
function simulate(
  contenders: number,
  durationMs: number,
  leaves: (request: number) => boolean = () => false,
): Simulation {
  let state = emptyPacer();
  let seq = 0;
  const cs: Contender[] = Array.from({ length: contenders }, () => ({
    at: 0,
    seq: seq++,
    request: 0,
    firstSlot: null,
  }));
  const sends: number[] = [];
  const sendsBy = cs.map(() => 0);
  for (;;) {
    let i = 0;
    for (let j = 1; j < cs.length; j++) {
      if (cs[j].at < cs[i].at || (cs[j].at === cs[i].at && cs[j].seq < cs[i].seq)) i = j;
    }
    const c = cs[i];
    const now = c.at;
    if (now >= durationMs) break;
    const holder = `c${i}:${c.request}`;
    const g = ask(state, holder, now);
    state = g.state;
    expect(g.slot).toBeGreaterThanOrEqual(now);
    if (g.use) {
      expect(g.slot - now).toBeLessThanOrEqual(MAX_WAIT_MS);
      sends.push(g.slot);
      sendsBy[i]++;
      c.firstSlot ??= g.slot;
      c.request++;
      c.at = g.slot;
    } else if (leaves(c.request)) {
      state = handBack(state, { holder, now });
      c.request++;
      c.at = now + 5_000;
    } else {
      c.at = g.slot - LEAD_MS;
    }
    c.seq = seq++;
  }
  return { sends, firstSlots: cs.map((c) => c.firstSlot ?? Number.NaN), sendsBy, state };
}

/** The most requests in any one-second window (a provider's limit, however it aligns). */
function busiestSecond(sends: number[]): number {
  const sorted = [...sends].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("grant", () => {
  it("places slots inside each second with a margin at both ends, in order of asking", () => {
    const a = ask(emptyPacer(), "a", 1_000);
    const b = ask(a.state, "b", 1_000);
    const c = ask(b.state, "c", 1_100);
    expect([a.slot, b.slot, c.slot]).toEqual([1_010, 1_088, 1_166]);
    expect([a.use, b.use, c.use]).toEqual([true, true, true]);
  });

  it("starts from the next slot after the present when the key has been idle", () => {
    const a = ask(emptyPacer(), "a", 1_000);
    expect(ask(a.state, "b", 60_000).slot).toBe(60_010);
    expect(ask(a.state, "b", 60_300).slot).toBe(60_322);
    expect(ask(a.state, "b", 60_323).slot).toBe(61_010);
  });

  it("holds a far slot, and the same holder asking again gets that slot, not a second one", () => {
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const first = ask(state, "far", 0);
    expect(first).toMatchObject({ slot: nth(20), use: false });
    const again = ask(first.state, "far", 500);
    expect(again).toMatchObject({ slot: nth(20), use: false });
    expect(again.state.next).toBe(first.state.next);
    const other = ask(again.state, "other", 500);
    expect(other.slot).toBe(nth(21));
  });

  it("lets a held slot be used once its holder comes back within the wait, then forgets it", () => {
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "far", 0);
    const back = ask(held.state, "far", held.slot - LEAD_MS);
    expect(back).toMatchObject({ slot: held.slot, use: true });
    expect(back.state.held.has("far")).toBe(false);
    // The same holder asking after that is a new request (a retry): a new slot.
    const retry = ask(back.state, "far", held.slot);
    expect(retry.slot).toBe(nth(21));
  });

  it("holds a slot asked for early (maxWaitMs -1) and lets the same holder use it when ready", () => {
    const early = ask(emptyPacer(), "batch", 1_000, { maxWaitMs: -1 });
    expect(early).toMatchObject({ slot: 1_010, use: false });
    const other = ask(early.state, "other", 1_005);
    expect(other.slot).toBe(1_088);
    const ready = ask(other.state, "batch", 1_300);
    expect(ready).toMatchObject({ slot: 1_010, use: true });
  });

  it("answers whole milliseconds at any rate, never more than the rate in one second", () => {
    let state = emptyPacer();
    const slots: number[] = [];
    for (let i = 0; i < 30; i++) {
      const g = ask(state, `h${i}`, 0, { ratePerSecond: 7, maxWaitMs: 60_000 });
      state = g.state;
      slots.push(g.slot);
    }
    expect(slots.every(Number.isInteger)).toBe(true);
    expect(slots.slice(1).every((s, i) => s > slots[i])).toBe(true);
    expect(busiestSecond(slots)).toBeLessThanOrEqual(7);
  });

  it("spaces slots of a rate under one a second by whole windows", () => {
    expect(slotAtOrAfter(0, 0.5)).toBe(10);
    expect(slotAtOrAfter(11, 0.5)).toBe(2_010);
  });
});

describe("handBack", () => {
  it("gives a handed-back slot to the next asker instead of the tail", () => {
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "leaving", 0);
    state = handBack(held.state, { holder: "leaving", now: 100 });
    expect(state.held.has("leaving")).toBe(false);
    const next = ask(state, "newcomer", 200);
    expect(next.slot).toBe(held.slot);
    expect(next.state.next).toBe(held.state.next);
    expect(ask(next.state, "after", 200).slot).toBe(nth(21));
  });

  it("frees nothing for a holder without a slot, or whose slot has passed", () => {
    const a = ask(emptyPacer(), "a", 0);
    expect(handBack(a.state, { holder: "nobody", now: 0 }).free).toEqual([]);
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "late", 0);
    expect(handBack(held.state, { holder: "late", now: held.slot + 1 }).free).toEqual([]);
  });

  it("drops a handed-back slot once its time has passed", () => {
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "leaving", 0);
    state = handBack(held.state, { holder: "leaving", now: 0 });
    const later = ask(state, "newcomer", held.slot + 1);
    expect(later.slot).toBe(nth(21));
    expect(later.state.free).toEqual([]);
  });
});

describe("expiry", () => {
  it("lets a holder use its slot a little late, while the request still falls in the slot's second", () => {
    let state = emptyPacer();
    for (let i = 0; i < 24; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "late", 0);
    expect(held.slot).toBe(nth(24));
    expect(usableUntil(held.slot, RATE)).toBe(4_400);
    const back = ask(held.state, "late", 4_400, { maxWaitMs: 60_000 });
    expect(back).toMatchObject({ slot: nth(24), use: true });
  });

  it("forfeits a held slot whose holder comes back too late for its second: it gets a new one", () => {
    let state = emptyPacer();
    for (let i = 0; i < 24; i++) state = ask(state, `x${i}`, 0).state;
    const held = ask(state, "late", 0);
    const back = ask(held.state, "late", 4_401, { maxWaitMs: 60_000 });
    expect(back.slot).toBe(nth(25));
    expect(back.use).toBe(true);
  });

  it("never puts more than the rate in one second when every request goes as late as allowed", () => {
    let state = emptyPacer();
    const sent: number[] = [];
    for (let i = 0; i < 50; i++) {
      const g = ask(state, `h${i}`, 0, { maxWaitMs: 60_000 });
      state = g.state;
      sent.push(usableUntil(g.slot, RATE));
    }
    const perSecond = new Map<number, number>();
    for (const t of sent)
      perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(RATE);
  });

  it("forgets held slots past the grace period, and keeps the ones within it", () => {
    let state = emptyPacer();
    for (let i = 0; i < 20; i++) state = ask(state, `x${i}`, 0).state;
    const a = ask(state, "a", 0);
    const b = ask(a.state, "b", 0);
    const now = a.slot + HELD_GRACE_MS + 1;
    const after = ask(b.state, "c", now).state;
    expect(after.held.has("a")).toBe(false);
    expect(after.held.has("b")).toBe(true);
  });
});

describe("contenders on one key, on a simulated clock", () => {
  for (const contenders of [1, 10, 100, 1_000]) {
    it(`keeps ${contenders} contender(s) at ≥ 90% of the rate, never over it, first come first served`, () => {
      const durationMs = Math.max(60_000, (2 * contenders * 1000) / RATE);
      const sim = simulate(contenders, durationMs);

      const done = sim.sends.filter((t) => t < durationMs).length;
      expect(done / (durationMs / 1000)).toBeGreaterThanOrEqual(0.9 * RATE);
      expect(busiestSecond(sim.sends)).toBeLessThanOrEqual(RATE);
      expect(new Set(sim.sends).size).toBe(sim.sends.length);

      // Arrival order is index order: first slots come in that order, and nobody starves.
      expect(sim.firstSlots.every((s, i) => i === 0 || s > sim.firstSlots[i - 1])).toBe(true);
      expect(sim.sendsBy.every((n) => n > 0)).toBe(true);
      // Everyone arrived at 0: nobody waits longer than contenders ÷ rate + 1 s.
      const worstWait = Math.max(...sim.firstSlots);
      expect(worstWait).toBeLessThanOrEqual((contenders / RATE) * 1000 + 1_000);

      // Only requests really waiting are remembered.
      expect(sim.state.held.size).toBeLessThanOrEqual(contenders);
      expect(sim.state.free).toEqual([]);
    });
  }

  it("keeps the rate when contenders hand their slots back and leave", () => {
    const durationMs = 120_000;
    const sim = simulate(100, durationMs, (request) => request % 3 === 1);
    const done = sim.sends.filter((t) => t < durationMs).length;
    expect(done / (durationMs / 1000)).toBeGreaterThanOrEqual(0.9 * RATE);
    expect(busiestSecond(sim.sends)).toBeLessThanOrEqual(RATE);
    expect(new Set(sim.sends).size).toBe(sim.sends.length);
  });
});
