import { autoResume, reconcileDue } from "../../core/engine/actions";
import { loadBatchData } from "../data";
import { type Prospect, stageKey } from "../store";
import {
  applyDecision,
  fromState,
  holdWhileSending,
  SYSTEM,
  timingOf,
  toState,
} from "../transitions";
import { commit } from "./commit";
import { BATCH_SIZE, type PipelineContext } from "./context";
import { batchKeyFor, resendEmails, sendEmails } from "./email-send";
import { type BatchData, type EmailCandidate, prepare, type SmsCandidate } from "./prepare";
import { reserveQuota, settleReservations } from "./quota";
import { resendSms, sendSms } from "./sms-send";

export { BATCH_SIZE, type PipelineContext, type QuotaClient } from "./context";

/**
 * A paced batch is prepared this long before its turn at the provider (the in-process wait
 * covers the rest), so hundreds of campaigns on one key do not all prepare at once.
 */
export const PREPARE_AHEAD_MS = 2_000;

/** In-flight SMS looked at per alarm. */
const SMS_DUE_PER_ALARM = 1_000;

/**
 * Due rows the send path cannot send as they stand are settled so they never block the
 * due index: holds that end by themselves resume; a prospect past the last stage is
 * Complete; a call/task stage waits for a person; a stage already in flight waits for its
 * answer. Returns the prospects due at an email or SMS stage.
 */
function settleDue(c: PipelineContext, due: Prospect[], now: number): Prospect[] {
  const sendable: Prospect[] = [];
  // In-flight sends of the batch's people, read once (nothing below commits a send).
  const sending = c.store.messages.sendingOf(due.map((p) => p.personId));
  for (const row of due) {
    let p = row;
    if (p.status !== "active") {
      const d = autoResume(toState(p), c.def.stages, now, timingOf(c.def, p, c.teamTz));
      const resumed = applyDecision(c.store, c.def, p, d, SYSTEM, now);
      if (!resumed) {
        // Nothing the pipeline acts on: off the due index.
        c.store.prospects.update({ ...p, nextAt: null }, now);
        continue;
      }
      p = resumed;
    }
    const stage = c.def.stages[p.stageIndex];
    if (!stage || stage.type === "call" || stage.type === "task") {
      const d = reconcileDue(toState(p), c.def.stages, now);
      if (!stage) applyDecision(c.store, c.def, p, d, SYSTEM, now);
      else c.store.prospects.update(fromState(p, toState(p), c.def.stages), now);
      continue;
    }
    const held = holdWhileSending(c.store, p, sending);
    if (held.nextAt === null) {
      c.store.prospects.update(held, now);
      continue;
    }
    if (p.nextAt !== null && p.nextAt <= now) sendable.push(p);
  }
  return sendable;
}

/** The batch's fresh D1 data: one round trip (people, suppression, mailboxes, job, time zone). */
async function loadBatch(c: PipelineContext, due: Prospect[]): Promise<BatchData> {
  const mailboxIds = c.def.stages.flatMap((s) =>
    s.type === "email" && s.mailboxId ? [s.mailboxId] : [],
  );
  const data = await loadBatchData(
    c.d1,
    c.def.teamId,
    due.map((p) => p.personId),
    mailboxIds,
    c.def.jobId,
  );
  c.knowTeamTimeZone(data.teamTz);
  return data;
}

/**
 * One alarm's work: settle what a crash left open, send again what is in flight (whatever
 * the campaign's status: a committed send is settled), then, for an active campaign, take
 * a bounded batch of due prospects through the send path of DESIGN.md §2.
 */
