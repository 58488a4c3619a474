/** What a Campaign DO's alarm must be, given its deadlines (the invariant tests check). */
export type AlarmInputs = {
  active: boolean;
  now: number;
  earliestDue: number | null;
  outboxPending: boolean;
  outboxRetryAt: number | null;
  providerRetryAt: number | null;
  openReservations: boolean;
};

/**
 * max(now + 1 ms, the earliest of: next due prospect, outbox retry, provider retry) for an
 * active campaign; a disabled one still finishes writing its mirror and settling quota.
 * Null when nothing is pending. Never exactly now: local workerd can drop such an alarm.
 */
export function expectedAlarm(i: AlarmInputs): number | null {
  const deadlines: number[] = [];
  if (i.outboxPending) deadlines.push(i.outboxRetryAt ?? i.now);
  if (i.openReservations) deadlines.push(i.now);
  if (i.active) {
    if (i.earliestDue !== null) deadlines.push(i.earliestDue);
    if (i.providerRetryAt !== null) deadlines.push(i.providerRetryAt);
  }
  if (deadlines.length === 0) return null;
  return Math.max(i.now + 1, Math.min(...deadlines));
}
