import type { ActorRef } from "@workers/campaign/transitions";
import type { CampaignInput } from "@workers/core/engine/schemas";
import { campaignReferences } from "@workers/data/campaign-references";
import { teamCampaign } from "@workers/data/campaign-service";
import { db, schema } from "@workers/db/client";
import { and, asc, desc, eq, inArray } from "drizzle-orm";

/** A signed-in user as the prospect history records them. */
export const userActor = (userId: string): ActorRef => ({ kind: "user", id: userId });

export const notFound = (what = "campaign") =>
  new Response(`No such ${what} in your team.`, { status: 404 });

/** The campaign of the URL when it is the team's (index row + DO stub); else a thrown 404. */
export async function requireTeamCampaign(env: Env, teamId: string, campaignId: string) {
  const campaign = await teamCampaign(env, teamId, campaignId);
  if (!campaign) throw notFound();
  return campaign;
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

/** A campaign's job, job stage, mailboxes and attachments must be the team's own. */
export async function checkCampaignReferences(
  env: Env,
  teamId: string,
  input: Pick<CampaignInput, "jobId" | "jobStage" | "stages">,
): Promise<FieldIssue[]> {
  const refs = await campaignReferences(env, teamId, input);
  const issues: FieldIssue[] = [];
  if (refs.jobMissing) issues.push({ name: "jobId", message: "No job with this id in your team" });
  else if (refs.stageMissing) {
    issues.push({ name: "jobStage", message: `“${refs.job?.title}” has no stage of this name` });
  } else if (refs.stageWithoutJob) {
    issues.push({ name: "jobStage", message: "Choose the job first" });
  }
  for (const i of refs.foreignMailboxes) {
    issues.push({ name: `stages[${i}].mailboxId`, message: "No such mailbox in your team" });
  }
  for (const f of refs.foreignAttachments) {
    issues.push({
      name: `stages[${f.stage}].attachments`,
      message: `Attachment ${f.file + 1} is not one of your team’s files: upload it again`,
    });
  }
  return issues;
}

export {
  createCampaign,
  duplicateCampaign,
  enrollPeople,
  prospectsCsv,
} from "@workers/data/campaign-service";
