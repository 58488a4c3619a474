/**
 * The housekeeping safety net's rule: which campaigns count as late, and how one run is
 * reported. Pure: the shell (workers/housekeeping/) reads the D1 mirror and pokes.
 */

/**
 * How late due work may be before the safety net pokes its campaign. A healthy alarm
 * fires within a second or two; five minutes (one cron period) means the alarm is lost,
 * not slow, while a campaign working through a backlog is still left alone.
 */
export const OVERDUE_AFTER_MS = 5 * 60_000;

/** The latest mirrored `next_at` that counts as overdue at `now` (inclusive). */
export function overdueCutoff(now: number): number {
  return now - OVERDUE_AFTER_MS;
}

/** Whether work due at `nextAt` (engine clock) is overdue at `now`; no due time never is. */
export function isOverdue(nextAt: number | null, now: number): boolean {
  return nextAt !== null && nextAt <= overdueCutoff(now);
}

/** What one poke answered: the alarm the campaign now has, or that the poke failed. */
export type PokeOutcome =
  | { campaignId: string; ok: true; alarmAt: number | null }
  | { campaignId: string; ok: false };

/**
 * The one log line of a run. "nothing pending" means the poke found no work in the
 * Durable Object: its mirror is behind it, or the due time is a call/task stage's, which
 * waits for a person rather than an alarm.
 */
export function describeOverdueRun(run: {
  cutoff: number;
  limit: number;
  outcomes: PokeOutcome[];
}): string {
  const armed = run.outcomes.filter((o) => o.ok && o.alarmAt !== null);
  const idle = run.outcomes.filter((o) => o.ok && o.alarmAt === null);
  const failed = run.outcomes.filter((o) => !o.ok);
  const ids = (list: PokeOutcome[]) => `[${list.map((o) => o.campaignId).join(",")}]`;
  const capped = run.outcomes.length >= run.limit ? ` (the first ${run.limit}; more next run)` : "";
  return (
    `housekeeping overdue-campaigns: ${run.outcomes.length} with work due by ` +
    `${new Date(run.cutoff).toISOString()}${capped}; armed ${armed.length} ${ids(armed)}; ` +
    `nothing pending ${idle.length} ${ids(idle)}; failed ${failed.length} ${ids(failed)}`
  );
}
