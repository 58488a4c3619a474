// The Tasks page's server side: the queue it lists and the one-tap Complete / Skip.
import { requireMember } from "@workers/auth/guards";
import { clock } from "@workers/clock";
import { listTasks, TasksQuerySchema } from "@workers/data/tasks";
import { getTeamSettings } from "@workers/data/teams";
import { db, schema } from "@workers/db/client";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { requireTeamCampaign, teamCampaignNames, userActor } from "~/lib/campaigns.server";
import { givenParams, readListQuery } from "~/lib/list-query.server";

const PAGE_SIZE = 50;

/** The page's URL: Mine (the default) or Team, due or coming up, one campaign or all. */
const PageQuerySchema = TasksQuerySchema.omit({ limit: true });

export async function tasksPage(env: Env, request: Request) {
  const actor = await requireMember(request, env);
  const given = givenParams(request);
  const { query, cursorNotice, badLink, status } = readListQuery(PageQuerySchema, given, {});
  const now = clock.now();
  const [page, campaigns, settings] = await Promise.all([
    listTasks(env, actor, { ...query, limit: PAGE_SIZE }, now),
    teamCampaignNames(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
  ]);
  return {
    body: {
      page,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name })),
      query: {
        assignee: query.assignee,
        when: query.when,
        campaignId: query.campaignId ?? "",
        cursor: query.cursor ? (given.cursor ?? "") : "",
      },
      teamId: actor.teamId,
      badLink,
      cursorNotice,
      now,
      timeZone: settings.timeZone,
    },
    status,
  };
}

const TaskActionSchema = z.object({
  intent: z.enum(["complete", "skip"], { error: "Choose Complete or Skip" }),
  campaignId: z.string().trim().min(1, "Which campaign?"),
  personId: z.string().trim().min(1, "Which person?"),
  stageId: z.string().trim().min(1, "Which stage?"),
});

export type TaskNotice = { tone: "ok" | "error"; message: string; personId?: string };

/**
 * Complete or Skip one task. The stage the row showed must still be the person's: a
 * teammate who got there first must not make this tap skip the stage after it.
 */
export async function taskAction(env: Env, request: Request): Promise<TaskNotice> {
  const actor = await requireMember(request, env);
  const parsed = TaskActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return { tone: "error", message: parsed.error.issues.map((i) => i.message).join(" ") };
  }
  const { intent, campaignId, personId, stageId } = parsed.data;
  const campaign = await requireTeamCampaign(env, actor.teamId, campaignId);
  const m = schema.campaignMember;
  const member = await db(env).query.campaignMember.findFirst({
    where: and(eq(m.campaignId, campaignId), eq(m.personId, personId), eq(m.teamId, actor.teamId)),
    columns: { stageId: true, status: true },
  });
  if (!member || member.stageId !== stageId || member.status !== "active") {
    return {
      tone: "ok",
      personId,
      message: "Already done: this task was completed, skipped or changed by someone else.",
    };
  }
  const result = await campaign.stub.act(
    { action: intent === "complete" ? "complete_task" : "skip", personIds: [personId] },
    userActor(actor.userId),
  );
  if (!result.ok) return { tone: "error", message: `Not done: ${result.message}` };
  const refused = result.value.refused[0];
  if (refused) return { tone: "error", message: `Not done: ${refused.reason}` };
  return {
    tone: "ok",
    personId,
    message: intent === "complete" ? "Done: marked complete." : "Skipped.",
  };
}
