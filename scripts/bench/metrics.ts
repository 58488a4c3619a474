import type { Team } from "./api";
import type { Bench } from "./harness";

/**
 * Row (h), engagement metrics: a campaign of 10,000 prospects and a team of 100 campaigns,
 * their counters seeded directly in D1 (through `engagement_person`, so the migration's
 * triggers build every counter as they do in production), then the p50 of
 * GET /api/v1/campaigns/:id/metrics and GET /api/v1/metrics over `rounds` calls each.
 */

const STAGES = 3;
/** Per stage, the share of prospects who did each metric (reached first). */
const SHARES: [string, number][] = [
  ["reached", 1],
  ["delivered", 0.95],
  ["opened", 0.45],
  ["clicked", 0.12],
  ["replied", 0.06],
  ["bounced", 0.02],
];
/** Rows per INSERT … SELECT FROM json_each(?) (one bound parameter, well under 1 MB). */
const CHUNK = 5_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

async function seedCampaign(b: Bench, team: Team, id: string, prospects: number, at: number) {
  const stages = Array.from({ length: STAGES }, (_, i) => ({
    id: `${id}_s${i}`,
    type: "email",
    title: null,
    subject: `Stage ${i + 1}`,
  }));
  await b.d1
    .prepare(
      `INSERT INTO campaign (id, team_id, owner_id, name, status, stage_count, prospect_count, stages)
       VALUES (?, ?, ?, ?, 'active', ?, ?, ?)`,
    )
    .bind(id, team.teamId, team.userId, `Bench ${id}`, STAGES, prospects, JSON.stringify(stages))
    .run();
  const rows: [string, string, string, number][] = [];
  for (const [s, stage] of stages.entries()) {
    for (let p = 0; p < prospects; p++) {
      for (const [metric, share] of SHARES) {
        // Deterministic: the first share×prospects people of each stage did it.
        if (p < Math.floor(prospects * share * (1 - s * 0.1))) {
          rows.push([stage.id, `person_${p}`, metric, at + p]);
        }
      }
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    await b.d1
      .prepare(
        `INSERT INTO engagement_person (campaign_id, stage_id, person_id, metric, team_id, mailbox_id, first_at, human_at)
         SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, ?2, ?3, j.value ->> 3, j.value ->> 3
         FROM json_each(?4) AS j WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(id, team.teamId, team.mailboxId, JSON.stringify(rows.slice(i, i + CHUNK)))
      .run();
  }
  return rows.length;
}

export type MetricsBench = {
  campaignP50Ms: number;
  teamP50Ms: number;
  seededRows: number;
  campaigns: number;
};

export async function benchMetrics(
  b: Bench,
  team: Team,
  o: { bigProspects?: number; campaigns?: number; perCampaign?: number; rounds?: number } = {},
): Promise<MetricsBench> {
  const big = o.bigProspects ?? 10_000;
  const count = o.campaigns ?? 100;
  const per = o.perCampaign ?? 200;
  const rounds = o.rounds ?? 50;
  const at = Date.UTC(2026, 0, 5);
  const bigId = `bench_metrics_${team.label}_big`;
  let seeded = await seedCampaign(b, team, bigId, big, at);
  for (let i = 1; i < count; i++) {
    seeded += await seedCampaign(b, team, `bench_metrics_${team.label}_${i}`, per, at);
  }
  const time = async (path: string) => {
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await b.fetch(path, { key: team.key });
      ms.push(performance.now() - t0);
    }
    return quantile(ms, 0.5);
  };
  const one = (await b.fetch(`/api/v1/campaigns/${bigId}/metrics`, { key: team.key })) as {
    prospects: number;
    totals: { reached: { people: number } };
  };
  if (one.prospects !== big || one.totals.reached.people !== big) {
    throw new Error(`metrics bench: expected ${big} prospects reached, got ${JSON.stringify(one)}`);
  }
  return {
    campaignP50Ms: await time(`/api/v1/campaigns/${bigId}/metrics`),
    teamP50Ms: await time("/api/v1/metrics"),
    seededRows: seeded,
    campaigns: count,
  };
}
