// What a campaign's references name (its job and job stage, its stages' mailboxes and
// attachments), and which of them are not the team's own: one check for the JSON API and
// the pages, which each say it in their own way.

import { and, eq, inArray } from "drizzle-orm";
import { db, schema } from "../db/client";
import { foreignAttachments } from "../tracking/attachments";

type StageRefs = {
  type: string;
  mailboxId?: string | null;
  attachments?: readonly { id: string }[];
};

export type CampaignReferences = {
  /** The job named, when it is the team's. */
  job: { id: string; title: string } | null;
  /** A job was named and it is not one of the team's. */
  jobMissing: boolean;
  /** A job stage was named that the (team's) job has no stage of that name. */
  stageMissing: boolean;
  /** A job stage was named with no job: a stage is a step of one job's pipeline. */
  stageWithoutJob: boolean;
  /** Indexes of the email stages whose mailbox is not one of the team's, in stage order. */
  foreignMailboxes: number[];
  /** Attachments that are not the team's uploads, by stage and file index. */
  foreignAttachments: { stage: number; file: number }[];
};

/**
 * Reads what the campaign refers to (a query each for job, job stage, mailboxes and
 * attachments). `jobId` and `jobStage` are the pair the campaign will have: an edit that
 * names one of them passes the other as the campaign keeps it.
 */
export async function campaignReferences(
  env: Env,
  teamId: string,
  input: { jobId?: string | null; jobStage?: string | null; stages?: readonly StageRefs[] },
): Promise<CampaignReferences> {
  const d = db(env);
  const stages = input.stages ?? [];
  const boxIds = [
    ...new Set(stages.flatMap((s) => (s.type === "email" && s.mailboxId ? [s.mailboxId] : []))),
  ];
  const [job, stage, boxes, attachments] = await Promise.all([
    input.jobId
      ? d.query.job.findFirst({
          where: and(eq(schema.job.id, input.jobId), eq(schema.job.teamId, teamId)),
          columns: { id: true, title: true },
        })
      : undefined,
    input.jobId && input.jobStage
      ? d.query.jobStage.findFirst({
          where: and(
            eq(schema.jobStage.jobId, input.jobId),
            eq(schema.jobStage.teamId, teamId),
            eq(schema.jobStage.name, input.jobStage),
          ),
          columns: { id: true },
        })
      : undefined,
    boxIds.length === 0
      ? []
      : d
          .select({ id: schema.mailbox.id })
          .from(schema.mailbox)
          .where(and(eq(schema.mailbox.teamId, teamId), inArray(schema.mailbox.id, boxIds))),
    foreignAttachments(env, teamId, stages),
  ]);
  const known = new Set(boxes.map((b) => b.id));
  return {
    job: job ?? null,
    jobMissing: Boolean(input.jobId) && !job,
    stageMissing: Boolean(job && input.jobStage) && !stage,
    stageWithoutJob: Boolean(input.jobStage) && !input.jobId,
    foreignMailboxes: stages.flatMap((s, i) =>
      s.type === "email" && s.mailboxId && !known.has(s.mailboxId) ? [i] : [],
    ),
    foreignAttachments: attachments,
  };
}
