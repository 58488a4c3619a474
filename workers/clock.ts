/**
 * The one clock of the engine. Tests move it (it is module state, and the tests, the
 * Worker and its Durable Objects share one isolate under the vitest plugin); production
 * never sets it. Alarms still run on real time: see realTimeFor.
 */
let offsetMs = 0;

export const clock = {
  now(): number {
    return Date.now() + offsetMs;
  },
};

/** Test-only: makes clock.now() read `ms` (keeps ticking from there). */
export function setClockForTest(ms: number): void {
  offsetMs = ms - Date.now();
}

export function resetClockForTest(): void {
  offsetMs = 0;
}

/** The real time at which an alarm must fire for a deadline on the engine's clock. */
export function realTimeFor(engineMs: number): number {
  return engineMs - offsetMs;
}
