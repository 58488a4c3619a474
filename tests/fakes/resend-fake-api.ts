// Shapes of the fake Resend's control API, shared by the server (Node) and the
// client helpers (Node or workerd). No imports: both sides load this file.

/** One scripted answer, consumed by the next send request of the namespace. */
export type FailStep =
  | { status: 429 | 500 | 503; retryAfter?: number }
  | { timeoutMs: number }
  | { acceptThenFail: 500 };

export type RandomFailureKind = "500" | "429" | "timeout" | "acceptThenFail";

/** Body of `POST /__control`: every field is optional and replaces the current value. */
export type FakeControl = {
  rateLimitPerSecond?: number | null;
  failNext?: FailStep[];
  randomFailureRate?: number;
  seed?: number;
  randomFailureKinds?: RandomFailureKind[];
  randomTimeoutMs?: number;
  failForever?: boolean;
  rejectDomains?: string[];
  requireVerifiedDomains?: boolean;
  verifyDomains?: string[];
  failDomains?: string[];
};

/** The namespace's fault configuration after a control call. */
export type FakeConfig = {
  rateLimitPerSecond: number | null;
  failNext: FailStep[];
  randomFailureRate: number;
  seed: number;
  randomFailureKinds: RandomFailureKind[];
  randomTimeoutMs: number;
  failForever: boolean;
  rejectDomains: string[];
  requireVerifiedDomains: boolean;
};

export type FakeEmail = {
  id: string;
  to: string[];
  from: string;
  subject: string;
  cc: string[];
  bcc: string[];
  replyTo: string[];
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
  idempotencyKey: string | null;
  /** Position in its batch, null for a single send. */
  batchIndex: number | null;
};

/** Body of `GET /__stats`. */
export type FakeStats = {
  /** Every API request made with this key, failed ones included. */
  requests: number;
  /** POST /emails and POST /emails/batch requests, failed ones included. */
  sendRequests: number;
  /** Emails accepted as new (idempotent replays add nothing). */
  accepted: number;
  /** Accepted emails per recipient address (lower-cased, `to` only). */
  byTo: Record<string, number>;
  idempotentReplays: number;
  /** 409 answers: invalid_idempotent_request and concurrent_idempotent_requests. */
  conflicts409: number;
  /** Every 429 answer, from the rate limiter or injected. */
  rateLimited429: number;
  /** Answers altered by failNext, randomFailureRate or failForever. */
  failuresInjected: number;
  /** The most recently accepted emails, oldest first. */
  emails: FakeEmail[];
};

export const FAIL_STATUSES = [429, 500, 503] as const;
export const RANDOM_FAILURE_KINDS: RandomFailureKind[] = [
  "500",
  "429",
  "timeout",
  "acceptThenFail",
];
const MAX_TIMEOUT_MS = 600_000;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= max;
}

function parseFailStep(step: unknown, path: string): Parsed<FailStep> {
  if (!isRecord(step)) return { ok: false, message: `${path} must be an object` };
  const keys = Object.keys(step);
  if ("timeoutMs" in step) {
    if (keys.length !== 1) return { ok: false, message: `${path}: timeoutMs takes no other field` };
    if (!isCount(step.timeoutMs, MAX_TIMEOUT_MS) || step.timeoutMs === 0) {
      return { ok: false, message: `${path}.timeoutMs must be a number in (0, ${MAX_TIMEOUT_MS}]` };
    }
    return { ok: true, value: { timeoutMs: step.timeoutMs } };
  }
  if ("acceptThenFail" in step) {
    if (keys.length !== 1 || step.acceptThenFail !== 500) {
      return { ok: false, message: `${path}.acceptThenFail must be 500 and stand alone` };
    }
    return { ok: true, value: { acceptThenFail: 500 } };
  }
  const status = step.status;
  if (status !== 429 && status !== 500 && status !== 503) {
    return { ok: false, message: `${path}.status must be 429, 500 or 503` };
  }
  const extra = keys.find((k) => k !== "status" && k !== "retryAfter");
  if (extra) return { ok: false, message: `${path}.${extra} is not a known field` };
  if (step.retryAfter === undefined) return { ok: true, value: { status } };
  if (!isCount(step.retryAfter, 86_400)) {
    return { ok: false, message: `${path}.retryAfter must be seconds in [0, 86400]` };
  }
  return { ok: true, value: { status, retryAfter: step.retryAfter } };
}

