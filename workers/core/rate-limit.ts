import { z } from "zod";

/*
 * Rate-limit arithmetic for the Limiter Durable Object (workers/limiter.ts): plain data
 * in, plain data out, `now` passed in. Two shapes:
 * - a sliding log of the last `limit` attempts, for sign-in and sign-up (exact: never more
 *   than `limit` counted attempts in any `windowMs`, and the wait is at most `windowMs`);
 * - token buckets, for the API (a burst of `capacity`, refilled at `perSecond`).
 */

const MINUTE = 60_000;

export type WindowRule = { limit: number; windowMs: number };
export type BucketRule = { capacity: number; perSecond: number };

/** Failed sign-ins per (account email, client address). */
export const SIGN_IN_RULE: WindowRule = { limit: 10, windowMs: 15 * MINUTE };
/** Sign-up attempts per client address (an office behind one address signs colleagues up). */
export const SIGN_UP_RULE: WindowRule = { limit: 20, windowMs: 15 * MINUTE };
/** Requests per API key: a burst of 200, then 50 a second. */
export const API_KEY_RULE: BucketRule = { capacity: 200, perSecond: 50 };
/** Requests per team, all its keys together: 100 a second, with room for one key's burst. */
export const API_TEAM_RULE: BucketRule = { capacity: 200, perSecond: 100 };

export const WINDOW_RULES = { "sign-in": SIGN_IN_RULE, "sign-up": SIGN_UP_RULE } as const;
export const BUCKET_RULES = { "api-key": API_KEY_RULE, "api-team": API_TEAM_RULE } as const;
export const WindowRuleNameSchema = z.enum(["sign-in", "sign-up"]);
export type WindowRuleName = z.infer<typeof WindowRuleNameSchema>;
export const BucketRuleNameSchema = z.enum(["api-key", "api-team"]);
export type BucketRuleName = z.infer<typeof BucketRuleNameSchema>;

/** The times of the attempts still counted, oldest first. */
export const AttemptLogSchema = z.object({ hits: z.array(z.number()) });
export type AttemptLog = z.infer<typeof AttemptLogSchema>;

export const BucketSchema = z.object({ tokens: z.number(), at: z.number() });
export type Bucket = z.infer<typeof BucketSchema>;

export type Decision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The attempts of `log` still inside the window at `now`. */
function current(log: AttemptLog | null, rule: WindowRule, now: number): number[] {
  return (log?.hits ?? []).filter((t) => t > now - rule.windowMs).sort((a, b) => a - b);
}

/** Counts one attempt at `now` unless `limit` are already counted; then says how long to wait. */
export function hitLog(
  log: AttemptLog | null,
  rule: WindowRule,
  now: number,
): { log: AttemptLog; decision: Decision } {
  const hits = current(log, rule, now);
  if (hits.length >= rule.limit) {
    const oldest = hits[hits.length - rule.limit];
    return {
      log: { hits },
      decision: { allowed: false, retryAfterMs: oldest + rule.windowMs - now },
    };
  }
  return { log: { hits: [...hits, now] }, decision: { allowed: true } };
}

/** Forgets one attempt counted at `at` (a sign-in that succeeded was not a failure). */
export function refundLog(log: AttemptLog | null, at: number): AttemptLog {
  const hits = [...(log?.hits ?? [])];
  const i = hits.lastIndexOf(at);
  if (i >= 0) hits.splice(i, 1);
  return { hits };
}

/** When the log counts nothing any more (it can be forgotten). */
export function logExpiresAt(log: AttemptLog, rule: WindowRule): number {
  return log.hits.length === 0 ? 0 : Math.max(...log.hits) + rule.windowMs;
}

/** The bucket at `now`: refilled since its last use, never above capacity; a new one is full. */
export function refill(bucket: Bucket | null, rule: BucketRule, now: number): Bucket {
  if (!bucket) return { tokens: rule.capacity, at: now };
  const elapsed = Math.max(0, now - bucket.at);
  return {
    tokens: Math.min(rule.capacity, bucket.tokens + (elapsed * rule.perSecond) / 1000),
    at: Math.max(now, bucket.at),
  };
}

/**
 * Takes one token from every bucket, or from none: when one is empty, the wait is until
 * the emptiest has a token again.
 */
export function takeAll(
  buckets: { bucket: Bucket | null; rule: BucketRule }[],
  now: number,
): { buckets: Bucket[]; decision: Decision } {
  const filled = buckets.map(({ bucket, rule }) => refill(bucket, rule, now));
  const waits = filled.map((b, i) =>
    b.tokens >= 1 ? 0 : ((1 - b.tokens) * 1000) / buckets[i].rule.perSecond,
  );
  const wait = Math.max(0, ...waits);
  if (wait > 0) return { buckets: filled, decision: { allowed: false, retryAfterMs: wait } };
  return {
    buckets: filled.map((b) => ({ tokens: b.tokens - 1, at: b.at })),
    decision: { allowed: true },
  };
}

/** When the bucket is full again (it can be forgotten: a new bucket starts full). */
export function bucketFullAt(bucket: Bucket, rule: BucketRule): number {
  return bucket.at + ((rule.capacity - bucket.tokens) * 1000) / rule.perSecond;
}

/** A `Retry-After` value in whole seconds: rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** "in 1 minute", "in 14 minutes", "in 30 seconds": when to try again, for people. */
export function tryAgainIn(ms: number): string {
  const seconds = retryAfterSeconds(ms);
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
