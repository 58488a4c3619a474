import type { ReserveAnswer, ReserveArgs } from "../account";
import { afterFailure, afterSend, autoResume } from "../core/engine/actions";
import { chooseAddress } from "../core/engine/address";
import { escapeHtml, type MergeData, renderHtml, renderTemplate } from "../core/engine/merge";
import { planRetry } from "../core/engine/retries";
import type { EmailStage, SmsStage } from "../core/engine/schemas";
import type { Reason } from "../core/engine/statuses";
import { normalizeEmail } from "../core/people";
import { replyToken, unsubscribeToken } from "../core/tokens";
import type { FaultStep } from "../testing/hooks";
import type { SmsTransport } from "../transport/sms";
import {
  type OutgoingEmail,
  OutgoingEmailSchema,
  type OutgoingSms,
  type SendResult,
  type Transport,
} from "../transport/types";
import {
  loadJobTitle,
  loadMailboxes,
  loadPeople,
  loadSuppressed,
  type MailboxData,
  type PersonData,
} from "./data";
import { resendSms, sendSms } from "./sms-send";
import type { CampaignDef, CampaignStore, Message, Prospect } from "./store";
import { applyDecision, SYSTEM, timingOf, toState } from "./transitions";
import type { AddressValidator } from "./validate";

/** Due prospects taken per alarm: bounded, so one alarm stays far inside 30 s of CPU. */
export const BATCH_SIZE = 100;

export type QuotaClient = {
  reserve(args: ReserveArgs): Promise<ReserveAnswer>;
  release(args: { reservationId: string; n: number }): Promise<number>;
};

export type PipelineContext = {
  d1: D1Database;
  store: CampaignStore;
  def: CampaignDef;
  teamTz: string;
  now: () => number;
  quota: QuotaClient;
  transport: Transport;
  /** How SMS leave: Twilio when configured, else the sink (workers/campaign/sms-send.ts). */
  sms: SmsTransport;
  validate: AddressValidator;
  /** Base of tracking and unsubscribe links; its host names our Message-IDs. */
  publicUrl: string;
  /** Where replies are captured (reply+<token>@INBOUND_DOMAIN); none → the mailbox's own address. */
  inboundDomain: string | null;
  /** Signs reply and unsubscribe tokens. */
  secret: string;
  /** Test-only: called at each step of a send so a test can throw or evict there. */
  fault?: (step: FaultStep) => Promise<void> | void;
};

type EmailCandidate = {
  p: Prospect;
  stage: EmailStage;
  email: OutgoingEmail;
  mailbox: MailboxData;
};
type SmsCandidate = { p: Prospect; stage: SmsStage; sms: OutgoingSms };

/** The pipeline's own hold or failure of a prospect (DESIGN.md §1 automatic moves). */
function fail(c: PipelineContext, p: Prospect, reason: Reason, detail?: string, to?: string) {
  const now = c.now();
  const open = c.store.openMessage(p.personId, p.stageIndex);
  const decision = afterFailure(toState(p), reason, { detail });
  const stored = applyDecision(c.store, c.def, p, decision, SYSTEM, now, {
    reasonDetail: detail ?? null,
  });
  if (stored && open && reason === "validation_failed") {
    // Held by validation, not canceled: a retry (optionally bypassing validation) sends it.
    c.store.putMessage({ ...open, status: "held", reason: "validation_failed", to: to ?? open.to });
  }
}

function mergeData(
  person: PersonData,
  jobTitle: string | null,
  mailbox: MailboxData | null,
): MergeData {
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    jobTitle,
    senderName: mailbox?.name ?? null,
  };
}

function missingDetail(results: { ok: boolean; missing?: string[]; unknown?: string[] }[]) {
  const missing = [...new Set(results.flatMap((r) => r.missing ?? []))];
  const unknown = [...new Set(results.flatMap((r) => r.unknown ?? []))];
  const parts = [];
  if (missing.length) parts.push(`no ${missing.join(", ")} on the profile`);
  if (unknown.length)
    parts.push(`unknown merge field ${unknown.map((u) => `{{${u}}}`).join(", ")}`);
  return parts.join("; ");
}

