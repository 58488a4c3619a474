// The campaign page's Metrics section: per-stage figures from the D1 counters and the last
// 30 days of activity, human-only unless the link says ?include=all.
import { clock } from "@workers/clock";
import { campaignMetrics, dailySeries } from "@workers/metrics/query";
import { INCLUDE_VALUES } from "@workers/metrics/types";
import { z } from "zod";

const IncludeSchema = z.enum(INCLUDE_VALUES).catch("human");
const DAY_MS = 86_400_000;
/** Days of activity the campaign page charts. */
export const CAMPAIGN_SERIES_DAYS = 30;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days ending today, as `YYYY-MM-DD`. */
export function recentDays(now: number, days: number) {
  return { from: utcDay(now - (days - 1) * DAY_MS), to: utcDay(now) };
}

/** The Metrics section's data; null when the campaign is not in the D1 index (yet). */
export async function campaignMetricsSection(
  env: Env,
  request: Request,
  teamId: string,
  campaignId: string,
) {
  const include = IncludeSchema.parse(new URL(request.url).searchParams.get("include") ?? "human");
  const range = recentDays(clock.now(), CAMPAIGN_SERIES_DAYS);
  const [metrics, series] = await Promise.all([
    campaignMetrics(env, { teamId, campaignId, include }),
    dailySeries(env, { teamId, campaignId, include, ...range }),
  ]);
  if (!metrics) return null;
  return { include, metrics, series, ...range };
}

export type CampaignMetricsSection = NonNullable<
  Awaited<ReturnType<typeof campaignMetricsSection>>
>;
