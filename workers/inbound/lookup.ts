import { and, eq, inArray, sql } from "drizzle-orm";
import { normalizeEmail } from "../core/people";
import { db, schema } from "../db/client";

/** One of our messages, as the Email Log mirror in D1 knows it. */
export type SentRow = {
  id: string;
  teamId: string;
  campaignId: string;
  personId: string;
  stageId: string;
  mailboxId: string | null;
  to: string | null;
};

const sentColumns = {
  id: schema.emailLog.id,
  teamId: schema.emailLog.teamId,
  campaignId: schema.emailLog.campaignId,
  personId: schema.emailLog.personId,
  stageId: schema.emailLog.stageId,
  mailboxId: schema.emailLog.mailboxId,
  to: schema.emailLog.to,
};

/** Our messages by row id (a reply token, or our ids in References), optionally within a team. */
export async function sentRowsByIds(env: Env, ids: string[], teamId?: string): Promise<SentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db(env)
    .select(sentColumns)
    .from(schema.emailLog)
    .where(
      and(
        inArray(schema.emailLog.id, ids.slice(0, 50)),
        teamId ? eq(schema.emailLog.teamId, teamId) : undefined,
      ),
    );
  // In the order asked: the newest reference first.
  return ids.flatMap((id) => rows.filter((r) => r.id === id));
}

/** Our messages by the Message-ID they went out with (a report quotes the original's). */
export async function sentRowsByMessageIds(
  env: Env,
  teamId: string,
  messageIds: string[],
): Promise<SentRow[]> {
  if (messageIds.length === 0) return [];
  return db(env)
    .select(sentColumns)
    .from(schema.emailLog)
    .where(
      and(
        eq(schema.emailLog.teamId, teamId),
        inArray(schema.emailLog.messageId, messageIds.slice(0, 50)),
      ),
    );
}

/** The team's people with this address, however it is written (case, Gmail dots, +tags). */
export async function peopleByAddress(
  env: Env,
  teamId: string,
  address: string,
): Promise<string[]> {
  const rows = await db(env)
    .selectDistinct({ personId: schema.personEmail.personId })
    .from(schema.personEmail)
    .where(
      and(
        eq(schema.personEmail.teamId, teamId),
        eq(schema.personEmail.normalized, normalizeEmail(address)),
      ),
    );
  return rows.map((r) => r.personId);
}

/** Per campaign that emailed these people, its latest message actually sent to each. */
export async function latestSentTo(
  env: Env,
  teamId: string,
  personIds: string[],
): Promise<SentRow[]> {
  if (personIds.length === 0) return [];
  const rows = await db(env)
    .select(sentColumns)
    .from(schema.emailLog)
    .where(
      and(
        eq(schema.emailLog.teamId, teamId),
        inArray(schema.emailLog.personId, personIds.slice(0, 50)),
        eq(schema.emailLog.channel, "email"),
        // Checked on each row found by (team, person), not searched by: by sent_at, SQLite
        // would read the team's whole sent mail, newest first, for each reply.
        sql`+${schema.emailLog.sentAt} is not null`,
      ),
    )
    // Sorted after the search (+), not read in the team's sent_at order.
    .orderBy(sql`+${schema.emailLog.sentAt} desc`)
    .limit(200);
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.campaignId}:${r.personId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type MailboxRef = { id: string; teamId: string; address: string; name: string };

const mailboxColumns = {
  id: schema.mailbox.id,
  teamId: schema.mailbox.teamId,
  address: schema.mailbox.address,
  name: schema.mailbox.name,
};

export async function mailboxBySyncToken(env: Env, token: string): Promise<MailboxRef | null> {
  const [row] = await db(env)
    .select(mailboxColumns)
    .from(schema.mailbox)
    .where(eq(schema.mailbox.syncToken, token))
    .limit(1);
  return row ?? null;
}

export async function mailboxById(
  env: Env,
  teamId: string,
  id: string,
): Promise<MailboxRef | null> {
  const [row] = await db(env)
    .select(mailboxColumns)
    .from(schema.mailbox)
    .where(and(eq(schema.mailbox.teamId, teamId), eq(schema.mailbox.id, id)))
    .limit(1);
  return row ?? null;
}

/** The team's time zone and how long an out-of-office without a date pauses. */
export async function teamMailSettings(env: Env, teamId: string) {
  const [row] = await db(env)
    .select({
      timeZone: schema.teamSettings.timeZone,
      outOfOfficeDays: schema.teamSettings.outOfOfficeDays,
    })
    .from(schema.teamSettings)
    .where(eq(schema.teamSettings.teamId, teamId))
    .limit(1);
  return { timeZone: row?.timeZone ?? "UTC", outOfOfficeDays: row?.outOfOfficeDays ?? 7 };
}

/** The people of a campaign with an address at a company domain (for stop-company-on-reply). */
export async function colleaguesIn(
  env: Env,
  teamId: string,
  campaignId: string,
  domain: string,
): Promise<string[]> {
  const escaped = domain.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db(env)
    .selectDistinct({ personId: schema.campaignMember.personId })
    .from(schema.campaignMember)
    .innerJoin(
      schema.personEmail,
      and(
        eq(schema.personEmail.teamId, schema.campaignMember.teamId),
        eq(schema.personEmail.personId, schema.campaignMember.personId),
      ),
    )
    .where(
      and(
        eq(schema.campaignMember.teamId, teamId),
        eq(schema.campaignMember.campaignId, campaignId),
        sql`${schema.personEmail.normalized} LIKE ${`%@${escaped}`} ESCAPE '\\'`,
      ),
    )
    .limit(1_000);
  return rows.map((r) => r.personId);
}

/** Addresses go on the team's suppression list (a hard bounce, a complaint). */
export async function suppressAddresses(
  env: Env,
  teamId: string,
  personId: string | null,
  addresses: string[],
  reason: string,
  at: number,
) {
  const rows = [...new Set(addresses.map(normalizeEmail))].map((normalized) => ({
    teamId,
    normalized,
    personId,
    reason,
    createdAt: at,
  }));
  if (rows.length > 0) await db(env).insert(schema.suppression).values(rows).onConflictDoNothing();
}
