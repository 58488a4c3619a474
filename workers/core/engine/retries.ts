/** Failed attempts at one stage (429s excluded) before the prospect is Failed `too_many_retries`. */
export const MAX_ATTEMPTS = 5;
const BASE_MS = 30_000;
const CAP_MS = 3_600_000;

export type TransientError =
  | { kind: "rate_limited"; retryAfterMs?: number }
  | { kind: "server_error" }
  | { kind: "timeout" };

export type RetryPlan =
  | { retry: true; at: number; countsAsAttempt: boolean }
  | { retry: false; reason: "too_many_retries" };

/**
 * When to try a transient failure again. A 429 waits its retry-after (at least the base
 * delay) and never counts toward Too Many Retries; 5xx and timeouts back off
 * exponentially. `jitter` in [0, 1) spreads retries (pass Math.random() from the shell).
 */
export function planRetry(input: {
  error: TransientError;
  /** Counted failures at this stage so far, before this one. */
  failures: number;
  now: number;
  jitter: number;
}): RetryPlan {
  const { error, failures, now } = input;
  const jitter = Math.min(Math.max(input.jitter, 0), 0.999);
  if (error.kind === "rate_limited") {
    const wait = Math.max(error.retryAfterMs ?? BASE_MS, 1_000);
    return { retry: true, at: now + Math.ceil(wait * (1 + jitter * 0.2)), countsAsAttempt: false };
  }
  const counted = failures + 1;
  if (counted >= MAX_ATTEMPTS) return { retry: false, reason: "too_many_retries" };
  const backoff = Math.min(CAP_MS, BASE_MS * 2 ** (counted - 1));
  return { retry: true, at: now + Math.ceil(backoff * (0.5 + jitter / 2)), countsAsAttempt: true };
}

/** Parses a Retry-After header (seconds or an HTTP date) into ms from now; null when absent or bad. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