function parseNames(value: unknown, field: string): Parsed<string[]> {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.length > 0)) {
    return { ok: false, message: `${field} must be an array of non-empty strings` };
  }
  return { ok: true, value: value.map((v: string) => v.toLowerCase()) };
}

function parseBoolean(value: unknown, field: string): Parsed<boolean> {
  return typeof value === "boolean"
    ? { ok: true, value }
    : { ok: false, message: `${field} must be a boolean` };
}

const CONTROL_FIELDS = new Set<string>([
  "rateLimitPerSecond",
  "failNext",
  "randomFailureRate",
  "seed",
  "randomFailureKinds",
  "randomTimeoutMs",
  "failForever",
  "rejectDomains",
  "requireVerifiedDomains",
  "verifyDomains",
  "failDomains",
]);

/** Validates a `POST /__control` body; the message names the offending field. */
export function parseFakeControl(body: unknown): Parsed<FakeControl> {
  if (!isRecord(body)) return { ok: false, message: "the control body must be a JSON object" };
  const unknownField = Object.keys(body).find((k) => !CONTROL_FIELDS.has(k));
  if (unknownField) return { ok: false, message: `${unknownField} is not a control field` };
  const out: FakeControl = {};
  const r = body.rateLimitPerSecond;
  if (r !== undefined) {
    if (r !== null && (!isCount(r, 1_000_000) || !Number.isInteger(r) || r < 1)) {
      return { ok: false, message: "rateLimitPerSecond must be a positive integer or null" };
    }
    out.rateLimitPerSecond = r;
  }
  if (body.failNext !== undefined) {
    if (!Array.isArray(body.failNext)) return { ok: false, message: "failNext must be an array" };
    const steps: FailStep[] = [];
    for (const [i, step] of body.failNext.entries()) {
      const parsed = parseFailStep(step, `failNext[${i}]`);
      if (!parsed.ok) return parsed;
      steps.push(parsed.value);
    }
    out.failNext = steps;
  }
  if (body.randomFailureRate !== undefined) {
    if (!isCount(body.randomFailureRate, 1)) {
      return { ok: false, message: "randomFailureRate must be a number in [0, 1]" };
    }
    out.randomFailureRate = body.randomFailureRate;
  }
  if (body.seed !== undefined) {
    if (typeof body.seed !== "number" || !Number.isInteger(body.seed)) {
      return { ok: false, message: "seed must be an integer" };
    }
    out.seed = body.seed;
  }
  const kinds = body.randomFailureKinds;
  if (kinds !== undefined) {
    const valid = (k: unknown): k is RandomFailureKind =>
      RANDOM_FAILURE_KINDS.some((known) => known === k);
    if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every(valid)) {
      return {
        ok: false,
        message: `randomFailureKinds must be a non-empty array of ${RANDOM_FAILURE_KINDS.join(", ")}`,
      };
    }
    out.randomFailureKinds = kinds.filter(valid);
  }
  if (body.randomTimeoutMs !== undefined) {
    if (!isCount(body.randomTimeoutMs, MAX_TIMEOUT_MS) || body.randomTimeoutMs === 0) {
      return { ok: false, message: `randomTimeoutMs must be a number in (0, ${MAX_TIMEOUT_MS}]` };
    }
    out.randomTimeoutMs = body.randomTimeoutMs;
  }
  for (const field of ["failForever", "requireVerifiedDomains"] as const) {
    if (body[field] === undefined) continue;
    const parsed = parseBoolean(body[field], field);
    if (!parsed.ok) return parsed;
    out[field] = parsed.value;
  }
  for (const field of ["rejectDomains", "verifyDomains", "failDomains"] as const) {
    if (body[field] === undefined) continue;
    const parsed = parseNames(body[field], field);
    if (!parsed.ok) return parsed;
    out[field] = parsed.value;
  }
  return { ok: true, value: out };
}
