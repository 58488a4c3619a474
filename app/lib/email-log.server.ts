import { EmailStatusSchema } from "@workers/core/engine/statuses";
import { escapeLike } from "@workers/core/people";
import { campaignStub } from "@workers/data/campaigns";
import { db, schema } from "@workers/db/client";
import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { userActor } from "./campaigns.server";

export const PAGE_SIZE = 50;

export const EmailLogQuerySchema = z.object({
  campaignId: z.string().trim().min(1).max(100).optional(),
  status: EmailStatusSchema.optional(),
  personId: z.string().trim().min(1).max(100).optional(),
  /** A name or address to look for among the recipients. */
  person: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(300).optional(),
});
export type EmailLogQuery = z.infer<typeof EmailLogQuerySchema>;

const Cursor = z.tuple([z.number(), z.string()]);

function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const parsed = Cursor.safeParse(JSON.parse(atob(cursor)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One page of the team's Email Log, newest first, with person and campaign names. */
export async function listEmailLog(env: Env, teamId: string, q: EmailLogQuery) {
  const t = schema.emailLog;
  const p = schema.person;
  const where: SQL[] = [eq(t.teamId, teamId)];
  if (q.campaignId) where.push(eq(t.campaignId, q.campaignId));
  if (q.status) where.push(eq(t.status, q.status));
  if (q.personId) where.push(eq(t.personId, q.personId));
  if (q.person) {
    const pattern = `%${escapeLike(q.person.toLowerCase())}%`;
    const match = or(
      sql`${p.searchText} like ${pattern} escape '\\'`,
      sql`lower(${t.to}) like ${pattern} escape '\\'`,
    );
    if (match) where.push(match);
  }
  const after = decodeCursor(q.cursor);
  if (after) {
    const keyset = or(
      lt(t.createdAt, after[0]),
      and(eq(t.createdAt, after[0]), lt(t.id, after[1])),
    );
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
    .limit(PAGE_SIZE + 1);
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.log.id,
      campaignId: r.log.campaignId,
      campaignName: r.campaignName,
      personId: r.log.personId,
      personName: r.firstName ? [r.firstName, r.lastName].filter(Boolean).join(" ") : null,
      channel: r.log.channel,
      to: r.log.to,
      subject: r.log.subject,
      status: r.log.status,
      reason: r.log.reason,
      scheduledAt: iso(r.log.scheduledAt),
      sentAt: iso(r.log.sentAt),
      openedAt: iso(r.log.openedAt),
      repliedAt: iso(r.log.repliedAt),
    })),
    nextCursor:
      rows.length > PAGE_SIZE && last
        ? btoa(JSON.stringify([last.log.createdAt, last.log.id]))
        : undefined,
    badCursor: Boolean(q.cursor) && !after,
  };
}

/** The person a filter names, when they are the team's (for "messages to Ann Lee"). */
export async function personName(env: Env, teamId: string, personId: string) {
  const row = await db(env).query.person.findFirst({
    where: and(eq(schema.person.id, personId), eq(schema.person.teamId, teamId)),
    columns: { firstName: true, lastName: true },
  });
  return row ? [row.firstName, row.lastName].filter(Boolean).join(" ") : null;
}

/**
 * The red X and Retry of a message: through the message's own Campaign DO, which answers
 * 409 with the reason when the message cannot be canceled (already sending, not Waiting)
 * or the prospect cannot be retried. Another team's message id is a thrown 404.
 */
export async function messageAction(
  env: Env,
  actor: { teamId: string; userId: string },
  input: { messageId: string; intent: "cancel" | "retry"; bypassValidation: boolean },
) {
  const row = await db(env).query.emailLog.findFirst({
    where: and(eq(schema.emailLog.id, input.messageId), eq(schema.emailLog.teamId, actor.teamId)),
  });
  if (!row) throw new Response("No such message in your team's Email Log.", { status: 404 });
  const stub = await campaignStub(env, row.campaignId);
  const by = userActor(actor.userId);
  const result =
    input.intent === "cancel"
      ? await stub.cancelMessage(row.id, by)
      : await stub.retryMessage(row.id, input.bypassValidation, by);
  return { row, result };
}
