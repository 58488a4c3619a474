import { and, asc, desc, eq, type SQL } from "drizzle-orm";
import { getServerByName } from "partyserver";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../core/cursor";
import { CampaignStatusSchema } from "../core/engine/schemas";
import { ReasonSchema, reasonLabel } from "../core/engine/statuses";
import { type Db, db, schema } from "../db/client";
import { inJsonChunk, jsonIdChunks, onlyChecks, wellFormedIds } from "../db/json-ids";
import { deletePerson } from "./people";

/** The Campaign DO of an id (partyserver's stub waits for the DO to be set up). */
export function campaignStub(env: Env, campaignId: string) {
  return getServerByName(env.Campaign, campaignId);
}

export function accountStub(env: Env, teamId: string) {
  return getServerByName(env.Account, teamId);
}

/** The campaign's index row when it belongs to the team; another team's id → null (404). */
export async function findCampaign(d: Db, teamId: string, campaignId: string) {
  const row = await d.query.campaign.findFirst({
    where: and(eq(schema.campaign.id, campaignId), eq(schema.campaign.teamId, teamId)),
  });
  return row ?? null;
}

const bool = z
  .enum(["true", "false", "1", "0"], { error: "Use true or false" })
  .transform((v) => v === "true" || v === "1");

/** The campaign list's cursor key: [offset] (it sorts by columns that change, so no keyset). */
const CampaignCursorSchema = z.tuple([z.number().int().nonnegative()]).transform(([n]) => n);

