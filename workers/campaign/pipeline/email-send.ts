import { type OutgoingEmail, OutgoingEmailSchema, type SendResult } from "../../transport/types";
import type { Message } from "../store";
import {
  giveUp,
  MAY_HAVE_BEEN_DELIVERED,
  type PipelineContext,
  RETRY_WINDOW_MS,
  retryInFlight,
} from "./context";
import { recordRefused, recordSentMany } from "./settle";

/** In-flight batches sent again per alarm: each is one paced request. */
const BATCHES_PER_ALARM = 20;

/** The requests of committed emails, as persisted at the commit (in their order). */
function payloadsOf(c: PipelineContext, messages: Message[]): OutgoingEmail[] {
  const kept = c.store.messages.payloadsOf(messages.map((m) => m.id));
  return messages.map((m) => OutgoingEmailSchema.parse(JSON.parse(kept.get(m.id) ?? "null")));
}

/** The provider's key for a batch: one per batch, so a retry repeats exactly that request. */
export const batchKeyFor = (campaignId: string, batchId: string) => `${campaignId}:${batchId}`;

/** Sends committed emails as one request under the batch's key and records each answer. */
export async function sendEmails(c: PipelineContext, messages: Message[], batchId: string) {
  // Recording an answer times the next stage: read before the request (already, on every
  // path through runPipeline: then this await changes nothing).
  await c.teamTimeZone();
  await c.fault?.("before_send");
  // The same members in the same order every time: a retry must repeat the exact payload.
  const ordered = [...messages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const results = await c.transport.sendEmails(
    payloadsOf(c, ordered),
    batchKeyFor(c.def.id, batchId),
  );
  await c.fault?.("after_send");
  await c.fault?.("before_record");
  record(c, results);
}

/**
 * Emails persisted as in flight (a crash, or a retry) go out again whole, per batch, with
 * the same key and payload: a part of a batch under its key would be refused. A batch
 * first tried longer ago than the provider keeps keys is never sent again: it ends Failed.
 */
export async function resendEmails(c: PipelineContext) {
  const now = c.now();
  for (const batchId of c.store.messages.batchesDue(now, BATCHES_PER_ALARM)) {
    const members = c.store.messages.inFlightOfBatch(batchId);
    if (members.length === 0) continue;
    const firstTry = Math.min(...members.map((m) => m.firstTryAt ?? m.createdAt));
    if (now - firstTry > RETRY_WINDOW_MS) {
      for (const m of members)
        giveUp(
          c,
          m,
          m.reason ? `${m.reason}; ${MAY_HAVE_BEEN_DELIVERED}` : MAY_HAVE_BEEN_DELIVERED,
        );
      continue;
    }
    await sendEmails(c, members, batchId);
  }
}

/** Applies the provider's answers, each on its own, to the state as it is NOW. */
function record(c: PipelineContext, results: SendResult[]) {
  const now = c.now();
  // One draw per answer: the members of a batch come due again together.
  const jitter = Math.random();
  // One read for the batch (no await below: each row is as it is now).
  const byId = new Map(c.store.messages.getMany(results.map((r) => r.id)).map((m) => [m.id, m]));
  const sent: { m: Message; providerId: string | null }[] = [];
  for (const r of results) {
    const m = byId.get(r.id);
    byId.delete(r.id); // an id answered twice is recorded once
    if (m?.status !== "sending") continue;
    if (r.ok) {
      sent.push({ m, providerId: r.providerId });
      continue;
    }
    if (r.kind === "paced") {
      // Our own pacing: the slot is held for this batch; nothing failed.
      c.store.messages.put({ ...m, retryAt: r.at });
      continue;
    }
    if (r.kind === "permanent") {
      recordRefused(c, m, r.reason ?? "provider_rejected", r.message);
      continue;
    }
    const plan = retryInFlight(m, r, now, jitter);
    if (plan.at === null) {
      giveUp(c, m, plan.tooLate ? `${r.message}; ${MAY_HAVE_BEEN_DELIVERED}` : r.message);
      continue;
    }
    // Still in flight: the same payload goes again under the same key at plan.at.
    c.store.messages.put({
      ...m,
      failures: m.failures + (plan.countsAsAttempt ? 1 : 0),
      retryAt: plan.at,
      reason: r.message,
    });
  }
  // The accepted ones, together (nothing above touched them or their prospects).
  recordSentMany(c, sent);
}
