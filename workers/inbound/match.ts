import { bareAddress, ourRowIds, type Route, sameAddress } from "../core/inbound/routing";
import type { Verdict } from "../core/inbound/types";
import { verifyReplyToken } from "../core/tokens";
import {
  latestSentTo,
  type MailboxRef,
  mailboxById,
  mailboxBySyncToken,
  peopleByAddress,
  type SentRow,
  sentRowsByIds,
  sentRowsByMessageIds,
} from "./lookup";

/** Where mail that came back belongs: a team, and the people and messages it concerns. */
export type Match =
  | {
      ok: true;
      teamId: string;
      /** The mailbox whose sync address it came to, or whose message it answers. */
      mailbox: MailboxRef | null;
      /** in: to the recruiter; out: their own mail, synced through a BCC. */
      direction: "in" | "out";
      /** The messages (campaign, person) it answers or reports on: where outcomes apply. */
      targets: SentRow[];
      /** The people it is logged on. */
      personIds: string[];
      how: "token" | "thread" | "original" | "recipient" | "sender" | "sent_by_user";
    }
  | { ok: false; teamId: string | null; mailbox: MailboxRef | null; why: string };

const isReport = (v: Verdict) => v.kind === "bounce" || v.kind === "complaint";

/** A report (DSN/ARF) names the original by its Message-ID, our id in References, or the failed recipient. */
async function matchReport(
  env: Env,
  teamId: string,
  v: Verdict,
  host: string,
): Promise<Pick<Extract<Match, { ok: true }>, "targets" | "how"> | null> {
  const original = v.original;
  const quoted = [original?.messageId, ...(original?.references ?? [])];
  const byId = await sentRowsByIds(env, ourRowIds(quoted, host), teamId);
  if (byId.length > 0) return { targets: byId.slice(0, 1), how: "original" };
  const ids = quoted.filter((x): x is string => Boolean(x));
  const byMessageId = await sentRowsByMessageIds(env, teamId, ids);
  if (byMessageId.length > 0) return { targets: byMessageId.slice(0, 1), how: "original" };
  const failed = v.bounce?.recipient ?? original?.to ?? null;
  if (failed) {
    const people = await peopleByAddress(env, teamId, failed);
    const rows = (await latestSentTo(env, teamId, people)).filter(
      (r) => r.to !== null && sameAddress(r.to, failed),
    );
    if (rows.length > 0) return { targets: rows.slice(0, 1), how: "recipient" };
  }
  return null;
}

/** A reply or auto-reply: by our ids in In-Reply-To/References, else by the sender's address. */
async function matchAnswer(
  env: Env,
  teamId: string,
  v: Verdict,
  host: string,
): Promise<Pick<Extract<Match, { ok: true }>, "targets" | "how"> | null> {
  const byThread = await sentRowsByIds(
    env,
    ourRowIds([v.inReplyTo, ...v.references], host),
    teamId,
  );
  if (byThread.length > 0) return { targets: byThread.slice(0, 1), how: "thread" };
  const sender = bareAddress(v.from);
  if (!sender) return null;
  const people = await peopleByAddress(env, teamId, sender);
  const rows = await latestSentTo(env, teamId, people);
  return rows.length > 0 ? { targets: rows, how: "sender" } : null;
}

/**
 * Finds whose mail this is (DESIGN.md §1 "Mailboxes, replies and sync"): the reply token,
 * else the thread, else the sender's normalized address against the team's people; a
 * report by the original message, else the failed recipient. Mail to a sync address from
 * the mailbox itself is the recruiter's own, logged on the people it went to.
 */
export async function matchMail(
  env: Env,
  route: Route,
  v: Verdict,
  secret: string,
  host: string,
): Promise<Match> {
  if (route.via === "reply") {
    const rowId = await verifyReplyToken(secret, route.token);
    const [row] = rowId ? await sentRowsByIds(env, [rowId]) : [];
    if (!row)
      return {
        ok: false,
        teamId: null,
        mailbox: null,
        why: "reply token not ours (forged or unknown)",
      };
    const mailbox = row.mailboxId ? await mailboxById(env, row.teamId, row.mailboxId) : null;
    return {
      ok: true,
      teamId: row.teamId,
      mailbox,
      direction: "in",
      targets: [row],
      personIds: [row.personId],
      how: "token",
    };
  }
  if (route.via === "other") {
    return { ok: false, teamId: null, mailbox: null, why: "not a reply or sync address of Beacon" };
  }
  const mailbox = await mailboxBySyncToken(env, route.token);
  if (!mailbox) return { ok: false, teamId: null, mailbox: null, why: "unknown sync address" };
  const teamId = mailbox.teamId;
  const sender = bareAddress(v.from);
  if (sender && sameAddress(sender, mailbox.address) && !isReport(v)) {
    const people = new Set<string>();
    for (const to of v.to) {
      const address = bareAddress(to);
      if (address) for (const id of await peopleByAddress(env, teamId, address)) people.add(id);
    }
    if (people.size === 0) {
      return {
        ok: false,
        teamId,
        mailbox,
        why: "sent by the mailbox to nobody in the team's people",
      };
    }
    return {
      ok: true,
      teamId,
      mailbox,
      direction: "out",
      targets: [],
      personIds: [...people],
      how: "sent_by_user",
    };
  }
  const found = isReport(v)
    ? await matchReport(env, teamId, v, host)
    : await matchAnswer(env, teamId, v, host);
  if (!found)
    return { ok: false, teamId, mailbox, why: "matches no message or person of the team" };
  return {
    ok: true,
    teamId,
    mailbox,
    direction: "in",
    ...found,
    personIds: [...new Set(found.targets.map((t) => t.personId))],
  };
}
