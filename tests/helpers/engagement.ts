import { env } from "cloudflare:workers";
import { z } from "zod";
import { api } from "./teams";

/*
 * Engagement arranged directly in D1's per-person table (ADR 0027): its triggers keep the
 * counters the metrics read, as they do for real tracking events, webhooks and Email Log
 * changes. Used by the metrics page tests.
 */

const CampaignRead = z.object({ stages: z.array(z.object({ id: z.string() })) });

/** The stage ids of a campaign, in order. */
export async function stageIds(key: string, campaignId: string): Promise<string[]> {
  const res = await api(key, "GET", `/api/v1/campaigns/${campaignId}`);
  return CampaignRead.parse(await res.json()).stages.map((s) => s.id);
}

/**
 * `people` did `metric` at a stage at `at` (default now). `machine`: the event was a
 * machine's (counted in "all" only).
 */
export async function seedEngagement(e: {
  teamId: string;
  campaignId: string;
  stageId: string;
  metric: string;
  people: string[];
  mailboxId?: string | null;
  at?: number;
  machine?: boolean;
}) {
  const at = e.at ?? Date.now();
  const stmt = env.DB.prepare(
    `INSERT INTO engagement_person
       (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    e.people.map((p) =>
      stmt.bind(
        e.campaignId,
        e.stageId,
        p,
        e.metric,
        e.teamId,
        e.mailboxId ?? null,
        at,
        e.machine ? null : at,
      ),
    ),
  );
}

/** `n` made-up person ids with a prefix (the counters do not need people rows). */
export const fakePeople = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
