/** What a Campaign DO's alarm must be, given its deadlines. */
export type AlarmInputs = {
  active: boolean;
  now: number;
  earliestDue: number | null;
  outboxPending: boolean;
  outboxRetryAt: number | null;
  providerRetryAt: number | null;
  openReservations: boolean;
  /** When a paced batch is to be prepared: due prospects wait for it (their turn at the provider). */
  preparesAt: number | null;
};

/**
 * max(now + 1 ms, the earliest of: next due prospect (only for an active campaign, and not
 * before a paced batch's preparation time), outbox
 * retry, provider retry of a committed send (whatever the campaign's status), an open quota
 * reservation). Null when nothing is pending. Never exactly now: local workerd can drop
 * such an alarm.
 */
export function expectedAlarm(i: AlarmInputs): number | null {
  const deadlines: number[] = [];
  if (i.outboxPending) deadlines.push(i.outboxRetryAt ?? i.now);
  if (i.openReservations) deadlines.push(i.now);
  if (i.providerRetryAt !== null) deadlines.push(i.providerRetryAt);
  if (i.active && i.earliestDue !== null) {
    deadlines.push(Math.max(i.earliestDue, i.preparesAt ?? i.earliestDue));
  }
  if (deadlines.length === 0) return null;
  return Math.max(i.now + 1, Math.min(...deadlines));
}
