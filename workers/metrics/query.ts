import { z } from "zod";
import {
  type CampaignMetrics,
  type CampaignSummary,
  type DailyPoint,
  type DailySeriesQuery,
  type Include,
  METRIC_NAMES,
  type Measure,
  type MetricName,
  type MetricTotals,
  type StageMeasure,
  type StageMetrics,
  type TeamMetrics,
  type TeamMetricsQuery,
} from "./types";

/**
 * Reads engagement metrics from the counters D1 keeps as events arrive (ADR 0027):
 * `engagement_count` per (campaign, stage, metric) — stage '' is "any stage" — and
 * `engagement_daily` per (campaign, mailbox, day, metric). Only filters the counters are
 * not keyed by (a mailbox, a date range) count the per-person rows of the matched team.
 */

/** A campaign's stages as mirrored into D1 (`campaign.stages`). */
const StagesSchema = z.array(
  z.object({
    id: z.string(),
    type: z.enum(["email", "sms", "call", "task"]),
    title: z.string().nullish(),
    subject: z.string().nullish(),
  }),
);

/** `YYYY-MM-DD` (a UTC day), as query filters take it. */
export const DaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a day as YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Not a calendar day");

/** The longest daily series served at once. */
export const MAX_SERIES_DAYS = 366;

type CountRow = { stage_id: string; metric: string; people: number; human: number };

const isMetric = (m: string): m is MetricName => (METRIC_NAMES as readonly string[]).includes(m);
const rate = (people: number, of: number) => (of > 0 ? people / of : 0);

function measure(people: number, prospects: number): Measure {
  return { people, rate: rate(people, prospects) };
}

function emptyCounts(): Record<MetricName, number> {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, 0])) as Record<MetricName, number>;
}

function totalsOf(counts: Record<MetricName, number>, prospects: number): MetricTotals {
  return Object.fromEntries(
    METRIC_NAMES.map((m) => [m, measure(counts[m], prospects)]),
  ) as MetricTotals;
}

/** Counter rows into counts per stage id ('' = any stage) for the chosen audience. */
function countsByStage(rows: CountRow[], include: Include) {
  const by = new Map<string, Record<MetricName, number>>();
  for (const r of rows) {
    if (!isMetric(r.metric)) continue;
    const counts = by.get(r.stage_id) ?? emptyCounts();
    counts[r.metric] = include === "all" ? r.people : r.human;
    by.set(r.stage_id, counts);
  }
  return by;
}

function stageMetrics(
  stage: z.infer<typeof StagesSchema>[number],
  stageIndex: number,
  counts: Record<MetricName, number>,
  prospects: number,
): StageMetrics {
  const reached = counts.reached;
  const sm = (m: MetricName): StageMeasure => ({
    ...measure(counts[m], prospects),
    rateOfReached: rate(counts[m], reached),
  });
  return {
    stageIndex,
    stageId: stage.id,
    type: stage.type,
    label: (stage.type === "email" ? stage.subject : stage.title) ?? "",
    reached,
    sent: measure(reached, prospects),
    delivered: sm("delivered"),
    bounced: sm("bounced"),
    spam: sm("spam"),
    unsubscribed: sm("unsubscribed"),
    opened: sm("opened"),
    clicked: sm("clicked"),
    downloaded: sm("downloaded"),
    replied: sm("replied"),
  };
}

type CampaignRow = {
  id: string;
  name: string;
  status: CampaignSummary["status"];
  prospect_count: number;
  stages: string;
};

/**
 * One campaign's metrics (DESIGN.md §1): per stage, people who did X at that stage ÷ all
 * people in the campaign (and ÷ people the stage reached); totals, people who did X at
 * any stage. Null when the campaign is not the team's.
 */
