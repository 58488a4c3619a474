import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../core/cursor";
import { EmailStatusSchema } from "../core/engine/statuses";
import { displayName, escapeLike } from "../core/people";
import { db, schema } from "../db/client";

// The Email Log as the JSON API (GET /api/v1/email-log) and the Email Log page read it.

/** The Email Log's cursor key: [createdAt ms, id] of the last message of a page. */
const EmailLogCursorSchema = z.tuple([z.number().int(), z.string().min(1)]);

/** The Email Log's filters, for the API's query string and the page's URL alike. */
export const EmailLogQuerySchema = z.object({
  campaignId: z.string().trim().min(1).max(100).optional(),
  personId: z.string().trim().min(1).max(100).optional(),
  status: EmailStatusSchema.optional(),
  /** A name or address to look for among the recipients. */
  person: z.string().trim().min(1).max(200).optional(),
  cursor: cursorParam(EmailLogCursorSchema),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type EmailLogQuery = z.infer<typeof EmailLogQuerySchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An Email Log row of DESIGN.md §3 (with its channel, email or sms). */
export function emailLogRow(r: typeof schema.emailLog.$inferSelect) {
  return {
    id: r.id,
    campaignId: r.campaignId,
    personId: r.personId,
    stageIndex: r.stageIndex,
    stageId: r.stageId,
    channel: r.channel,
    mailboxId: r.mailboxId,
    to: r.to,
    subject: r.subject,
    status: r.status,
    scheduledAt: iso(r.scheduledAt),
    sentAt: iso(r.sentAt),
    messageId: r.messageId,
    providerId: r.providerId,
    reason: r.reason ?? undefined,
    openedAt: iso(r.openedAt) ?? undefined,
    clickedAt: iso(r.clickedAt) ?? undefined,
    downloadedAt: iso(r.downloadedAt) ?? undefined,
    repliedAt: iso(r.repliedAt) ?? undefined,
  };
}
export type EmailLogRow = ReturnType<typeof emailLogRow>;

/** A row with the names a reader looks for (null once the person or campaign is gone). */
export type EmailLogItem = EmailLogRow & { personName: string | null; campaignName: string | null };
export type EmailLogPage = { items: EmailLogItem[]; nextCursor?: string };

/** One page of the team's Email Log, newest first (keyset on created_at, id). */
export async function listEmailLog(
  env: Env,
  teamId: string,
  q: EmailLogQuery,
): Promise<EmailLogPage> {
  const t = schema.emailLog;
  const p = schema.person;
  const where: SQL[] = [eq(t.teamId, teamId)];
  if (q.campaignId) where.push(eq(t.campaignId, q.campaignId));
  if (q.personId) where.push(eq(t.personId, q.personId));
  if (q.status) where.push(eq(t.status, q.status));
  if (q.person) {
    const pattern = `%${escapeLike(q.person.toLowerCase())}%`;
    const match = or(
      sql`${p.searchText} like ${pattern} escape '\\'`,
      sql`lower(${t.to}) like ${pattern} escape '\\'`,
    );
    if (match) where.push(match);
  }
  if (q.cursor) {
    const [createdAt, id] = q.cursor;
    const keyset = or(lt(t.createdAt, createdAt), and(eq(t.createdAt, createdAt), lt(t.id, id)));
    if (keyset) where.push(keyset);
  }
  const rows = await db(env)
    .select({
      log: t,
      firstName: p.firstName,
      lastName: p.lastName,
      campaignName: schema.campaign.name,
    })
    .from(t)
    .leftJoin(p, and(eq(p.id, t.personId), eq(p.teamId, t.teamId)))
    .leftJoin(schema.campaign, eq(schema.campaign.id, t.campaignId))
    .where(and(...where))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const items = page.map((r) => ({
    ...emailLogRow(r.log),
    personName:
      r.firstName === null ? null : displayName({ firstName: r.firstName, lastName: r.lastName }),
    campaignName: r.campaignName,
  }));
  const last = page.at(-1);
  return rows.length > q.limit && last
    ? { items, nextCursor: encodeCursor([last.log.createdAt, last.log.id]) }
    : { items };
}

/** A message of the team's Email Log by id; another team's id is null (a 404). */
export async function findTeamMessage(env: Env, teamId: string, messageId: string) {
  const row = await db(env).query.emailLog.findFirst({
    where: and(eq(schema.emailLog.id, messageId), eq(schema.emailLog.teamId, teamId)),
  });
  return row ?? null;
}

/** The name of a person the log is filtered to, when they are the team's ("messages to Ann Lee"). */
export async function personName(env: Env, teamId: string, personId: string) {
  const row = await db(env).query.person.findFirst({
    where: and(eq(schema.person.id, personId), eq(schema.person.teamId, teamId)),
    columns: { firstName: true, lastName: true },
  });
  return row ? displayName(row) : null;
}
