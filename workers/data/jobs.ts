import { and, asc, desc, eq, inArray, lt, or } from "drizzle-orm";
import { encodeCursor } from "../core/cursor";
import type { Job, JobCursor, JobInput, JobStage } from "../core/jobs";
import { db, schema } from "../db/client";

// job_stage has 5 columns; D1 binds at most 100 parameters per statement.
const STAGE_ROWS_PER_STATEMENT = Math.floor(100 / 5);

/** Creates a job with its stages in one D1 batch (one transaction). */
export async function createJob(env: Env, teamId: string, input: JobInput): Promise<Job> {
  const d = db(env);
  const id = crypto.randomUUID();
  const createdAt = new Date();
  const stages: JobStage[] = input.stages.map((name, position) => ({
    id: crypto.randomUUID(),
    name,
    position,
  }));
  const insertJob = d.insert(schema.job).values({ id, teamId, title: input.title, createdAt });
  const stageInserts = [];
  for (let i = 0; i < stages.length; i += STAGE_ROWS_PER_STATEMENT) {
    const chunk = stages.slice(i, i + STAGE_ROWS_PER_STATEMENT);
    stageInserts.push(
      d.insert(schema.jobStage).values(chunk.map((s) => ({ ...s, teamId, jobId: id }))),
    );
  }
  await d.batch([insertJob, ...stageInserts]);
  return { id, title: input.title, stages, createdAt: createdAt.toISOString() };
}

export type JobPage = { items: Job[]; nextCursor?: string };

/** The team's jobs, newest first, with their stages in order. */
export async function listJobs(
  env: Env,
  teamId: string,
  query: { cursor?: JobCursor; limit: number },
): Promise<JobPage> {
  const d = db(env);
  const after = query.cursor;
  const rows = await d
    .select({ id: schema.job.id, title: schema.job.title, createdAt: schema.job.createdAt })
    .from(schema.job)
    .where(
      and(
        eq(schema.job.teamId, teamId),
        after
          ? or(
              lt(schema.job.createdAt, new Date(after.createdAt)),
              and(eq(schema.job.createdAt, new Date(after.createdAt)), lt(schema.job.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(schema.job.createdAt), desc(schema.job.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const stages =
    page.length === 0
      ? []
      : await d
          .select({
            id: schema.jobStage.id,
            jobId: schema.jobStage.jobId,
            name: schema.jobStage.name,
            position: schema.jobStage.position,
          })
          .from(schema.jobStage)
          .where(
            and(
              eq(schema.jobStage.teamId, teamId),
              inArray(
                schema.jobStage.jobId,
                page.map((j) => j.id),
              ),
            ),
          )
          .orderBy(asc(schema.jobStage.jobId), asc(schema.jobStage.position));
  const byJob = new Map<string, JobStage[]>();
  for (const s of stages) {
    const list = byJob.get(s.jobId) ?? [];
    list.push({ id: s.id, name: s.name, position: s.position });
    byJob.set(s.jobId, list);
  }
  const items = page.map((j) => ({
    id: j.id,
    title: j.title,
    stages: byJob.get(j.id) ?? [],
    createdAt: j.createdAt.toISOString(),
  }));
  const last = page.at(-1);
  return rows.length > query.limit && last
    ? { items, nextCursor: encodeCursor([last.createdAt.getTime(), last.id]) }
    : { items };
}
