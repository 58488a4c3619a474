import { type AnyColumn, and, eq, max, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { RecentlyEmailedDaysSchema } from "../core/engine/schemas";
import { type Db, schema } from "../db/client";

export { RecentlyEmailedDaysSchema };

/**
 * The enroll collision guard (DESIGN.md §3, ADR 0026): who among the people being enrolled
 * is still going in another campaign of the team, or was emailed by the team lately. Read
 * from D1 (the campaign_member mirror, email_log, campaign), one bound parameter per id list.
 */

/** Prospect statuses that mean "still going through a campaign": Active, Pending, Paused. */
export const STILL_GOING = ["active", "pending", "paused"] as const;
export const DEFAULT_RECENTLY_EMAILED_DAYS = 14;
/** Ids per query: a JSON array bound as one parameter, read with json_each. */
export const CONFLICT_CHUNK = 5_000;
const DAY_MS = 86_400_000;

export const ConflictKindSchema = z.enum(["active_elsewhere", "recently_emailed"]);
export type EnrollConflict = {
  personId: string;
  campaignId: string;
  kind: z.infer<typeof ConflictKindSchema>;
  /** The campaign's owner (still going), or the sending mailbox's user (emailed). */
  by?: string;
  /** When the person was last emailed (ISO); absent for "still going". */
  at?: string;
};

/** The team's "recently emailed" window in days (0 = off). */
export async function recentlyEmailedDays(d: Db, teamId: string): Promise<number> {
  const row = await d
    .select({ days: schema.teamSettings.recentlyEmailedDays })
    .from(schema.teamSettings)
    .where(eq(schema.teamSettings.teamId, teamId))
    .get();
  return row?.days ?? DEFAULT_RECENTLY_EMAILED_DAYS;
}

export async function saveRecentlyEmailedDays(d: Db, teamId: string, days: number) {
  const value = RecentlyEmailedDaysSchema.parse(days);
  await d
    .insert(schema.teamSettings)
    .values({ teamId, recentlyEmailedDays: value, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: schema.teamSettings.teamId,
      set: { recentlyEmailedDays: value, updatedAt: new Date() },
    });
}

/** `column IN (the ids)` with the whole list as one bound JSON parameter (D1 allows 100). */
const inJson = (column: AnyColumn, ids: string[]) =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/**
 * The conflicts of enrolling `personIds` in `campaignId`: still going in another campaign of
 * the team, or emailed by another campaign of the team within `days` before `now`.
 */
export async function enrollConflicts(
  d: Db,
  args: { teamId: string; campaignId: string; personIds: string[]; days: number; now: number },
): Promise<EnrollConflict[]> {
  const out: EnrollConflict[] = [];
  const m = schema.campaignMember;
  const c = schema.campaign;
  const log = schema.emailLog;
  const since = args.now - args.days * DAY_MS;
  const lastSent = max(log.sentAt);
  for (let i = 0; i < args.personIds.length; i += CONFLICT_CHUNK) {
    const part = args.personIds.slice(i, i + CONFLICT_CHUNK);
    // One D1 round trip for the chunk: who is in this campaign already, who is still going
    // elsewhere, who was emailed lately; the first are dropped from the other two after.
    const inThisQuery = d
      .select({ personId: m.personId })
      .from(m)
      .where(and(eq(m.campaignId, args.campaignId), inJson(m.personId, part)));
    const goingQuery = d
      .select({ personId: m.personId, campaignId: m.campaignId, ownerId: c.ownerId })
      .from(m)
      .innerJoin(c, eq(c.id, m.campaignId))
      .where(
        and(
          eq(m.teamId, args.teamId),
          ne(m.campaignId, args.campaignId),
          // Checked on each member found by (team, person), not searched by: with the
          // status in the index's reach, SQLite reads every member of the team still going.
          sql`+${m.status} IN (${sql.join(
            STILL_GOING.map((s) => sql`${s}`),
            sql`, `,
          )})`,
          inJson(m.personId, part),
        ),
      );
    const emailedQuery = d
      .select({
        personId: log.personId,
        campaignId: log.campaignId,
        at: lastSent,
        sender: max(schema.mailbox.userId),
      })
      .from(log)
      .leftJoin(schema.mailbox, eq(schema.mailbox.id, log.mailboxId))
      .where(
        and(
          eq(log.teamId, args.teamId),
          eq(log.channel, "email"),
          ne(log.campaignId, args.campaignId),
          // Checked on each row found by (team, person), not searched by: by sent_at, SQLite
          // would read all the team's mail of the last `days`.
          sql`+${log.sentAt} >= ${since}`,
          inJson(log.personId, part),
        ),
      )
      .groupBy(log.personId, log.campaignId);
    const [inThis, going, emailed] =
      args.days > 0
        ? await d.batch([inThisQuery, goingQuery, emailedQuery])
        : [...(await d.batch([inThisQuery, goingQuery])), []];
    // Someone already in this campaign is refused as such by the campaign, not a conflict.
    const skip = new Set(inThis.map((r) => r.personId));
    for (const r of going) {
      if (skip.has(r.personId)) continue;
      out.push({
        personId: r.personId,
        campaignId: r.campaignId,
        kind: "active_elsewhere",
        ...(r.ownerId ? { by: r.ownerId } : {}),
      });
    }
    for (const r of emailed) {
      if (skip.has(r.personId)) continue;
      out.push({
        personId: r.personId,
        campaignId: r.campaignId,
        kind: "recently_emailed",
        ...(r.sender ? { by: r.sender } : {}),
        ...(r.at !== null ? { at: new Date(r.at).toISOString() } : {}),
      });
    }
  }
  return out;
}