/** Our Message-ID, on our domain; also carried in References so replies thread to it. */
export const messageIdFor = (rowId: string, host: string) => `<${rowId}@${host}>`;

/** Resend keeps idempotency keys 24 h: automatic retries stop well before that. */
export const RETRY_WINDOW_MS = 23 * 60 * 60 * 1000;

async function buildEmail(
  c: PipelineContext,
  p: Prospect,
  stage: EmailStage,
  person: PersonData,
  to: string,
  mailbox: MailboxData,
  jobTitle: string | null,
  row: Message | null,
): Promise<OutgoingEmail | { missing: string }> {
  const data = mergeData(person, jobTitle, mailbox);
  const previous = stage.sameThread ? c.store.lastSentEmail(p.personId) : null;
  const subject = previous?.subject
    ? `Re: ${previous.subject.replace(/^(re:\s*)+/i, "")}`
    : stage.subject;
  const rs = renderTemplate(subject, data);
  const rt = renderTemplate(stage.body, data);
  const rh = renderHtml(stage.body, data);
  if (!rs.ok || !rt.ok || !rh.ok) return { missing: missingDetail([rs, rt, rh]) };
  const id = row?.id ?? crypto.randomUUID();
  const base = new URL(c.publicUrl);
  const ours = messageIdFor(id, base.hostname);
  const unsubscribe = new URL(
    `/u/${await unsubscribeToken(c.secret, { t: c.def.teamId, p: person.id, c: c.def.id, e: to })}`,
    base,
  ).toString();
  const headers: Record<string, string> = {
    "Message-ID": ours,
    // Providers may replace Message-ID but keep References: our id stays in the thread.
    References: previous?.messageId ? `${previous.messageId} ${ours}` : ours,
    "List-Unsubscribe": `<${unsubscribe}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
  if (previous?.messageId) headers["In-Reply-To"] = previous.messageId;
  const replyTo = c.inboundDomain
    ? `reply+${await replyToken(c.secret, id)}@${c.inboundDomain}`
    : mailbox.address;
  const footerText = c.def.unsubscribeLink ? `\n\n--\nUnsubscribe: ${unsubscribe}` : "";
  const footerHtml = c.def.unsubscribeLink
    ? `<p style="font-size:12px;color:#667"><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>`
    : "";
  return {
    id,
    idempotencyKey: `${c.def.id}:${id}:${p.attempt}`,
    teamId: c.def.teamId,
    from: `${mailbox.name} <${mailbox.address}>`,
    to,
    subject: rs.text,
    text: `${rt.text}${footerText}`,
    html: `<div>${rh.text.replace(/\n/g, "<br>")}</div>${footerHtml}`,
    replyTo,
    headers,
  };
}

/** Holds that end by themselves (throttled, out of office) resume when their time comes. */
function resumeHolds(c: PipelineContext, due: Prospect[], now: number): Prospect[] {
  return due.map((p) => {
    if (p.status === "active") return p;
    const d = autoResume(toState(p), c.def.stages, now, timingOf(c.def, p, c.teamTz));
    return applyDecision(c.store, c.def, p, d, SYSTEM, now) ?? p;
  });
}

/**
 * One alarm's work: settle what a crash left open, resend what is in flight, then take a
 * bounded batch of due prospects through the send path of DESIGN.md §2.
 */
export async function runPipeline(c: PipelineContext): Promise<void> {
  await settleReservations(c);
  await resendInFlight(c);
  if (c.def.status !== "active") return;

  const now = c.now();
  const due = resumeHolds(c, c.store.dueProspects(now, BATCH_SIZE), now).filter(
    (p) => p.status === "active" && p.nextAt !== null && p.nextAt <= now,
  );
  if (due.length === 0) return;

  const ids = due.map((p) => p.personId);
  const people = await loadPeople(c.d1, c.def.teamId, ids);
  const normalized = [...people.values()].flatMap((p) => p.emails.map((e) => e.normalized));
  const suppressed = await loadSuppressed(c.d1, c.def.teamId, normalized, ids);
  const mailboxIds = c.def.stages.flatMap((s) =>
    s.type === "email" && s.mailboxId ? [s.mailboxId] : [],
  );
  const mailboxes = await loadMailboxes(c.d1, c.def.teamId, mailboxIds);
  const jobTitle = await loadJobTitle(c.d1, c.def.teamId, c.def.jobId);

  const emails: EmailCandidate[] = [];
  const sms: SmsCandidate[] = [];
  for (const fresh of due) {
    // The awaits above let actions interleave: act only on what is still due.
    const p = c.store.getProspect(fresh.personId);
    if (!p || p.status !== "active" || p.nextAt === null || p.nextAt > now) continue;
    const stage = c.def.stages[p.stageIndex];
    const person = people.get(p.personId);
    if (!stage || (stage.type !== "email" && stage.type !== "sms")) continue;
    if (!person) {
      // Deleted from the team's database: they leave the campaign.
      c.store.deleteProspect(p.personId);
      continue;
    }
    const tz = person.timeZone ?? p.timeZone;
    const current = {
      ...p,
      name: [person.firstName, person.lastName].filter(Boolean).join(" "),
      timeZone: tz,
    };
    if (
      suppressed.people.has(p.personId) ||
      person.emails.some((e) => suppressed.addresses.has(e.normalized))
    ) {
      fail(c, current, "unsubscribed");
      continue;
    }
    if (stage.type === "sms") {
      const phone = person.phones[0];
      if (!phone) {
        fail(c, current, "no_phone");
        continue;
      }
      const body = renderTemplate(stage.body, mergeData(person, jobTitle, null));
      if (!body.ok) {
        fail(c, current, "missing_merge_field", missingDetail([body]));
        continue;
      }
      const row = c.store.openMessage(p.personId, p.stageIndex);
      const id = row?.id ?? crypto.randomUUID();
      sms.push({
        p: current,
        stage,
        sms: {
          id,
          idempotencyKey: `${c.def.id}:${id}:${p.attempt}`,
          teamId: c.def.teamId,
          to: phone,
          text: body.text,
        },
      });
      continue;
    }
    const choice = chooseAddress(person.emails, stage.emailPriority);
    if (!choice.ok) {
      fail(c, current, "null_email");
      continue;
    }
    if (suppressed.addresses.has(normalizeEmail(choice.address))) {
      fail(c, current, "unsubscribed");
      continue;
    }
    if (!p.bypassValidation) {
      const v = await c.validate(choice.address);
      if (!v.ok) {
        fail(c, current, "validation_failed", v.detail, choice.address);
        continue;
      }
    }
    if (!stage.mailboxId) {
      fail(c, current, "no_account_selected");
      continue;
    }
    const mailbox = mailboxes.get(stage.mailboxId);
    if (!mailbox || !mailbox.canSend) {
      fail(
        c,
        current,
        "email_not_synced",
        mailbox ? `${mailbox.address} cannot send yet` : "The stage's mailbox was removed",
      );
      continue;
    }
    const row = c.store.openMessage(p.personId, p.stageIndex);
    const email = await buildEmail(
      c,
      current,
      stage,
      person,
      choice.address,
      mailbox,
      jobTitle,
      row,
    );
    if ("missing" in email) {
      fail(c, current, "missing_merge_field", email.missing);
      continue;
    }
    emails.push({ p: current, stage, email, mailbox });
  }

  const batchId = crypto.randomUUID();
  const granted = await reserveQuota(c, emails, batchId);
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
  );
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
  );
  await settleReservations(c);

  if (committedEmails.length > 0) {
    await send(c, committedEmails, batchId);
  }
  if (committedSms.length > 0) await sendSms(c, committedSms);
}

/**
 * Reserves quota per mailbox (one call per mailbox of the batch) under an id persisted
 * first; those over the limit are held (defer) or failed (fail).
 */
async function reserveQuota(c: PipelineContext, emails: EmailCandidate[], batchId: string) {
  const byMailbox = new Map<string, EmailCandidate[]>();
  for (const e of emails) byMailbox.set(e.mailbox.id, [...(byMailbox.get(e.mailbox.id) ?? []), e]);
  const granted: EmailCandidate[] = [];
  for (const [mailboxId, group] of byMailbox) {
    const reservationId = `${c.def.id}:${batchId}:${mailboxId}`;
    c.store.putReservation(
      { id: reservationId, mailboxId, n: group.length, granted: null, used: 0, state: "reserving" },
      c.now(),
    );
    const answer = await c.quota.reserve({
      reservationId,
      n: group.length,
      mailboxId,
      mailboxCap: group[0].mailbox.dailyCap,
    });
    c.store.putReservation(
      {
        id: reservationId,
        mailboxId,
        n: group.length,
        granted: answer.granted,
        used: 0,
        state: "granted",
      },
      c.now(),
    );
    granted.push(...group.slice(0, answer.granted));
    for (const over of group.slice(answer.granted)) {
      const p = c.store.getProspect(over.p.personId);
      if (!p || p.status !== "active" || p.stageIndex !== over.p.stageIndex) continue;
      if (answer.onLimit === "defer") {
        const d = afterFailure(toState(p), "throttled", {
          resumeAt: answer.resetsAt,
          detail: new Date(answer.resetsAt).toISOString(),
        });
        applyDecision(c.store, c.def, p, d, SYSTEM, c.now(), {
          reasonDetail: new Date(answer.resetsAt).toISOString(),
        });
      } else {
        const d = afterFailure(toState(p), "email_limit");
        applyDecision(c.store, c.def, p, d, SYSTEM, c.now());
      }
    }
  }
  return granted;
}

type Commit = {
  p: Prospect;
  stageId: string;
  channel: "email" | "sms";
  payload: OutgoingEmail | OutgoingSms;
  to: string;
  subject: string | null;
  mailboxId: string | null;
};

/**
 * Persists the attempts (payload + idempotency key) BEFORE the provider call. From here
 * the members are committed: a cancel answers 409, a pause applies from the next stage.
 * Re-reads each prospect first: a pause or cancel during the quota call wins.
 */
function commit(c: PipelineContext, items: Commit[], batchId: string): Message[] {
  const now = c.now();
  const out: Message[] = [];
  const usedByReservation = new Map<string, number>();
  for (const item of items) {
    const p = c.store.getProspect(item.p.personId);
    if (!p || p.status !== "active" || p.stageIndex !== item.p.stageIndex || p.nextAt === null)
      continue;
    const open = c.store.openMessage(p.personId, p.stageIndex);
    const message = c.store.putMessage({
      id: item.payload.id,
      personId: p.personId,
      stageId: item.stageId,
      stageIndex: p.stageIndex,
      channel: item.channel,
      attempt: p.attempt,
      status: "sending",
      reason: null,
      to: item.to,
      mailboxId: item.mailboxId,
      subject: item.subject,
      scheduledAt: open?.scheduledAt ?? p.nextAt,
      sentAt: null,
      messageId:
        item.channel === "email" ? (item.payload as OutgoingEmail).headers["Message-ID"] : null,
      providerId: null,
      idempotencyKey: item.payload.idempotencyKey,
      batchId,
      payload: JSON.stringify(item.payload),
      createdAt: open?.createdAt ?? now,
      failures: 0,
      firstTryAt: now,
      retryAt: null,
    });
    // In flight: not due again until the answer is recorded.
    c.store.updateProspect(
      { ...p, name: item.p.name || p.name, timeZone: item.p.timeZone, nextAt: null },
      now,
    );
    out.push(message);
    if (item.mailboxId) {
      const rid = `${c.def.id}:${batchId}:${item.mailboxId}`;
      usedByReservation.set(rid, (usedByReservation.get(rid) ?? 0) + 1);
    }
  }
  if (items.some((i) => i.channel === "email")) {
    for (const rid of new Set(
      items.filter((i) => i.mailboxId).map((i) => `${c.def.id}:${batchId}:${i.mailboxId}`),
    )) {
      const r = c.store.getReservation(rid);
      if (!r || r.granted === null) continue;
      const used = usedByReservation.get(rid) ?? 0;
      c.store.putReservation({ ...r, used, state: used < r.granted ? "releasing" : "used" }, now);
    }
  }
  return out;
}

/**
 * Settles reservations a crash or a change of plans left open: anything granted but not
 * used goes back to the team's allowance (the Account DO's release is idempotent).
 */
async function settleReservations(c: PipelineContext) {
  for (const r of c.store.openReservations()) {
    let granted = r.granted;
    if (r.state === "reserving" || granted === null) {
      const answer = await c.quota.reserve({
        reservationId: r.id,
        n: r.n,
        mailboxId: r.mailboxId,
        mailboxCap: null,
      });
      granted = answer.granted;
    }
    const unused = granted - r.used;
    if (unused > 0) await c.quota.release({ reservationId: r.id, n: unused });
    c.store.putReservation({ ...r, granted, state: "done" }, c.now());
  }
}

function emailPayload(m: Message): OutgoingEmail {
  return OutgoingEmailSchema.parse(JSON.parse(m.payload ?? "null"));
}

async function send(c: PipelineContext, messages: Message[], batchId: string) {
  await c.fault?.("before_send");
  // The same members in the same order every time: a retry must repeat the exact payload.
  const ordered = [...messages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const results = await c.transport.sendEmails(ordered.map(emailPayload), `${c.def.id}:${batchId}`);
  await c.fault?.("after_send");
  await c.fault?.("before_record");
  record(c, results);
}

/**
 * Messages persisted as in flight (a crash, or a retry): emails go out again with the same
 * key and payload; SMS, which have no key, are looked up before anything is resent.
 */
async function resendInFlight(c: PipelineContext) {
  const now = c.now();
  // A batch goes again whole, members in their first order: its idempotency key covers
  // exactly that payload, and a part of it under the same key would be refused.
  for (const batchId of c.store.inFlightBatchesDue(now, 20)) {
    const members = c.store.inFlightOfBatch(batchId);
    if (members.length > 0) await send(c, members, batchId);
  }
  const texts = c.store.inFlightDue(now, 1_000).filter((m) => m.channel === "sms");
  if (texts.length > 0) await resendSms(c, texts);
}

/** Applies the provider's answers, each on its own, to the state as it is NOW. */
function record(c: PipelineContext, results: SendResult[]) {
  const now = c.now();
  // One draw per answer: the members of a batch come due again together.
  const jitter = Math.random();
  for (const r of results) {
    const m = c.store.getMessage(r.id);
    if (!m || m.status !== "sending") continue;
    const p = c.store.getProspect(m.personId);
    if (r.ok) {
      c.store.putMessage({ ...m, status: "sent", sentAt: now, providerId: r.providerId });
      if (p && p.stageIndex === m.stageIndex) {
        const d = afterSend(toState(p), c.def.stages, now, timingOf(c.def, p, c.teamTz));
        applyDecision(c.store, c.def, p, d, SYSTEM, now);
      }
    } else if (r.kind === "permanent") {
      const reason = r.reason ?? "provider_rejected";
      c.store.putMessage({ ...m, status: "not_delivered", reason: `${reason}: ${r.message}` });
      if (p && p.stageIndex === m.stageIndex) {
        const d = afterFailure(toState(p), reason, { detail: r.message });
        applyDecision(c.store, c.def, p, d, SYSTEM, now, { reasonDetail: r.message });
      }
    } else {
      const plan = planRetry({
        error:
          r.kind === "rate_limited"
            ? { kind: "rate_limited", retryAfterMs: r.retryAfterMs }
            : { kind: "server_error" },
        failures: m.failures,
        now,
        jitter,
      });
      const tooLate = plan.retry && plan.at - (m.firstTryAt ?? now) > RETRY_WINDOW_MS;
      if (!plan.retry || tooLate) {
        c.store.putMessage({
          ...m,
          status: "failed",
          reason: `too_many_retries: ${r.message}`,
          retryAt: null,
        });
        if (p && p.stageIndex === m.stageIndex) {
          const d = afterFailure(toState(p), "too_many_retries", { detail: r.message });
          applyDecision(c.store, c.def, p, d, SYSTEM, now, { reasonDetail: r.message });
        }
      } else {
        // Still in flight: the same payload goes again under the same key at plan.at.
        c.store.putMessage({
          ...m,
          failures: m.failures + (plan.countsAsAttempt ? 1 : 0),
          retryAt: plan.at,
          reason: r.message,
        });
      }
    }
  }
}
