// Client helpers for the fake Resend's control API (see resend-server.ts). They use only
// fetch, so they run in Node (benches, globalSetup) and inside workerd (tests) alike.

import { z } from "zod";
import type { FakeConfig, FakeControl, FakeEmail, FakeStats } from "./resend-fake-api";

const FailStepSchema = z.union([
  z.object({ status: z.literal([429, 500, 503]), retryAfter: z.number().optional() }),
  z.object({ timeoutMs: z.number() }),
  z.object({ acceptThenFail: z.literal(500) }),
]);

const FakeConfigSchema = z.object({
  rateLimitPerSecond: z.number().nullable(),
  failNext: z.array(FailStepSchema),
  randomFailureRate: z.number(),
  seed: z.number(),
  randomFailureKinds: z.array(z.enum(["500", "429", "timeout", "acceptThenFail"])),
  randomTimeoutMs: z.number(),
  failForever: z.boolean(),
  rejectDomains: z.array(z.string()),
  requireVerifiedDomains: z.boolean(),
}) satisfies z.ZodType<FakeConfig>;

const FakeEmailSchema = z.object({
  id: z.string(),
  to: z.array(z.string()),
  from: z.string(),
  subject: z.string(),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  replyTo: z.array(z.string()),
  headers: z.record(z.string(), z.string()),
  text: z.string().nullable(),
  html: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  batchIndex: z.number().nullable(),
}) satisfies z.ZodType<FakeEmail>;

const FakeStatsSchema = z.object({
  requests: z.number(),
  sendRequests: z.number(),
  accepted: z.number(),
  byTo: z.record(z.string(), z.number()),
  idempotentReplays: z.number(),
  conflicts409: z.number(),
  rateLimited429: z.number(),
  failuresInjected: z.number(),
  emails: z.array(FakeEmailSchema),
}) satisfies z.ZodType<FakeStats>;

async function call(url: string, key: string, path: string, init: RequestInit): Promise<unknown> {
  const res = await fetch(new URL(path, url), {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake Resend ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Scripts the faults of `key`'s namespace; returns its whole configuration afterwards. */
export async function fakeControl(
  url: string,
  key: string,
  body: FakeControl,
): Promise<FakeConfig> {
  const answer = await call(url, key, "/__control", { method: "POST", body: JSON.stringify(body) });
  return z.object({ config: FakeConfigSchema }).parse(answer).config;
}

/** Counters and accepted emails of `key`'s namespace (`emails`: how many to list, default all kept). */
export async function fakeStats(
  url: string,
  key: string,
  options: { emails?: number } = {},
): Promise<FakeStats> {
  const query = options.emails === undefined ? "" : `?emails=${options.emails}`;
  return FakeStatsSchema.parse(await call(url, key, `/__stats${query}`, { method: "GET" }));
}

/** Forgets everything the fake holds for `key`. */
export async function fakeReset(url: string, key: string): Promise<void> {
  await call(url, key, "/__reset", { method: "POST" });
}

export type { FailStep, FakeConfig, FakeControl, FakeEmail, FakeStats } from "./resend-fake-api";
