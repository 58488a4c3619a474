import { and, asc, eq, gt, lte, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../core/cursor";
import { displayName } from "../core/people";
import { db, schema } from "../db/client";

// The task queue (DESIGN.md §3 GET /api/v1/tasks, and the Tasks page): Active prospects
// waiting at a call or task stage, read from the D1 mirror in due order.

/** The queue's cursor key: [dueAt ms, campaignId, personId] of the last row of a page. */
const TaskCursorSchema = z.tuple([z.number().int(), z.string().min(1), z.string().min(1)]);

/** The queue's query, for the API's query string and the page's URL alike. */
export const TasksQuerySchema = z.object({
  /** `me`: campaigns the caller owns; `all`: the whole team's. */
  assignee: z.enum(["me", "all"], { error: "Use assignee=me or assignee=all" }).default("me"),
  /** `due` (the default): due now or earlier; `upcoming`: later; `all`: both. */
  when: z
    .enum(["due", "upcoming", "all"], { error: "Use when=due, when=upcoming or when=all" })
    .default("due"),
  campaignId: z.string().trim().min(1).max(100).optional(),
  cursor: cursorParam(TaskCursorSchema),
  limit: z.coerce
    .number({ error: "The limit is a whole number from 1 to 200" })
    .int("The limit is a whole number from 1 to 200")
    .min(1, "The limit is a whole number from 1 to 200")
    .max(200, "The limit is a whole number from 1 to 200")
    .default(50),
});
export type TasksQuery = z.infer<typeof TasksQuerySchema>;

/** What the mirror keeps of each stage (`campaign.stages`, workers/campaign/mirror.ts). */
const StageSummariesSchema = z.array(
  z.object({
    id: z.string(),
    type: z.string(),
    title: z.string().nullable().optional(),
  }),
);

/** A row of GET /api/v1/tasks (DESIGN.md §3). */
export type TaskRow = {
  campaignId: string;
  personId: string;
  stageId: string;
  type: "call" | "task";
  title: string;
  dueAt: string;
};

/** A row with what the Tasks page shows beside it. */
export type TaskItem = TaskRow & {
  campaignName: string;
  personName: string;
  email: string | null;
  phone: string | null;
};

export type TaskPage = { items: TaskItem[]; nextCursor?: string };

function stageOf(stagesJson: string, stageId: string) {
  let json: unknown;
  try {
    json = JSON.parse(stagesJson);
  } catch {
    return null;
  }
  const parsed = StageSummariesSchema.safeParse(json);
  if (!parsed.success) return null;
  return parsed.data.find((s) => s.id === stageId) ?? null;
}

/**
 * One page of the team's call/task stages waiting for a person, earliest due first
 * (keyset on next_at, campaign id, person id). Only active campaigns: a draft or disabled
 * campaign asks nothing of anyone until it is activated.
 */
export async function listTasks(
  env: Env,
  caller: { teamId: string; userId: string },
  q: TasksQuery,
  now: number,
): Promise<TaskPage> {
  const m = schema.campaignMember;
  const c = schema.campaign;
  const p = schema.person;
  const where: SQL[] = [
    eq(m.teamId, caller.teamId),
    eq(m.status, "active"),
    sql`${m.nextAt} is not null`,
    eq(c.status, "active"),
    // The member's current stage is a call or task (the stage list is the mirror's JSON).
    sql`exists (select 1 from json_each(${c.stages}) s
      where json_extract(s.value, '$.id') = ${m.stageId}
        and json_extract(s.value, '$.type') in ('call', 'task'))`,
  ];
  if (q.when === "due") where.push(lte(m.nextAt, now));
  if (q.when === "upcoming") where.push(gt(m.nextAt, now));
  if (q.assignee === "me") where.push(eq(c.ownerId, caller.userId));
  if (q.campaignId) where.push(eq(m.campaignId, q.campaignId));
  if (q.cursor) {
    const [dueAt, campaignId, personId] = q.cursor;
    const keyset = or(
      gt(m.nextAt, dueAt),
      and(eq(m.nextAt, dueAt), gt(m.campaignId, campaignId)),
      and(eq(m.nextAt, dueAt), eq(m.campaignId, campaignId), gt(m.personId, personId)),
    );
    if (keyset) where.push(keyset);
  }
  const rows = await db(env)
    .select({
      campaignId: m.campaignId,
      personId: m.personId,
      stageId: m.stageId,
      nextAt: m.nextAt,
      campaignName: c.name,
      stages: c.stages,
      firstName: p.firstName,
      lastName: p.lastName,
      email: sql<string | null>`(select e.address from person_email e
        where e.person_id = ${m.personId} order by e.position limit 1)`,
      phone: sql<string | null>`(select f.number from person_phone f
        where f.person_id = ${m.personId} order by f.position limit 1)`,
    })
    .from(m)
    .innerJoin(c, and(eq(c.id, m.campaignId), eq(c.teamId, m.teamId)))
    .leftJoin(p, and(eq(p.id, m.personId), eq(p.teamId, m.teamId)))
    .where(and(...where))
    .orderBy(asc(m.nextAt), asc(m.campaignId), asc(m.personId))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const items: TaskItem[] = page.map((r) => {
    const stage = stageOf(r.stages, r.stageId);
    const type = stage?.type === "call" ? "call" : "task";
    return {
      campaignId: r.campaignId,
      personId: r.personId,
      stageId: r.stageId,
      type,
      title: stage?.title || (type === "call" ? "Call" : "Task"),
      dueAt: new Date(r.nextAt ?? now).toISOString(),
      campaignName: r.campaignName,
      personName:
        r.firstName === null
          ? "(deleted person)"
          : displayName({ firstName: r.firstName, lastName: r.lastName }),
      email: r.email,
      phone: r.phone,
    };
  });
  const last = page.at(-1);
  return rows.length > q.limit && last && last.nextAt !== null
    ? { items, nextCursor: encodeCursor([last.nextAt, last.campaignId, last.personId]) }
    : { items };
}

/** The contract row of DESIGN.md §3, without the page's extras. */
export function taskRow(t: TaskItem): TaskRow {
  return {
    campaignId: t.campaignId,
    personId: t.personId,
    stageId: t.stageId,
    type: t.type,
    title: t.title,
    dueAt: t.dueAt,
  };
}
