import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { db, schema } from "../db/client";

// The inbound mail log (D1 `inbound_mail`) as the pages read it: a mailbox's sync address,
// a person's mail, a team's unmatched mail, and the pruning of old unmatched mail.

const t = schema.inboundMail;

/** Messages shown per mailbox: enough to find a forwarding confirmation code. */
export const MAILBOX_MAIL_LIMIT = 20;
/** A person's mail on their profile, newest first. */
export const PERSON_MAIL_LIMIT = 50;
/** Unmatched mail on the admins' page, newest first. */
export const UNMATCHED_MAIL_LIMIT = 100;
/** Unmatched mail (and its raw message) is kept this long for diagnosis. */
export const UNMATCHED_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** Rows pruned per housekeeping run; the rest wait for the next run. */
export const PRUNE_BATCH = 500;

const iso = (ms: number) => new Date(ms).toISOString();

/** One message received at a mailbox's sync address. */
export type MailboxMailItem = {
  id: string;
  receivedAt: string;
  from: string;
  subject: string | null;
  kind: string;
  direction: "in" | "out";
  snippet: string | null;
};

export type MailboxMail = {
  /** Whether any mail (a reply or synced mail) has reached Beacon for this mailbox. */
  received: boolean;
  latest: MailboxMailItem[];
};

/**
 * For each of the team's mailboxes: the latest messages received at its sync address
 * (so a user can read the code a mail provider sends to confirm forwarding), and whether
 * any mail at all has arrived for it. One round trip; each query uses the mailbox index.
 */
export async function mailboxMail(
  env: Env,
  teamId: string,
  mailboxIds: string[],
): Promise<Map<string, MailboxMail>> {
  const out = new Map<string, MailboxMail>();
  if (mailboxIds.length === 0) return out;
  const d = db(env);
  const latest = mailboxIds.map((id) =>
    d
      .select({
        id: t.id,
        receivedAt: t.receivedAt,
        fromAddr: t.fromAddr,
        envelopeFrom: t.envelopeFrom,
        subject: t.subject,
        kind: t.kind,
        direction: t.direction,
        snippet: t.snippet,
      })
      .from(t)
      .where(and(eq(t.mailboxId, id), eq(t.teamId, teamId), eq(t.via, "sync")))
      .orderBy(desc(t.receivedAt), desc(t.id))
      .limit(MAILBOX_MAIL_LIMIT),
  );
  const arrived = d
    .select({ mailboxId: schema.mailbox.id })
    .from(schema.mailbox)
    .where(
      and(
        eq(schema.mailbox.teamId, teamId),
        sql`exists (select 1 from ${t} where ${t.mailboxId} = ${schema.mailbox.id})`,
      ),
    );
  const [withMail, ...lists] = await d.batch([arrived, ...latest]);
  const received = new Set(withMail.map((r) => r.mailboxId));
  mailboxIds.forEach((id, i) => {
    out.set(id, {
      received: received.has(id),
      latest: (lists[i] ?? []).map((r) => ({
        id: r.id,
        receivedAt: iso(r.receivedAt),
        from: r.fromAddr ?? r.envelopeFrom,
        subject: r.subject,
        kind: r.kind,
        direction: r.direction,
        snippet: r.snippet,
      })),
    });
  });
  return out;
}

/** One message on a person's profile: theirs to the team, or the team's own (synced) to them. */
export type PersonMailItem = {
  id: string;
  receivedAt: string;
  direction: "in" | "out";
  from: string;
  subject: string | null;
  kind: string;
  snippet: string | null;
  outcome: string;
};

/** The person's mail log (both directions), newest first, bounded. Another team's id: empty. */
export async function personMail(
  env: Env,
  teamId: string,
  personId: string,
): Promise<PersonMailItem[]> {
  const rows = await db(env)
    .select()
    .from(t)
    .where(and(eq(t.teamId, teamId), eq(t.personId, personId)))
    .orderBy(desc(t.receivedAt), desc(t.id))
    .limit(PERSON_MAIL_LIMIT);
  return rows.map((r) => ({
    id: r.id,
    receivedAt: iso(r.receivedAt),
    direction: r.direction,
    from: r.fromAddr ?? r.envelopeFrom,
    subject: r.subject,
    kind: r.kind,
    snippet: r.snippet,
    outcome: r.outcome,
  }));
}

