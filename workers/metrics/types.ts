/**
 * Engagement metrics as the API, the CSV exports and the metrics pages read them
 * (DESIGN.md §1 "Metrics", §3). Every figure is computed from D1 counters kept as events
 * arrive (ADR 0027), never by scanning events or asking Durable Objects.
 */

/** The metrics, in the order the API, CSV and pages show them. */
export const METRIC_NAMES = [
  "reached",
  "delivered",
  "bounced",
  "spam",
  "unsubscribed",
  "opened",
  "clicked",
  "downloaded",
  "replied",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** "human" (default) leaves machine tracking events out; "all" counts them too. */
export const INCLUDE_VALUES = ["human", "all"] as const;
export type Include = (typeof INCLUDE_VALUES)[number];

export type Measure = {
  people: number;
  /** people ÷ all people in the campaign (or the selection), 0..1; 0 when there are none. */
  rate: number;
};

/** A stage's figure also measured against the people the stage reached. */
export type StageMeasure = Measure & {
  /** people ÷ people this stage reached (was sent to), 0..1; 0 when it reached no one. */
  rateOfReached: number;
};

/** Campaign totals: people who did X at ANY stage. `reached` = people sent anything. */
export type MetricTotals = Record<MetricName, Measure>;

export type StageMetrics = {
  stageIndex: number;
  stageId: string;
  type: "email" | "sms" | "call" | "task";
  /** The stage's subject (email) or title (call/task), for labels. */
  label: string;
  /** People this stage was sent to (same number as `sent.people`, kept as DESIGN.md §3 names it). */
  reached: number;
  /** `reached` as a measure (÷ prospects). */
  sent: Measure;
  delivered: StageMeasure;
  bounced: StageMeasure;
  spam: StageMeasure;
  unsubscribed: StageMeasure;
  opened: StageMeasure;
  clicked: StageMeasure;
  downloaded: StageMeasure;
  replied: StageMeasure;
};

export type CampaignMetrics = {
  campaignId: string;
  name: string;
  include: Include;
  /** All people in the campaign (the denominator of every `rate`). */
  prospects: number;
  stages: StageMetrics[];
  totals: MetricTotals;
};

export type CampaignSummary = {
  campaignId: string;
  name: string;
  status: "draft" | "active" | "disabled";
  prospects: number;
  totals: MetricTotals;
};

export type TeamMetrics = {
  include: Include;
  /** Campaigns matched by the filters. */
  campaigns: number;
  /** All prospects of those campaigns. */
  prospects: number;
  totals: MetricTotals;
  /** Every matched campaign, highest reply rate first (then more prospects, then name). */
  byCampaign: CampaignSummary[];
};

export type TeamMetricsQuery = {
  teamId: string;
  include: Include;
  ownerId?: string;
  jobId?: string;
  /** Only messages sent from this mailbox (campaign counters are per campaign, so this narrows by message). */
  mailboxId?: string;
  /** Inclusive `YYYY-MM-DD` (UTC days): only first events on or after this day. */
  from?: string;
  /** Inclusive `YYYY-MM-DD` (UTC days). */
  to?: string;
};

/** One UTC day of activity, for charts; people-or-message counts of first events that day. */
export type DailyPoint = {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Messages sent (email and SMS). */
  sent: number;
  opened: number;
  clicked: number;
  replied: number;
  bounced: number;
  complained: number;
};

export type DailySeriesQuery = {
  teamId: string;
  campaignId?: string;
  /** Inclusive `YYYY-MM-DD` (UTC). */
  from: string;
  /** Inclusive `YYYY-MM-DD` (UTC); at most 366 days after `from`. */
  to: string;
  ownerId?: string;
  jobId?: string;
  mailboxId?: string;
  /** Default "human". */
  include?: Include;
};
