// The campaign page's server side: what the loader reads and what its forms do.
import { redirect, data as respond } from "@remix-run/cloudflare";
import { requireMember } from "@workers/auth/guards";
import { cursorParam } from "@workers/core/cursor";
import {
  MAX_PERSON_IDS,
  type ProspectAction,
  ProspectActionNameSchema,
  ProspectFilterSchema,
} from "@workers/core/engine/schemas";
import { displayName } from "@workers/core/people";
import {
  bulkSummary,
  enrollSummary,
  ProspectCursorSchema,
  splitPastedIds,
  takesTargetCampaign,
} from "@workers/core/prospect-list";
import { actOnProspects } from "@workers/data/bulk-actions";
import { findCampaign, peopleForEnrollment } from "@workers/data/campaigns";
import { campaignFindings } from "@workers/data/deliverability";
import { listMailboxes } from "@workers/data/mailboxes";
import { listMembers } from "@workers/data/members";
import { listPeople } from "@workers/data/people";
import { getTeamSettings } from "@workers/data/teams";
import { db } from "@workers/db/client";
import { z } from "zod";
import { PAGE_SIZE } from "~/components/campaign-overview";
import { campaignMetricsSection } from "~/lib/campaign-metrics.server";
import {
  duplicateCampaign,
  enrolledAmong,
  enrollPeople,
  notFound,
  requireTeamCampaign,
  teamCampaignNames,
  teamJobs,
  userActor,
} from "~/lib/campaigns.server";
import { conflictDetails } from "~/lib/enroll-conflicts.server";
import { BAD_CURSOR_NOTICE, givenParams, readListQuery } from "~/lib/list-query.server";

const ListQuerySchema = ProspectFilterSchema.extend({
  sort: z.enum(["created", "status", "name", "next"]).default("created"),
  cursor: cursorParam(ProspectCursorSchema),
  find: z.string().trim().max(200).optional(),
});

/** The campaign page: the campaign, its metrics, one page of prospects, and what the forms offer. */
export async function campaignPage(env: Env, request: Request, campaignId: string) {
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, campaignId);
  const [view, metrics] = await Promise.all([campaign.stub.view(), campaign.stub.metrics()]);
  if (!view) throw notFound();
  const given = givenParams(request);
  // A stale or hand-edited link shows the first page of everyone rather than an error; a
  // bad cursor keeps the filters, with a notice.
  const checked = readListQuery(ListQuerySchema, given, {});
  const { query } = checked;
  const filter = { status: query.status, stage: query.stage };
  // The Campaign DO reads the cursor itself: it gets the text the URL carried, now checked.
  let list = await campaign.stub.prospects({
    filter,
    sort: query.sort,
    cursor: query.cursor === undefined ? undefined : given.cursor,
    limit: PAGE_SIZE,
  });
  let cursorNotice = checked.cursorNotice;
  if (!list.ok) {
    list = await campaign.stub.prospects({ filter, sort: query.sort, limit: PAGE_SIZE });
    cursorNotice = BAD_CURSOR_NOTICE;
  }
  const d = db(env);
  const [mailboxes, jobs, members, others, settings, found] = await Promise.all([
    listMailboxes(env, actor.teamId),
    teamJobs(env, actor.teamId),
    listMembers(env, actor.teamId),
    teamCampaignNames(env, actor.teamId),
    getTeamSettings(env, actor.teamId),
    query.find ? listPeople(d, actor.teamId, { q: query.find, limit: 20 }) : null,
  ]);
  const page = list.ok ? list.value : { items: [], nextCursor: undefined };
  const already = await enrolledAmong(env, view.id, found?.items.map((p) => p.id) ?? []);
  // The Metrics section (D1 counters) and, while not active, the findings Activate shows.
  const [metricsSection, findings] = await Promise.all([
    campaignMetricsSection(env, request, actor.teamId, view.id),
    view.status === "active" ? [] : campaignFindings(env, actor.teamId, view),
  ]);
  return respond(
    {
      campaign: view,
      // One source on the page: the D1 counters the Metrics section shows (ADR 0027).
      metrics: metricsSection?.metrics ?? metrics,
      metricsSection,
      findings,
      // The mirror's version is never newer than the rows read after it: the live feed
      // catches up from here, so nothing between this read and the socket is missed.
      rev: campaign.row.rev,
      prospects: page.items,
      nextCursor: page.nextCursor ?? null,
      query: {
        status: query.status ?? "",
        stage: query.stage === undefined ? "" : String(query.stage),
        sort: query.sort,
        cursor: query.cursor === undefined || cursorNotice ? "" : (given.cursor ?? ""),
        find: query.find ?? "",
      },
      filter,
      badLink: checked.badLink,
      cursorNotice,
      mailboxNames: Object.fromEntries(mailboxes.map((m) => [m.id, `${m.name} <${m.address}>`])),
      jobTitle: jobs.find((j) => j.id === view.jobId)?.title ?? null,
      ownerName: members.find((m) => m.userId === view.ownerId)?.name ?? null,
      others: others.filter((c) => c.id !== view.id).map((c) => ({ id: c.id, name: c.name })),
      found:
        found?.items.map((p) => ({
          id: p.id,
          name: displayName(p),
          email: p.emails[0]?.address ?? null,
          enrolled: already.has(p.id),
        })) ?? null,
      moveId: crypto.randomUUID(),
      now: Date.now(),
      timeZone: settings.timeZone,
    },
    { status: cursorNotice ? 400 : 200 },
  );
}