export async function campaignMetrics(
  env: Env,
  q: { teamId: string; campaignId: string; include: Include },
): Promise<CampaignMetrics | null> {
  const [campaigns, counts] = await env.DB.batch([
    env.DB.prepare(
      "SELECT id, name, status, prospect_count, stages FROM campaign WHERE id = ? AND team_id = ?",
    ).bind(q.campaignId, q.teamId),
    env.DB.prepare(
      "SELECT stage_id, metric, people, human FROM engagement_count WHERE campaign_id = ?",
    ).bind(q.campaignId),
  ]);
  const c = (campaigns.results as CampaignRow[])[0];
  if (!c) return null;
  const by = countsByStage(counts.results as CountRow[], q.include);
  const stages = StagesSchema.parse(JSON.parse(c.stages));
  return {
    campaignId: c.id,
    name: c.name,
    include: q.include,
    prospects: c.prospect_count,
    stages: stages.map((s, i) =>
      stageMetrics(s, i, by.get(s.id) ?? emptyCounts(), c.prospect_count),
    ),
    totals: totalsOf(by.get("") ?? emptyCounts(), c.prospect_count),
  };
}

/** A campaign's metrics before anything is known of it: no prospects, all zero. */
export function noMetrics(campaignId: string, name: string): CampaignMetrics {
  return {
    campaignId,
    name,
    include: "human",
    prospects: 0,
    stages: [],
    totals: totalsOf(emptyCounts(), 0),
  };
}

/** The team's campaigns matching the owner/job filters, as SQL and its parameters. */
function campaignFilter(q: { teamId: string; ownerId?: string; jobId?: string }) {
  const where = ["team_id = ?"];
  const params: string[] = [q.teamId];
  if (q.ownerId) {
    where.push("owner_id = ?");
    params.push(q.ownerId);
  }
  if (q.jobId) {
    where.push("job_id = ?");
    params.push(q.jobId);
  }
  return { where: where.join(" AND "), params };
}

/** Epoch ms of the start of a UTC day, and of the day after `to`. */
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const DAY_MS = 86_400_000;

/**
 * Per campaign, people who did X at any stage, for the filters the campaign-wide counters
 * are not keyed by: counted from the per-person rows (a mailbox's messages, a date range
 * of first events — a person's first human event for "human").
 */
async function filteredTotals(env: Env, q: TeamMetricsQuery, campaignIds: string[]) {
  const at = q.include === "all" ? "first_at" : "human_at";
  const where = [`team_id = ?`, `${at} IS NOT NULL`];
  const params: (string | number)[] = [q.teamId];
  if (q.mailboxId) {
    where.push("mailbox_id = ?");
    params.push(q.mailboxId);
  }
  if (q.from) {
    where.push(`${at} >= ?`);
    params.push(dayStart(q.from));
  }
  if (q.to) {
    where.push(`${at} < ?`);
    params.push(dayStart(q.to) + DAY_MS);
  }
  const wanted = new Set(campaignIds);
  const rows = await env.DB.prepare(
    `SELECT campaign_id, metric, COUNT(DISTINCT person_id) AS people FROM engagement_person
     WHERE ${where.join(" AND ")} GROUP BY campaign_id, metric`,
  )
    .bind(...params)
    .all<{ campaign_id: string; metric: string; people: number }>();
  const by = new Map<string, Record<MetricName, number>>();
  for (const r of rows.results) {
    if (!wanted.has(r.campaign_id) || !isMetric(r.metric)) continue;
    const counts = by.get(r.campaign_id) ?? emptyCounts();
    counts[r.metric] = r.people;
    by.set(r.campaign_id, counts);
  }
  return by;
}

/**
 * Across the team's campaigns (optionally one owner's, one job's, one mailbox's, a date
 * range): totals ÷ all prospects of the matched campaigns, and each campaign ranked by
 * reply rate. A person in two campaigns counts in each, as their prospects do.
 */