export const CampaignListQuerySchema = z.object({
  owner: z.string().min(1).optional(),
  status: CampaignStatusSchema.optional(),
  shared: bool.optional(),
  job: z.string().min(1).optional(),
  jobStage: z.string().min(1).optional(),
  sort: z
    .enum(["created", "status", "name", "prospects", "stages"], {
      error: "sort is created, status, name, prospects or stages",
    })
    .default("created"),
  order: z.enum(["asc", "desc"], { error: "order is asc or desc" }).optional(),
  cursor: cursorParam(CampaignCursorSchema),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type CampaignListQuery = z.infer<typeof CampaignListQuerySchema>;

/** The Outreach tab: the team's campaigns, filtered and sorted (offset cursor). */
export async function listCampaigns(d: Db, teamId: string, q: CampaignListQuery) {
  const c = schema.campaign;
  const where: SQL[] = [eq(c.teamId, teamId)];
  if (q.owner) where.push(eq(c.ownerId, q.owner));
  if (q.status) where.push(eq(c.status, q.status));
  if (q.shared !== undefined) where.push(eq(c.shared, q.shared));
  if (q.job) where.push(eq(c.jobId, q.job));
  if (q.jobStage) where.push(eq(c.jobStage, q.jobStage));
  const column = {
    created: c.createdAt,
    status: c.status,
    name: c.name,
    prospects: c.prospectCount,
    stages: c.stageCount,
  }[q.sort];
  const defaultDesc = q.sort === "created" || q.sort === "prospects" || q.sort === "stages";
  const dir = (q.order ?? (defaultDesc ? "desc" : "asc")) === "desc" ? desc : asc;
  const offset = q.cursor ?? 0;
  const rows = await d
    .select()
    .from(c)
    .where(and(...where))
    .orderBy(dir(column), asc(c.id))
    .limit(q.limit + 1)
    .offset(offset);
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(indexRow),
    nextCursor: rows.length > q.limit ? encodeCursor([offset + q.limit]) : undefined,
  };
}

export function indexRow(r: typeof schema.campaign.$inferSelect) {
  return {
    id: r.id,
    name: r.name,
    ownerId: r.ownerId,
    status: r.status,
    shared: r.shared,
    jobId: r.jobId,
    jobStage: r.jobStage,
    stageCount: r.stageCount,
    prospectCount: r.prospectCount,
    statusCounts: z.record(z.string(), z.number()).catch({}).parse(safeJson(r.statusCounts)),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The team's people among the ids (name and time zone for enrollment); chunked for D1. */
export async function peopleForEnrollment(d: Db, teamId: string, ids: string[]) {
  const out = new Map<string, { personId: string; name: string; timeZone: string | null }>();
  // One query per 1.5 MB of ids (json-ids.ts); a malformed id names nobody: not_found.
  for (const part of jsonIdChunks(wellFormedIds(ids))) {
    const rows = await d
      .select({
        id: schema.person.id,
        firstName: schema.person.firstName,
        lastName: schema.person.lastName,
        timeZone: schema.person.timeZone,
      })
      .from(schema.person)
      .where(and(onlyChecks(schema.person.teamId, teamId), inJsonChunk(schema.person.id, part)));
    for (const r of rows) {
      out.set(r.id, {
        personId: r.id,
        name: [r.firstName, r.lastName].filter(Boolean).join(" "),
        timeZone: r.timeZone,
      });
    }
  }
  return out;
}

/** People the team must never contact again: suppressed by id or by any of their addresses. */
export async function suppressedPeople(d: Db, teamId: string, ids: string[]) {
  const out = new Set<string>();
  for (const part of jsonIdChunks(wellFormedIds(ids))) {
    const byPerson = await d
      .select({ personId: schema.suppression.personId })
      .from(schema.suppression)
      .where(
        and(eq(schema.suppression.teamId, teamId), inJsonChunk(schema.suppression.personId, part)),
      );
    for (const r of byPerson) if (r.personId) out.add(r.personId);
    const byAddress = await d
      .select({ personId: schema.personEmail.personId })
      .from(schema.personEmail)
      .innerJoin(
        schema.suppression,
        and(
          eq(schema.suppression.teamId, schema.personEmail.teamId),
          eq(schema.suppression.normalized, schema.personEmail.normalized),
        ),
      )
      .where(
        and(
          onlyChecks(schema.personEmail.teamId, teamId),
          inJsonChunk(schema.personEmail.personId, part),
        ),
      );
    for (const r of byAddress) out.add(r.personId);
  }
  return out;
}

/** The campaigns a person is in (the profile's Outreach section). */
export async function membershipsOf(d: Db, teamId: string, personId: string) {
  return d
    .select({
      campaignId: schema.campaignMember.campaignId,
      name: schema.campaign.name,
      status: schema.campaignMember.status,
      reason: schema.campaignMember.reason,
      stageIndex: schema.campaignMember.stageIndex,
      stageId: schema.campaignMember.stageId,
      nextAt: schema.campaignMember.nextAt,
      stageCount: schema.campaign.stageCount,
    })
    .from(schema.campaignMember)
    .innerJoin(schema.campaign, eq(schema.campaign.id, schema.campaignMember.campaignId))
    .where(
      and(eq(schema.campaignMember.teamId, teamId), eq(schema.campaignMember.personId, personId)),
    )
    .orderBy(desc(schema.campaignMember.updatedAt));
}

/** The `outreach` of a person in the API: their campaigns with status, reason and stage. */
export async function outreachOf(d: Db, teamId: string, personId: string) {
  const rows = await membershipsOf(d, teamId, personId);
  return rows.map((r) => {
    const reason = ReasonSchema.safeParse(r.reason);
    return {
      campaignId: r.campaignId,
      campaignName: r.name,
      status: r.status,
      reason: reason.success ? reason.data : undefined,
      reasonLabel: reason.success ? reasonLabel(reason.data) : undefined,
      stageIndex: r.stageIndex,
      stageId: r.stageId,
      stageCount: r.stageCount,
      nextAt: r.nextAt === null ? undefined : new Date(r.nextAt).toISOString(),
    };
  });
}

/**
 * Deletes a person of the team and removes them from every campaign (the Email Log keeps
 * what was sent). False when the team has no such person.
 */
export async function deletePersonEverywhere(env: Env, teamId: string, personId: string) {
  const d = db(env);
  if (!(await deletePerson(d, teamId, personId))) return false;
  for (const r of await membershipsOf(d, teamId, personId)) {
    await (await campaignStub(env, r.campaignId)).removePeople([personId]);
  }
  return true;
}