const BulkFormSchema = z.object({
  action: ProspectActionNameSchema,
  scope: z.enum(["selected", "all"]).default("selected"),
  personId: z.array(z.string().min(1)).max(MAX_PERSON_IDS),
  status: ProspectFilterSchema.shape.status,
  stage: ProspectFilterSchema.shape.stage,
  toCampaignId: z.string().optional(),
  moveId: z.string().max(128).optional(),
});

export type Notice = { kind: "status" | "bulk" | "enroll"; tone: "ok" | "error"; message: string };

/** The campaign page's forms: status, duplicate, enroll, bulk actions; answers a notice. */
export async function campaignPageAction(env: Env, request: Request, campaignId: string) {
  const actor = await requireMember(request, env);
  const campaign = await requireTeamCampaign(env, actor.teamId, campaignId);
  const by = userActor(actor.userId);
  const form = await request.formData();
  const intent = form.get("intent");
  const say = (kind: Notice["kind"], message: string, tone: Notice["tone"] = "ok"): Notice => ({
    kind,
    tone,
    message,
  });

  if (intent === "activate" || intent === "disable") {
    await campaign.stub.setStatus(intent === "activate" ? "active" : "disabled", by);
    return say(
      "status",
      intent === "activate"
        ? "Activated: due stages go out now."
        : "Disabled: nothing is sent until it is activated again; every prospect keeps their status.",
    );
  }
  if (intent === "duplicate") {
    const copy = await duplicateCampaign(env, actor, campaign.stub);
    if (!copy) throw notFound();
    throw redirect(`/campaigns/${copy.id}?duplicated=1`);
  }
  if (intent === "enroll") {
    const ids = [
      ...new Set([
        ...form.getAll("pick").filter((v): v is string => typeof v === "string"),
        ...splitPastedIds(String(form.get("pastedIds") ?? "")),
      ]),
    ];
    if (ids.length === 0) {
      return say("enroll", "Tick people in the search results or paste their ids first.", "error");
    }
    if (ids.length > MAX_PERSON_IDS) {
      return say(
        "enroll",
        `At most ${MAX_PERSON_IDS.toLocaleString("en-US")} people at once.`,
        "error",
      );
    }
    // "Enroll anyway" (force=1) re-posts the people a conflict held back.
    const force = form.get("force") === "1";
    const result = await enrollPeople(env, actor.teamId, campaign, ids, by, { force });
    const conflicts = await conflictDetails(env, actor.teamId, result);
    return { ...say("enroll", enrollSummary(result, result.names)), conflicts };
  }
  if (intent === "bulk") {
    const parsed = BulkFormSchema.safeParse({
      action: form.get("action"),
      scope: form.get("scope") ?? undefined,
      personId: form.getAll("personId"),
      status: form.get("status") || undefined,
      stage: form.get("stage") || undefined,
      toCampaignId: form.get("toCampaignId") || undefined,
      moveId: form.get("moveId") || undefined,
    });
    if (!parsed.success) {
      return say("bulk", parsed.error.issues.map((i) => i.message).join(" "), "error");
    }
    const b = parsed.data;
    if (b.scope === "selected" && b.personId.length === 0) {
      return say("bulk", "Tick at least one prospect, or choose “All matching”.", "error");
    }
    if (takesTargetCampaign(b.action)) {
      if (!b.toCampaignId) return say("bulk", "Choose the other campaign.", "error");
      // Another team's campaign id is not found, as everywhere else.
      if (!(await findCampaign(db(env), actor.teamId, b.toCampaignId))) throw notFound();
    }
    const filters =
      b.status || b.stage !== undefined ? { status: b.status, stage: b.stage } : undefined;
    const act: ProspectAction = {
      action: b.action,
      ...(b.scope === "all" ? { all: true, filters } : { personIds: b.personId }),
      toCampaignId: b.toCampaignId,
      moveId: b.action === "move" ? (b.moveId ?? crypto.randomUUID()) : undefined,
    };
    // all: true goes a chunk per Campaign DO call (workers/data/bulk-actions.ts).
    const result = await actOnProspects(campaign.stub, act, by);
    if (!result.ok) return say("bulk", result.message, "error");
    const refusedIds = result.value.refused.map((r) => r.personId);
    const people = await peopleForEnrollment(db(env), actor.teamId, refusedIds.slice(0, 500));
    const names = new Map([...people.values()].map((p) => [p.personId, p.name]));
    return say(
      "bulk",
      bulkSummary(
        {
          applied: result.value.applied.length,
          refused: result.value.refused,
          notes: result.value.notes,
        },
        names,
      ),
      result.value.applied.length === 0 && refusedIds.length > 0 ? "error" : "ok",
    );
  }
  return say("status", "Unknown action: reload the page and try again.", "error");
}
