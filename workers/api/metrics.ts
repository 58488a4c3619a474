import { z } from "zod";
import { errorResponse, zodIssues } from "../http/errors";
import { campaignMetricsCsv, teamMetricsCsv } from "../metrics/csv";
import { campaignMetrics, DaySchema, dailySeries, teamMetrics } from "../metrics/query";
import { INCLUDE_VALUES } from "../metrics/types";
import type { ApiContext, ApiRouter } from "./router";

const IncludeSchema = z.enum(INCLUDE_VALUES, {
  error: `include is ${INCLUDE_VALUES.join(" or ")}`,
});

const id = z.string().trim().min(1).max(100);
const TeamQuerySchema = z.object({
  include: IncludeSchema.default("human"),
  ownerId: id.optional(),
  jobId: id.optional(),
  mailboxId: id.optional(),
  from: DaySchema.optional(),
  to: DaySchema.optional(),
});
const CampaignQuerySchema = z.object({ include: IncludeSchema.default("human") });
const SeriesQuerySchema = z.object({
  include: IncludeSchema.default("human"),
  campaignId: id.optional(),
  ownerId: id.optional(),
  jobId: id.optional(),
  mailboxId: id.optional(),
  from: DaySchema,
  to: DaySchema,
});

const queryOf = (c: ApiContext) => Object.fromEntries(c.url.searchParams);

/** A bad query is the caller's mistake (400), each problem named. */
function badQuery(error: z.ZodError): Response {
  const issues = zodIssues(error);
  const named = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return errorResponse(400, "bad_request", `The query is invalid — ${named}`, issues);
}

function csv(body: string, name: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
}

const campaignNotFound = () => errorResponse(404, "not_found", "No such campaign in this team.");

async function campaignOf(c: ApiContext) {
  const q = CampaignQuerySchema.safeParse(queryOf(c));
  if (!q.success) throw badQuery(q.error);
  const m = await campaignMetrics(c.env, {
    teamId: c.actor.teamId,
    campaignId: c.params.id,
    include: q.data.include,
  });
  if (!m) throw campaignNotFound();
  return m;
}

async function teamOf(c: ApiContext) {
  const q = TeamQuerySchema.safeParse(queryOf(c));
  if (!q.success) throw badQuery(q.error);
  if (q.data.from && q.data.to && q.data.from > q.data.to) {
    throw errorResponse(400, "bad_request", "from must not be after to.");
  }
  return teamMetrics(c.env, { teamId: c.actor.teamId, ...q.data });
}

/**
 * Engagement metrics (DESIGN.md §1 "Metrics", §3): a campaign's per stage and in total, the
 * account's with each campaign ranked by reply rate, as JSON or CSV, human-only unless
 * `?include=all`; and the daily series the charts draw. Read from D1's counters.
 */
export function registerMetricsRoutes(api: ApiRouter) {
  api.on("GET", "/api/v1/campaigns/:id/metrics", async (c) => Response.json(await campaignOf(c)));
  api.on("GET", "/api/v1/campaigns/:id/metrics.csv", async (c) =>
    csv(campaignMetricsCsv(await campaignOf(c)), `campaign-${c.params.id}-metrics.csv`),
  );
  api.on("GET", "/api/v1/metrics", async (c) => Response.json(await teamOf(c)));
  api.on("GET", "/api/v1/metrics.csv", async (c) =>
    csv(teamMetricsCsv(await teamOf(c)), "metrics.csv"),
  );
  api.on("GET", "/api/v1/metrics/daily", async (c) => {
    const q = SeriesQuerySchema.safeParse(queryOf(c));
    if (!q.success) return badQuery(q.error);
    try {
      return Response.json({
        items: await dailySeries(c.env, { teamId: c.actor.teamId, ...q.data }),
      });
    } catch (error) {
      if (error instanceof RangeError) return errorResponse(400, "bad_request", error.message);
      throw error;
    }
  });
}
