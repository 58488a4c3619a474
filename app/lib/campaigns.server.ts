import type { ActorRef } from "@workers/campaign/transitions";
import { prospectsToCsv } from "@workers/core/engine/csv";
import type { CampaignInput, ProspectFilter } from "@workers/core/engine/schemas";
import { ReasonSchema, StatusSchema } from "@workers/core/engine/statuses";
import {
  activeElsewhere,
  campaignStub,
  findCampaign,
  peopleForEnrollment,
  suppressedPeople,
} from "@workers/data/campaigns";
import { db, schema } from "@workers/db/client";
import { and, asc, desc, eq, inArray } from "drizzle-orm";

/** A signed-in user as the prospect history records them. */
export const userActor = (userId: string): ActorRef => ({ kind: "user", id: userId });

export const notFound = (what = "campaign") =>
  new Response(`No such ${what} in your team.`, { status: 404 });

/** The campaign of the URL when it is the team's (index row + DO stub); else a thrown 404. */
export async function requireTeamCampaign(env: Env, teamId: string, campaignId: string) {
  const row = await findCampaign(db(env), teamId, campaignId);
  if (!row) throw notFound();
  return { row, stub: await campaignStub(env, row.id) };
}

/** Which of these people the campaign's mirror lists already (to mark them in a search). */
export async function enrolledAmong(env: Env, campaignId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db(env)
    .select({ personId: schema.campaignMember.personId })
    .from(schema.campaignMember)
    .where(
      and(
        eq(schema.campaignMember.campaignId, campaignId),
        inArray(schema.campaignMember.personId, ids.slice(0, 90)),
      ),
    );
  return new Set(rows.map((r) => r.personId));
}

const MAX_JOBS = 500;

/** The team's jobs with their stage names, newest first (the campaign filters and form). */
export async function teamJobs(env: Env, teamId: string) {
  const d = db(env);
  const jobs = await d
    .select({ id: schema.job.id, title: schema.job.title })
    .from(schema.job)
    .where(eq(schema.job.teamId, teamId))
    .orderBy(desc(schema.job.createdAt))
    .limit(MAX_JOBS);
  const stages = await d
    .select({ jobId: schema.jobStage.jobId, name: schema.jobStage.name })
    .from(schema.jobStage)
    .where(eq(schema.jobStage.teamId, teamId))
    .orderBy(asc(schema.jobStage.jobId), asc(schema.jobStage.position));
  const byJob = new Map<string, string[]>();
  for (const s of stages) byJob.set(s.jobId, [...(byJob.get(s.jobId) ?? []), s.name]);
  return jobs.map((j) => ({ ...j, stages: byJob.get(j.id) ?? [] }));
}

/** The team's campaigns by name (selects for filters, "Add to", "Move to"). */
export async function teamCampaignNames(env: Env, teamId: string) {
  return db(env)
    .select({ id: schema.campaign.id, name: schema.campaign.name, status: schema.campaign.status })
    .from(schema.campaign)
    .where(eq(schema.campaign.teamId, teamId))
    .orderBy(asc(schema.campaign.name))
    .limit(1_000);
}

type FieldIssue = { name: string; message: string };

/** A campaign's job, job stage and mailboxes must be the team's own. */
export async function checkCampaignReferences(
  env: Env,
  teamId: string,
  input: Pick<CampaignInput, "jobId" | "jobStage" | "stages">,
): Promise<FieldIssue[]> {
  const d = db(env);
  const issues: FieldIssue[] = [];
  if (input.jobId) {
    const job = await d.query.job.findFirst({
      where: and(eq(schema.job.id, input.jobId), eq(schema.job.teamId, teamId)),
    });
    if (!job) issues.push({ name: "jobId", message: "No job with this id in your team" });
    else if (input.jobStage) {
      const stage = await d.query.jobStage.findFirst({
        where: and(eq(schema.jobStage.jobId, job.id), eq(schema.jobStage.name, input.jobStage)),
      });
      if (!stage) {
        issues.push({ name: "jobStage", message: `“${job.title}” has no stage of this name` });
      }
    }
  }
  const boxIds = [
    ...new Set(
      input.stages.flatMap((s) => (s.type === "email" && s.mailboxId ? [s.mailboxId] : [])),
    ),
  ];
  const known = new Set(
    boxIds.length === 0
      ? []
      : (
          await d
            .select({ id: schema.mailbox.id })
            .from(schema.mailbox)
            .where(and(eq(schema.mailbox.teamId, teamId), inArray(schema.mailbox.id, boxIds)))
        ).map((m) => m.id),
  );
  for (const [i, s] of input.stages.entries()) {
    if (s.type === "email" && s.mailboxId && !known.has(s.mailboxId)) {
      issues.push({ name: `stages[${i}].mailboxId`, message: "No such mailbox in your team" });
    }
  }
  return issues;
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
  source: Awaited<ReturnType<typeof requireTeamCampaign>>["stub"],
) {
  const def = await source.definition();
  if (!def) throw notFound();
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
    status: "draft",
    stages: def.stages.map(({ id: _id, ...s }) => s),
  });
}

/**
 * Enrolls the team's people (as POST /api/v1/campaigns/:id/prospects): other teams' ids
 * are refused as not found, unsubscribed people as unsubscribed; people Active in another
 * campaign are enrolled and reported. Also returns the names, for the summary.
 */
export async function enrollPeople(
  env: Env,
  teamId: string,
  campaign: Awaited<ReturnType<typeof requireTeamCampaign>>,
  personIds: string[],
  actor: ActorRef,
) {
  const d = db(env);
  const people = await peopleForEnrollment(d, teamId, personIds);
  const suppressed = await suppressedPeople(d, teamId, [...people.keys()]);
  const refused: { personId: string; reason: string }[] = [];
  const eligible = [];
  for (const id of personIds) {
    const person = people.get(id);
    if (!person) refused.push({ personId: id, reason: "not_found" });
    else if (suppressed.has(id)) refused.push({ personId: id, reason: "unsubscribed" });
    else eligible.push(person);
  }
  const conflicts =
    eligible.length === 0
      ? []
      : await activeElsewhere(
          d,
          teamId,
          campaign.row.id,
          eligible.map((p) => p.personId),
        );
  const result =
    eligible.length === 0
      ? { enrolled: [], refused: [] }
      : await campaign.stub.enroll(eligible, actor);
  const enrolled = new Set(result.enrolled);
  return {
    enrolled: result.enrolled.length,
    refused: [...refused, ...result.refused],
    conflicts: conflicts.filter((c) => enrolled.has(c.personId)),
    names: new Map([...people.values()].map((p) => [p.personId, p.name])),
  };
}

async function firstEmails(env: Env, teamId: string, ids: string[]) {
  const out = new Map<string, string>();
  const d = db(env);
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await d
      .select({ personId: schema.personEmail.personId, address: schema.personEmail.address })
      .from(schema.personEmail)
      .where(
        and(
          eq(schema.personEmail.teamId, teamId),
          inArray(schema.personEmail.personId, ids.slice(i, i + 90)),
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
  campaign: Awaited<ReturnType<typeof requireTeamCampaign>>,
  filter: ProspectFilter,
  ids: string[] | null,
) {
  const all = await campaign.stub.exportRows(filter);
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