export async function runPipeline(c: PipelineContext): Promise<void> {
  await settleReservations(c);
  // A recorded answer times the next stage in the team's zone: read it (at most once an
  // alarm) before the rows it acts on are read, as an await lets actions interleave.
  if (c.store.messages.batchesDue(c.now(), 1).length > 0) await c.teamTimeZone();
  await resendEmails(c);
  if (c.store.messages.smsDue(c.now(), 1).length > 0) await c.teamTimeZone();
  const texts = c.store.messages.smsDue(c.now(), SMS_DUE_PER_ALARM);
  if (texts.length > 0) await resendSms(c, texts);
  if (c.def.status !== "active") return;

  let now = c.now();
  let rows = c.store.prospects.due(now, BATCH_SIZE);
  // Only a hold that ends by itself (autoResume) is timed before the batch's own read; the
  // read awaits, so the rows are read again after it.
  if (rows.some((p) => p.status !== "active")) {
    await c.teamTimeZone();
    now = c.now();
    rows = c.store.prospects.due(now, BATCH_SIZE);
  }
  const due = settleDue(c, rows, now);
  if (due.length === 0) return;
  const emailsDue = due.some((p) => c.def.stages[p.stageIndex]?.type === "email");
  const batchId = (emailsDue ? c.store.meta.getHeldBatch() : null) ?? crypto.randomUUID();
  const batchKey = batchKeyFor(c.def.id, batchId);
  if (emailsDue && c.transport.hold) {
    // Our turn at the provider counts from now, not from when the batch is ready; and with
    // many campaigns on one key, a batch is prepared only shortly before its turn.
    c.store.meta.setHeldBatch(batchId);
    const slot = await c.transport.hold(batchKey);
    if (slot - c.now() > PREPARE_AHEAD_MS) {
      c.store.meta.setNumber("prepare_at", slot - PREPARE_AHEAD_MS);
      return;
    }
  }
  c.store.meta.setNumber("prepare_at", null);
  const data = await loadBatch(c, due);

  const emails: EmailCandidate[] = [];
  const sms: SmsCandidate[] = [];
  // The awaits above let actions and edits interleave: act only on what is still due (one
  // read for the batch). The prospects are then prepared together: the only awaits in
  // prepare() are the link tokens' signatures, which overlap instead of queueing one by
  // one; the candidates are kept in the due order.
  const fresh = new Map(
    c.store.prospects.getMany(due.map((p) => p.personId)).map((p) => [p.personId, p]),
  );
  // Their stages' open messages, whose ids the sends take: one statement for the batch.
  const open = c.store.messages.openByStage(due.map((p) => p.personId));
  const prepared = await Promise.all(
    due.map((before) => {
      const p = fresh.get(before.personId);
      if (p?.status !== "active" || p.nextAt === null || p.nextAt > now) return null;
      const stage = c.def.stages[p.stageIndex];
      if (!stage || (stage.type !== "email" && stage.type !== "sms")) return null;
      const person = data.people.get(p.personId);
      if (!person) {
        // Deleted from the team's database: they leave the campaign.
        c.store.prospects.delete(p.personId);
        return null;
      }
      const current = {
        ...p,
        name: [person.firstName, person.lastName].filter(Boolean).join(" "),
        timeZone: person.timeZone ?? p.timeZone,
      };
      return prepare(
        c,
        current,
        stage,
        person,
        data,
        open.get(stageKey(p.personId, p.stageId))?.id,
      );
    }),
  );
  for (const candidate of prepared) {
    if (candidate && "email" in candidate) emails.push(candidate);
    else if (candidate) sms.push(candidate);
  }

  const quotaId = crypto.randomUUID();
  const granted = await reserveQuota(c, emails, quotaId);
  await c.fault?.("after_reserve");
  const committedEmails = commit(
    c,
    granted.map((g) => ({
      p: g.p,
      stageId: g.stage.id,
      channel: "email" as const,
      payload: g.email,
      to: g.email.to,
      subject: g.email.subject,
      mailboxId: g.mailbox.id,
    })),
    batchId,
    quotaId,
  );
  c.store.meta.setHeldBatch(null);
  const committedSms = commit(
    c,
    sms.map((s) => ({
      p: s.p,
      stageId: s.stage.id,
      channel: "sms" as const,
      payload: s.sms,
      to: s.sms.to,
      subject: null,
      mailboxId: null,
    })),
    batchId,
    quotaId,
  );
  await settleReservations(c);

  if (committedEmails.length > 0) await sendEmails(c, committedEmails, batchId);
  else if (emailsDue) await c.transport.handBack?.(batchKey);
  if (committedSms.length > 0) await sendSms(c, committedSms);
}
