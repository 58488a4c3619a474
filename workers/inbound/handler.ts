import { and, eq } from "drizzle-orm";
import { getServerByName } from "partyserver";
import { clock } from "../clock";
import { classifyMail } from "../core/inbound/classify";
import { outcomeOf } from "../core/inbound/outcome";
import { extractReplyText } from "../core/inbound/reply-text";
import { outOfOfficeResume } from "../core/inbound/return-date";
import { bareAddress, companyDomain, routeOf } from "../core/inbound/routing";
import type { Verdict } from "../core/inbound/types";
import { db, schema } from "../db/client";
import { config } from "../env";
import { readCapped } from "../http/read-capped";
import { forwardToOwner } from "./forward";
import { colleaguesIn, suppressAddresses, teamMailSettings } from "./lookup";
import { type Match, matchMail } from "./match";
import { alreadyApplied, keepRaw, recordInbound } from "./record";

/** Email Routing's own limit: anything larger is refused before we read it. */
export const MAX_MAIL_BYTES = 25 * 1024 * 1024;
const SNIPPET_CHARS = 2_000;
const ACTOR = { kind: "system", id: "inbound-mail" } as const;

async function readRaw(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const bytes = await readCapped(stream, MAX_MAIL_BYTES);
  if (bytes === null) throw new Error("larger than 25 MiB");
  return bytes;
}

const why = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The verdict's details worth keeping for the log and for support. */
function verdictJson(v: Verdict, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    kind: v.kind,
    outOfOffice: v.outOfOffice,
    bounce: v.bounce,
    inReplyTo: v.inReplyTo,
    references: v.references.slice(-10),
    original: v.original,
    ...extra,
  });
}

/**
 * Applies what the mail means to each campaign it concerns (DESIGN.md §1): a human reply
 * → Replied (and colleagues too, where the campaign stops a company on a reply); an
 * out-of-office → Paused until the return date; a bounce or complaint → its status, with
 * the address suppressed where it is for good. Answers what was done, in words.
 */
async function apply(env: Env, match: Extract<Match, { ok: true }>, v: Verdict, now: number) {
  const out = outcomeOf(v);
  if (!out.prospect || match.direction === "out")
    return out.replied ? "logged" : `logged (${v.kind})`;
  const reason = out.prospect.reason;
  const settings = await teamMailSettings(env, match.teamId);
  const resume =
    reason === "out_of_office"
      ? outOfOfficeResume({
          text: v.text,
          subject: v.subject,
          receivedAt: now,
          timeZone: settings.timeZone,
          defaultDays: settings.outOfOfficeDays,
        })
      : null;
  const detail =
    reason === "replied_email"
      ? `Replied: ${extractReplyText(v.text).slice(0, 200)}`
      : reason === "out_of_office"
        ? `Out of office until ${new Date(resume?.resumeAt ?? now).toISOString().slice(0, 10)}${resume?.stated ? "" : " (no date stated)"}`
        : (v.bounce?.diagnostic ?? v.bounce?.status ?? v.subject).slice(0, 500);
  const done: string[] = [];
  for (const target of match.targets) {
    const stub = await getServerByName(env.Campaign, target.campaignId);
    const result = await stub.applyInbound(
      {
        personId: target.personId,
        reason,
        detail,
        resumeAt: resume?.resumeAt ?? null,
        messageRowId: target.id,
        emailLogStatus: out.emailLog,
        at: now,
      },
      ACTOR,
    );
    done.push(`${reason} in ${target.campaignId}${result.applied ? "" : " (no change)"}`);
    if (out.replied) {
      await db(env)
        .update(schema.emailLog)
        .set({ repliedAt: now })
        .where(and(eq(schema.emailLog.id, target.id), eq(schema.emailLog.teamId, match.teamId)));
      const def = await stub.definition();
      const domain = target.to ? companyDomain(target.to) : null;
      if (def?.stopCompanyOnReply && domain) {
        const peers = (await colleaguesIn(env, match.teamId, target.campaignId, domain)).filter(
          (id) => id !== target.personId,
        );
        if (peers.length > 0) {
          await stub.applyOutcome(
            peers,
            "replied_email",
            `A colleague at ${domain} replied`,
            ACTOR,
          );
          done.push(`${peers.length} colleague(s) at ${domain} marked Replied`);
        }
      }
    }
    if (out.suppress) {
      const address = v.bounce?.recipient ?? target.to;
      if (address) {
        await suppressAddresses(env, match.teamId, target.personId, [address], reason, now);
      }
    }
  }
  return done.join("; ");
}

