import { and } from "drizzle-orm";
import { loadTeamTimeZone } from "../campaign/data";
import type { PageKey } from "../campaign/store";
import type { ActorRef } from "../campaign/transitions";
import { prospectsToCsv } from "../core/engine/csv";
import type { CampaignInput, ProspectFilter } from "../core/engine/schemas";
import { ReasonSchema, StatusSchema } from "../core/engine/statuses";
import { db, schema } from "../db/client";
import { inJsonChunk, jsonIdChunks, onlyChecks, wellFormedIds } from "../db/json-ids";
import { campaignStub, findCampaign, peopleForEnrollment, suppressedPeople } from "./campaigns";
import { enrollConflicts, recentlyEmailedDays } from "./enroll-conflicts";

/**
 * What the JSON API and the pages both do with campaigns: one implementation, so a page
 * and an API call can never disagree.
 */

/** A team's campaign: its D1 index row and its Durable Object. */
export type TeamCampaign = {
  row: NonNullable<Awaited<ReturnType<typeof findCampaign>>>;
  stub: Awaited<ReturnType<typeof campaignStub>>;
};

/** The team's campaign, or null (another team's id is not found). */
export async function teamCampaign(
  env: Env,
  teamId: string,
  campaignId: string,
): Promise<TeamCampaign | null> {
  const row = await findCampaign(db(env), teamId, campaignId);
  return row ? { row, stub: await campaignStub(env, row.id) } : null;
}

/** Creates a campaign in its own Durable Object (which mirrors its index row to D1). */
export async function createCampaign(
  env: Env,
  actor: { teamId: string; userId: string },
  input: CampaignInput,
) {
  const id = crypto.randomUUID();
  const stub = await campaignStub(env, id);
  return stub.create({ id, teamId: actor.teamId, ownerId: actor.userId, input });
}

/** A draft copy of a campaign, owned by whoever duplicated it (as the API's duplicate). */
export async function duplicateCampaign(
  env: Env,
  actor: { teamId: string; userId: string },
  source: TeamCampaign["stub"],
) {
  const def = await source.definition();
  if (!def) return null;
  return createCampaign(env, actor, {
    name: `Copy of ${def.name}`.slice(0, 120),
    shared: def.shared,
    jobId: def.jobId,
    jobStage: def.jobStage,
    businessDaysOnly: def.businessDaysOnly,
    sendingWindow: def.sendingWindow,
    trackOpens: def.trackOpens,
    trackClicks: def.trackClicks,
    unsubscribeLink: def.unsubscribeLink,
    stopCompanyOnReply: def.stopCompanyOnReply,
    status: "draft",
    stages: def.stages.map(({ id: _id, ...s }) => s),
  });
}

/**
 * Enrolls the team's people (as POST /api/v1/campaigns/:id/prospects): other teams' ids
 * are refused as not found, unsubscribed people as unsubscribed; people with a conflict
 * (still going elsewhere, emailed lately: enroll-conflicts.ts) are left out and reported,
 * unless `force`. Also returns the names, for the summary.
 */
export async function enrollPeople(
  env: Env,
  teamId: string,
  campaign: TeamCampaign,
  personIds: string[],
  actor: ActorRef,
  options: { force?: boolean } = {},
) {
  const d = db(env);
  // Independent reads, in flight together: the people, their suppressions, the team's time
  // zone, and the conflicts of every listed id (after the team's recentlyEmailedDays). The
  // conflicts of people refused below are dropped: one D1 wait less than asking after.
  const asked = wellFormedIds(personIds);
  const [people, suppressed, teamTz, allConflicts] = await Promise.all([
    peopleForEnrollment(d, teamId, personIds),
    suppressedPeople(d, teamId, personIds),
    loadTeamTimeZone(env.DB, teamId),
    asked.length === 0
      ? []
      : recentlyEmailedDays(d, teamId).then((days) =>
          enrollConflicts(d, {
            teamId,
            campaignId: campaign.row.id,
            personIds: asked,
            days,
            now: Date.now(),
          }),
        ),
  ]);
  const refused: { personId: string; reason: string }[] = [];
  const eligible = [];
  for (const id of personIds) {
    const person = people.get(id);
    if (!person) refused.push({ personId: id, reason: "not_found" });
    else if (suppressed.has(id)) refused.push({ personId: id, reason: "unsubscribed" });
    else eligible.push(person);
  }
  const eligibleIds = new Set(eligible.map((p) => p.personId));
  const conflicts = allConflicts.filter((c) => eligibleIds.has(c.personId));
  const held = new Set(options.force ? [] : conflicts.map((c) => c.personId));
  const going = eligible.filter((p) => !held.has(p.personId));
  const result =
    going.length === 0
      ? { enrolled: [], refused: [] }
      : await campaign.stub.enroll(going, actor, teamTz);
  // Someone already in this campaign is refused as such, not reported as a conflict.
  const already = new Set(result.refused.map((r) => r.personId));
  return {
    enrolled: result.enrolled.length,
    enrolledIds: result.enrolled,
    refused: [...refused, ...result.refused],
    conflicts: conflicts.filter((c) => !already.has(c.personId)),
    names: new Map([...people.values()].map((p) => [p.personId, p.name])),
  };
}

async function firstEmails(env: Env, teamId: string, ids: string[]) {
  const out = new Map<string, string>();
  const d = db(env);
  // One query per 1.5 MB of ids bound as JSON (json-ids.ts), not one per 90.
  for (const part of jsonIdChunks(ids, "person id")) {
    const rows = await d
      .select({ personId: schema.personEmail.personId, address: schema.personEmail.address })
      .from(schema.personEmail)
      .where(
        and(
          onlyChecks(schema.personEmail.teamId, teamId),
          inJsonChunk(schema.personEmail.personId, part),
        ),
      )
      .orderBy(schema.personEmail.position);
    for (const r of rows) if (!out.has(r.personId)) out.set(r.personId, r.address);
  }
  return out;
}

/** The Prospects export as CSV: the filter's prospects, or only `ids` among them. */
export async function prospectsCsv(
  env: Env,
  teamId: string,
  campaign: TeamCampaign,
  filter: ProspectFilter,
  ids: string[] | null,
) {
  // A page per call, so no RPC answer carries the whole campaign.
  const all: Awaited<ReturnType<typeof campaign.stub.exportPage>>["rows"] = [];
  let after: PageKey | null = null;
  do {
    const page: { rows: typeof all; next: PageKey | null } = await campaign.stub.exportPage(
      filter,
      after,
    );
    all.push(...page.rows);
    after = page.next;
  } while (after !== null);
  const wanted = ids ? new Set(ids) : null;
  const rows = wanted ? all.filter((r) => wanted.has(r.personId)) : all;
  const emails = await firstEmails(
    env,
    teamId,
    rows.map((r) => r.personId),
  );
  const csv = prospectsToCsv(
    rows.map((r) => ({
      personId: r.personId,
      name: r.name,
      email: emails.get(r.personId) ?? null,
      status: StatusSchema.parse(r.status),
      reason: r.reason ? ReasonSchema.parse(r.reason) : null,
      reasonDetail: r.reasonDetail,
      stageIndex: r.stageIndex,
      stageCount: campaign.row.stageCount,
      nextAt: r.nextAt ? Date.parse(r.nextAt) : null,
      updatedAt: r.updatedAt ? Date.parse(r.updatedAt) : 0,
    })),
    { bom: true },
  );
  const name = campaign.row.name.replace(/[^A-Za-z0-9 _-]+/g, "").trim() || "campaign";
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name} prospects.csv"`,
    },
  });
}
