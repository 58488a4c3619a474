/** Raw tracking events and webhook ids are kept this long (counters are kept for good). */
export const TRACKING_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** Rows deleted per statement and statements per run: bounded, the next run goes on. */
const BATCH = 5_000;
const ROUNDS = 4;

/**
 * Deletes tracking events and Resend webhook ids older than 90 days (ADR 0027). The
 * metrics' counters do not depend on them; a deleted webhook id is older than any
 * redelivery Svix makes.
 */
export async function pruneTracking(env: Env, now: number): Promise<void> {
  const before = now - TRACKING_RETENTION_MS;
  let events = 0;
  let hooks = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const [e, w] = await env.DB.batch([
      env.DB.prepare(
        "DELETE FROM tracking_event WHERE id IN (SELECT id FROM tracking_event WHERE at < ? LIMIT ?)",
      ).bind(before, BATCH),
      env.DB.prepare(
        "DELETE FROM webhook_event WHERE id IN (SELECT id FROM webhook_event WHERE received_at < ? LIMIT ?)",
      ).bind(before, BATCH),
    ]);
    events += e.meta.changes;
    hooks += w.meta.changes;
    if (e.meta.changes < BATCH && w.meta.changes < BATCH) break;
  }
  console.log(`housekeeping prune-tracking: ${events} tracking event(s), ${hooks} webhook id(s)`);
}
