import { lookupAt } from "../../core/sms";
import type { SmsResult } from "../../transport/sms";
import { type OutgoingSms, OutgoingSmsSchema } from "../../transport/types";
import type { Message } from "../store";
import {
  giveUp as failMessage,
  type PipelineContext,
  RETRY_WINDOW_MS,
  retryInFlight,
} from "./context";
import { recordRefused, recordSent } from "./settle";

/**
 * In-flight SMS settled per alarm: each may cost a lookup (a few requests) and a send,
 * which keeps one alarm far inside the subrequest limit; the rest wait for the next one.
 */
export const SMS_PER_ALARM = 100;

export const UNKNOWN_OUTCOME = "Unknown whether the SMS was sent; check Twilio before retrying";

/**
 * Written (with the time) right before an SMS goes to the provider and cleared by a
 * definite answer: while it is there, the provider may hold the message and it must be
 * looked up, never sent blindly again.
 */
const callKey = (id: string) => `sms_call:${id}` as const;

/** The requests of committed texts, as persisted at the commit (in their order). */
function payloadsOf(c: PipelineContext, messages: Message[]): OutgoingSms[] {
  const kept = c.store.messages.payloadsOf(messages.map((m) => m.id));
  return messages.map((m) => OutgoingSmsSchema.parse(JSON.parse(kept.get(m.id) ?? "null")));
}

/** Sends committed SMS (their attempts are persisted) and records each answer. */
export async function sendSms(c: PipelineContext, messages: Message[]): Promise<void> {
  // Recording an answer times the next stage: read before the request (already, on every
  // path through runPipeline: then this await changes nothing).
  await c.teamTimeZone();
  await c.fault?.("before_send");
  const calledAt = c.now();
  for (const m of messages) c.store.meta.setNumber(callKey(m.id), calledAt);
  const results = await c.sms.send(payloadsOf(c, messages));
  await c.fault?.("after_send");
  await c.fault?.("before_record");
  recordSms(c, results);
}

/**
 * SMS still in flight at an alarm (a crash, a retry after an error). Those that may have
 * reached the provider are looked up first: found → recorded as sent; surely absent →
 * sent again; the lookup cannot be answered → asked again later, and Failed (never resent:
 * at most once) when it still cannot be answered after the last attempt.
 */
export async function resendSms(c: PipelineContext, inFlight: Message[]): Promise<void> {
  await c.teamTimeZone(); // read already (runPipeline); a text found sent times the next stage
  const now = c.now();
  const again: Message[] = [];
  const unsure: Message[] = [];
  for (const m of inFlight.slice(0, SMS_PER_ALARM)) {
    const calledAt = c.store.meta.getNumber(callKey(m.id));
    if (calledAt === null) again.push(m);
    else if (now < lookupAt(calledAt)) c.store.messages.put({ ...m, retryAt: lookupAt(calledAt) });
    else unsure.push(m);
  }
  if (unsure.length > 0) {
    const requests = payloadsOf(c, unsure);
    const answers = await c.sms.find(
      unsure.map((m, i) => ({
        sms: requests[i],
        firstTryAt: m.firstTryAt ?? m.createdAt,
        claimed: claimedIds(c, m),
      })),
    );
    const byId = new Map(answers.map((a) => [a.id, a]));
    const found: SmsResult[] = [];
    for (const m of unsure) {
      const a = byId.get(m.id);
      if (a?.found === true) found.push({ id: m.id, ok: true, providerId: a.providerId });
      else if (a?.found === false) {
        c.store.meta.setNumber(callKey(m.id), null);
        again.push(m);
      } else if (a && !a.lasting) askAgainLater(c, m, a.message, now);
      else giveUp(c, m, `${UNKNOWN_OUTCOME} (${a?.message ?? "no answer about it"})`);
    }
    recordSms(c, found);
  }
  // The lookup awaited: send only what is still in flight now, and nothing a day old.
  const still = again.flatMap((m) => {
    const fresh = c.store.messages.get(m.id);
    if (fresh?.status !== "sending") return [];
    if (now - (fresh.firstTryAt ?? fresh.createdAt) > RETRY_WINDOW_MS) {
      giveUp(c, fresh, `${fresh.reason ?? "no answer"}; not sent again a day later`);
      return [];
    }
    return [fresh];
  });
  if (still.length > 0) await sendSms(c, still);
}

/**
 * The list could not be read this time: it is read again after the usual backoff (the
 * marker stays, so nothing is sent before an answer), counted as a failed attempt. Out of
 * attempts, or a day after the first try, nobody can know: Failed, never sent again.
 */
function askAgainLater(c: PipelineContext, m: Message, why: string, now: number) {
  const plan = retryInFlight(m, { kind: "server_error" }, now, Math.random());
  if (plan.at === null) {
    giveUp(c, m, `${UNKNOWN_OUTCOME} (${why})`);
    return;
  }
  c.store.messages.put({ ...m, failures: m.failures + 1, retryAt: plan.at, reason: why });
}

/** Provider ids this person's other texts already have: never taken for this message. */
function claimedIds(c: PipelineContext, m: Message): Set<string> {
  return new Set(
    c.store.messages
      .of(m.personId)
      .flatMap((x) => (x.id !== m.id && x.channel === "sms" && x.providerId ? [x.providerId] : [])),
  );
}

/** The message Failed and its prospect Failed `too_many_retries`, with a reason to read. */
function giveUp(c: PipelineContext, message: Message, detail: string) {
  c.store.meta.setNumber(callKey(message.id), null);
  failMessage(c, message, detail);
}

/** Applies the provider's answers, each on its own, to the state as it is NOW. */
function recordSms(c: PipelineContext, results: SmsResult[]) {
  const now = c.now();
  for (const r of results) {
    const m = c.store.messages.get(r.id);
    const calledAt = c.store.meta.getNumber(callKey(r.id));
    if (m?.status !== "sending") {
      c.store.meta.setNumber(callKey(r.id), null);
      continue;
    }
    if (r.ok || r.kind === "permanent") {
      c.store.meta.setNumber(callKey(r.id), null);
      if (r.ok) recordSent(c, m, r.providerId);
      else recordRefused(c, m, r.reason, r.message);
      continue;
    }
    // A 429 or a refusal before anything was done: the provider surely does not have it.
    const unknown = r.kind === "transient" && r.unknown && calledAt !== null;
    if (!unknown) c.store.meta.setNumber(callKey(r.id), null);
    const plan = retryInFlight(m, r, now, Math.random());
    if (plan.at === null) {
      giveUp(c, m, unknown ? `${r.message}; ${UNKNOWN_OUTCOME}` : r.message);
      continue;
    }
    c.store.messages.put({
      ...m,
      failures: m.failures + (plan.countsAsAttempt ? 1 : 0),
      // An unknown outcome is looked up before anything goes again, once the list has settled.
      retryAt: unknown && calledAt !== null ? Math.max(plan.at, lookupAt(calledAt)) : plan.at,
      reason: r.message,
    });
  }
}
