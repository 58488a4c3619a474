import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { ActorRef } from "../campaign/transitions";
import { clock } from "../clock";
import { toE164 } from "../core/sms";
import {
  type InboundTarget,
  inboundSmsKind,
  numberSearchKeys,
  planInboundSms,
  replyDetail,
  stopKeyword,
} from "../core/sms-inbound";
import { campaignStub, membershipsOf } from "../data/campaigns";
import { optOut } from "../data/unsubscribe";
import { db, schema } from "../db/client";

/** Rows read per lookup: far more than one number is ever texted, bounded all the same. */
const LOOKUP_LIMIT = 200;
const ACTOR: ActorRef = { kind: "system", id: "twilio" };

/** An inbound SMS as Twilio's webhook gives it, already verified. */
export type InboundSms = { messageSid: string; from: string; body: string };

export type InboundSmsResult = {
  /** duplicate: the MessageSid was already applied, so nothing was done again. */
  kind: "applied" | "unmatched" | "duplicate";
  /** What was done, in words; for a text that matched no one, why nothing was. */
  outcome: string;
};

/** Our texts to the number and the profiles holding it, looked up by the number's digits. */
async function lookUp(env: Env, from: string) {
  const keys = numberSearchKeys(from);
  if (keys.length === 0) return { texted: [], phones: [] };
  const d = db(env);
  const log = schema.emailLog;
  const [texted, phones] = await d.batch([
    d
      .select({
        teamId: log.teamId,
        campaignId: log.campaignId,
        personId: log.personId,
        to: log.to,
        sentAt: log.sentAt,
      })
      .from(log)
      // 'sms' written out, not bound: only then can SQLite use the partial index.
      .where(and(sql`${log.channel} = 'sms'`, inArray(log.toDigits, keys), isNotNull(log.sentAt)))
      .orderBy(desc(log.sentAt))
      .limit(LOOKUP_LIMIT),
    d
      .select({
        teamId: schema.personPhone.teamId,
        personId: schema.personPhone.personId,
        number: schema.personPhone.number,
      })
      .from(schema.personPhone)
      .where(inArray(schema.personPhone.digits, keys))
      .limit(LOOKUP_LIMIT),
  ]);
  return { texted: texted.map((r) => ({ ...r, sentAt: r.sentAt ?? 0 })), phones };
}

/** A STOP: each person opts out of every campaign of their team, their number suppressed. */
async function applyStop(env: Env, targets: InboundTarget[], sms: InboundSms, now: number) {
  const e164 = toE164(sms.from);
  if (!e164.ok) throw new Error(`applyStop: ${sms.from} is not a phone number`);
  const detail = `${e164.number} texted ${stopKeyword(sms.body) ?? "STOP"}: no more texts`;
  let people = 0;
  for (const t of targets) {
    for (const personId of t.personIds) {
      await optOut(
        env,
        {
          teamId: t.teamId,
          personId,
          keys: [e164.number],
          reason: "sms_stop",
          detail,
          actor: ACTOR,
          campaignIds: t.campaignIds,
        },
        now,
      );
      people++;
    }
  }
  return `sms_stop for ${people} person(s) in ${targets.length} team(s)`;
}

/** A reply: the people are Replied in the campaigns it answers; a campaign not reached throws. */
async function applyReply(env: Env, targets: InboundTarget[], sms: InboundSms) {
  const detail = replyDetail(sms.body);
  const parts: string[] = [];
  for (const t of targets) {
    const campaignIds = new Set(t.campaignIds);
    if (t.theirCampaigns) {
      for (const personId of t.personIds) {
        for (const m of await membershipsOf(db(env), t.teamId, personId))
          campaignIds.add(m.campaignId);
      }
    }
    const ids = [...campaignIds];
    const outcomes = await Promise.allSettled(
      ids.map(async (id) => {
        // As a mail reply does: Replied, and a Reply counted at the stage it answered.
        const stub = await campaignStub(env, id);
        let applied = 0;
        for (const personId of t.personIds) {
          const r = await stub.applyInbound(
            {
              personId,
              reason: "replied_sms",
              detail,
              resumeAt: null,
              messageRowId: null,
              emailLogStatus: null,
              at: clock.now(),
            },
            ACTOR,
          );
          if (r.applied) applied++;
        }
        return { applied };
      }),
    );
    const missed = ids.filter((_, i) => outcomes[i].status === "rejected");
    if (missed.length > 0) {
      const first = outcomes.find((o) => o.status === "rejected");
      throw new Error(`SMS ${sms.messageSid}: campaigns ${missed.join(", ")} not reached`, {
        cause: first?.status === "rejected" ? first.reason : undefined,
      });
    }
    const applied = outcomes.reduce(
      (n, o) => n + (o.status === "fulfilled" ? o.value.applied : 0),
      0,
    );
    parts.push(
      `replied_sms for ${applied} prospect(s) in ${ids.length} campaign(s) of team ${t.teamId}`,
    );
  }
  return parts.join("; ");
}

/**
 * Applies an inbound SMS once per MessageSid: a STOP keyword unsubscribes, anything else
 * is a reply (workers/core/sms-inbound.ts decides whom it concerns). A redelivery of a
 * message whose changes were all made does nothing; one that failed half-way applies it
 * again, which the engine makes harmless (a Replied prospect is not made Replied twice).
 */
export async function receiveInboundSms(
  env: Env,
  sms: InboundSms,
  now: number,
): Promise<InboundSmsResult> {
  const d = db(env);
  const row = schema.smsInbound;
  const seen = await d.query.smsInbound.findFirst({ where: eq(row.messageSid, sms.messageSid) });
  if (seen?.appliedAt != null) {
    return { kind: "duplicate", outcome: seen.outcome ?? "" };
  }
  if (!seen) {
    const e164 = toE164(sms.from);
    await d
      .insert(row)
      .values({
        messageSid: sms.messageSid,
        fromNumber: e164.ok ? e164.number : sms.from,
        kind: inboundSmsKind(sms.body),
        receivedAt: now,
      })
      .onConflictDoNothing();
  }
  const plan = planInboundSms({ from: sms.from, body: sms.body, ...(await lookUp(env, sms.from)) });
  const outcome = !plan.matched
    ? `matched no one: ${plan.why}`
    : plan.kind === "stop"
      ? await applyStop(env, plan.targets, sms, now)
      : await applyReply(env, plan.targets, sms);
  await d.update(row).set({ outcome, appliedAt: now }).where(eq(row.messageSid, sms.messageSid));
  return { kind: plan.matched ? "applied" : "unmatched", outcome };
}