/**
 * The `email` entry point: mail to reply+<token>@ and sync+<token>@ INBOUND_DOMAIN.
 * Classified, matched, applied once per (team, Message-ID), logged; a human reply to a
 * reply address also reaches the recruiter's real inbox. Mail that matches nothing
 * changes nothing and is kept for diagnosis; oversized or unparsable mail is rejected
 * with a reason. It throws only when applying matched mail failed (a campaign out of
 * reach): the platform then retries the delivery, and nothing is half-logged.
 */
export async function handleEmail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const now = clock.now();
  if (message.rawSize > MAX_MAIL_BYTES) {
    message.setReject("Message too large: Beacon accepts mail up to 25 MiB");
    return;
  }
  let raw: Uint8Array;
  let v: Verdict;
  try {
    raw = await readRaw(message.raw);
    v = await classifyMail(raw);
  } catch (error) {
    message.setReject(`Unreadable message: ${why(error)}`);
    return;
  }
  const cfg = config(env);
  const route = routeOf(message.to, cfg.INBOUND_DOMAIN || null);
  const id = crypto.randomUUID();
  const base = {
    id,
    messageId: v.messageId,
    envelopeFrom: message.from,
    envelopeTo: message.to,
    via: route.via,
    fromAddr: bareAddress(v.from) ?? message.from,
    subject: v.subject.slice(0, 500),
    kind: v.outOfOffice ? "out_of_office" : v.kind,
    // A reply's new text; for anything else its first lines (a provider's forwarding
    // confirmation code must be readable on the Mailboxes page).
    snippet:
      (v.kind === "reply" ? extractReplyText(v.text) : v.text.trim()).slice(0, SNIPPET_CHARS) ||
      null,
    receivedAt: now,
  };
  try {
    const match = await matchMail(env, route, v, cfg.AUTH_SECRET, new URL(cfg.PUBLIC_URL).hostname);
    if (!match.ok) {
      await recordInbound(env, {
        ...base,
        teamId: match.teamId,
        mailboxId: match.mailbox?.id ?? null,
        direction: "in",
        verdict: verdictJson(v),
        outcome: `unmatched: ${match.why}`,
        matched: false,
        rawKey: await keepRaw(env, id, raw),
      });
      console.log("inbound: unmatched", message.to, match.why);
      return;
    }
    if (await alreadyApplied(env, match.teamId, v.messageId)) return;
    let outcome = await apply(env, match, v, now);
    if (route.via === "reply" && v.kind === "reply" && match.mailbox) {
      const sent = await forwardToOwner(env, message, match.mailbox, raw, v.subject);
      outcome = `${outcome}; ${sent.how}`;
      if (!sent.ok || sent.how.startsWith("relayed")) {
        // Shown on the Mailboxes page: an admin verifies the destination in Email Routing.
        await db(env)
          .update(schema.mailbox)
          .set({
            problem: `Replies are not forwarded to ${match.mailbox.address} by Email Routing: add it as a verified destination address.`,
          })
          .where(eq(schema.mailbox.id, match.mailbox.id));
      }
    }
    await recordInbound(env, {
      ...base,
      teamId: match.teamId,
      mailboxId: match.mailbox?.id ?? null,
      direction: match.direction,
      personId: match.personIds[0] ?? null,
      campaignId: match.targets[0]?.campaignId ?? null,
      emailLogId: match.targets[0]?.id ?? null,
      verdict: verdictJson(v, { how: match.how, people: match.personIds }),
      outcome,
      matched: true,
    });
  } catch (error) {
    // Matched mail is never rejected: what failed is ours, and the platform retries.
    console.warn("inbound: could not apply; the delivery will be retried", message.to, error);
    throw error;
  }
}