export async function teamMetrics(env: Env, q: TeamMetricsQuery): Promise<TeamMetrics> {
  const f = campaignFilter(q);
  const campaigns = await env.DB.prepare(
    `SELECT id, name, status, prospect_count, stages FROM campaign WHERE ${f.where}`,
  )
    .bind(...f.params)
    .all<CampaignRow>();
  const rows = campaigns.results;
  let counts: Map<string, Record<MetricName, number>>;
  if (q.mailboxId || q.from || q.to) {
    counts = await filteredTotals(
      env,
      q,
      rows.map((r) => r.id),
    );
  } else {
    const totals = await env.DB.prepare(
      `SELECT campaign_id AS stage_id, metric, people, human FROM engagement_count
       WHERE stage_id = '' AND campaign_id IN (SELECT id FROM campaign WHERE ${f.where})`,
    )
      .bind(...f.params)
      .all<CountRow>();
    counts = countsByStage(totals.results, q.include);
  }
  const sum = emptyCounts();
  let prospects = 0;
  const byCampaign: CampaignSummary[] = rows.map((c) => {
    const own = counts.get(c.id) ?? emptyCounts();
    for (const m of METRIC_NAMES) sum[m] += own[m];
    prospects += c.prospect_count;
    return {
      campaignId: c.id,
      name: c.name,
      status: c.status,
      prospects: c.prospect_count,
      totals: totalsOf(own, c.prospect_count),
    };
  });
  byCampaign.sort(
    (a, b) =>
      b.totals.replied.rate - a.totals.replied.rate ||
      b.prospects - a.prospects ||
      a.name.localeCompare(b.name),
  );
  return {
    include: q.include,
    campaigns: rows.length,
    prospects,
    totals: totalsOf(sum, prospects),
    byCampaign,
  };
}

/** Every day from `from` to `to`, inclusive. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dayStart(from); t <= dayStart(to); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

const SERIES_METRICS: Record<Exclude<keyof DailyPoint, "day">, MetricName> = {
  sent: "reached",
  opened: "opened",
  clicked: "clicked",
  replied: "replied",
  bounced: "bounced",
  complained: "spam",
};

/**
 * Day by day (UTC), how many messages went out and how many people first opened,
 * clicked, replied, bounced or complained (Spam) that day, for charts. Every day of the
 * range is present, zero when nothing happened. Throws a RangeError for a bad range.
 */
export async function dailySeries(env: Env, q: DailySeriesQuery): Promise<DailyPoint[]> {
  for (const [name, day] of [
    ["from", q.from],
    ["to", q.to],
  ] as const) {
    if (!DaySchema.safeParse(day).success) {
      throw new RangeError(`${name} must be a day as YYYY-MM-DD (got "${day}")`);
    }
  }
  const days = daysBetween(q.from, q.to);
  if (days.length === 0) throw new RangeError("from must not be after to");
  if (days.length > MAX_SERIES_DAYS) {
    throw new RangeError(`A series covers at most ${MAX_SERIES_DAYS} days`);
  }
  const f = campaignFilter(q);
  const where = [
    "team_id = ?",
    "day BETWEEN ? AND ?",
    `campaign_id IN (SELECT id FROM campaign WHERE ${f.where})`,
  ];
  const params: string[] = [q.teamId, q.from, q.to, ...f.params];
  if (q.campaignId) {
    where.push("campaign_id = ?");
    params.push(q.campaignId);
  }
  if (q.mailboxId) {
    where.push("mailbox_id = ?");
    params.push(q.mailboxId);
  }
  const column = (q.include ?? "human") === "all" ? "people" : "human";
  const rows = await env.DB.prepare(
    `SELECT day, metric, SUM(${column}) AS n FROM engagement_daily
     WHERE ${where.join(" AND ")} GROUP BY day, metric`,
  )
    .bind(...params)
    .all<{ day: string; metric: string; n: number }>();
  const byDay = new Map<string, Map<string, number>>();
  for (const r of rows.results) {
    const m = byDay.get(r.day) ?? new Map<string, number>();
    m.set(r.metric, r.n);
    byDay.set(r.day, m);
  }
  return days.map((day) => {
    const m = byDay.get(day);
    const get = (k: keyof typeof SERIES_METRICS) => m?.get(SERIES_METRICS[k]) ?? 0;
    return {
      day,
      sent: get("sent"),
      opened: get("opened"),
      clicked: get("clicked"),
      replied: get("replied"),
      bounced: get("bounced"),
      complained: get("complained"),
    };
  });
}