/** Mail that reached a team's address but matched nothing, as an admin diagnoses it. */
export type UnmatchedMailItem = {
  id: string;
  receivedAt: string;
  from: string;
  /** The envelope recipient: one of our addresses. */
  to: string;
  /** The mailbox whose sync address it reached, when it reached one. */
  mailbox: string | null;
  subject: string | null;
  kind: string;
  /** Why nothing was done, in words. */
  why: string;
  /** Whether the raw message is kept (it may not be, if R2 refused it). */
  hasRaw: boolean;
};

const UNMATCHED_PREFIX = /^unmatched:\s*/;
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The team's own unmatched mail, newest first (at most UNMATCHED_MAIL_LIMIT, and `more`
 * when there is older). Mail tied to no team is the platform's and shown to none.
 */
export async function unmatchedMail(
  env: Env,
  teamId: string,
): Promise<{ items: UnmatchedMailItem[]; more: boolean }> {
  const rows = await db(env)
    .select({
      id: t.id,
      receivedAt: t.receivedAt,
      fromAddr: t.fromAddr,
      envelopeFrom: t.envelopeFrom,
      envelopeTo: t.envelopeTo,
      subject: t.subject,
      kind: t.kind,
      outcome: t.outcome,
      rawKey: t.rawKey,
      mailbox: schema.mailbox.address,
    })
    .from(t)
    .leftJoin(
      schema.mailbox,
      and(eq(schema.mailbox.id, t.mailboxId), eq(schema.mailbox.teamId, t.teamId)),
    )
    .where(and(eq(t.teamId, teamId), eq(t.matched, false)))
    .orderBy(desc(t.receivedAt), desc(t.id))
    .limit(UNMATCHED_MAIL_LIMIT + 1);
  return {
    items: rows.slice(0, UNMATCHED_MAIL_LIMIT).map((r) => ({
      id: r.id,
      receivedAt: iso(r.receivedAt),
      from: r.fromAddr ?? r.envelopeFrom,
      to: r.envelopeTo,
      mailbox: r.mailbox,
      subject: r.subject,
      kind: r.kind,
      why: sentence(r.outcome.replace(UNMATCHED_PREFIX, "")),
      hasRaw: r.rawKey !== null,
    })),
    more: rows.length > UNMATCHED_MAIL_LIMIT,
  };
}

/**
 * The raw message of one of the team's unmatched mails, from R2; null when the id is not
 * the team's unmatched mail or the raw message is gone (pruned, or never kept).
 */
export async function unmatchedRaw(
  env: Env,
  teamId: string,
  id: string,
): Promise<{ body: ReadableStream; size: number; receivedAt: number } | null> {
  const [row] = await db(env)
    .select({ rawKey: t.rawKey, receivedAt: t.receivedAt })
    .from(t)
    .where(and(eq(t.id, id), eq(t.teamId, teamId), eq(t.matched, false)))
    .limit(1);
  if (!row?.rawKey) return null;
  const object = await env.MAIL.get(row.rawKey);
  if (!object) return null;
  return { body: object.body, size: object.size, receivedAt: row.receivedAt };
}

/**
 * Housekeeping: deletes unmatched mail older than 30 days (any team's, and mail tied to
 * no team), raw message first, at most `limit` rows a run, oldest first. Idempotent:
 * a run that fails between the two deletes leaves rows whose objects are already gone,
 * and deleting a missing object is not an error.
 */
export async function pruneUnmatchedMail(
  env: Env,
  now: number,
  limit: number = PRUNE_BATCH,
): Promise<{ deleted: number }> {
  const d = db(env);
  const old = await d
    .select({ id: t.id, rawKey: t.rawKey })
    .from(t)
    .where(and(eq(t.matched, false), lt(t.receivedAt, now - UNMATCHED_KEEP_MS)))
    .orderBy(asc(t.receivedAt))
    .limit(limit);
  if (old.length === 0) return { deleted: 0 };
  const keys = old.map((r) => r.rawKey).filter((k): k is string => k !== null);
  if (keys.length > 0) await env.MAIL.delete(keys);
  const ids = JSON.stringify(old.map((r) => r.id));
  await d
    .delete(t)
    .where(and(eq(t.matched, false), inArray(t.id, sql`(select value from json_each(${ids}))`)));
  return { deleted: old.length };
}

/** The housekeeping job's shape (`run(env, now)`) of pruneUnmatchedMail. */
export async function pruneInbound(env: Env, now: number): Promise<void> {
  await pruneUnmatchedMail(env, now);
}
