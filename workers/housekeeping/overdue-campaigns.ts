import { and, asc, eq, lte, min } from "drizzle-orm";
import { describeOverdueRun, overdueCutoff, type PokeOutcome } from "../core/housekeeping";
import { campaignStub } from "../data/campaigns";
import { db, schema } from "../db/client";

/**
 * Campaigns poked per run. A poke is two Durable Object calls (partyserver names the
 * object, then the RPC), so 400 stays under even the older 1,000-subrequest limit of an
 * invocation; the rest wait five minutes for the next run.
 */
export const MAX_POKES_PER_RUN = 400;
/** Pokes in flight at once: 400 finish in seconds without waking them all together. */
const POKE_CONCURRENCY = 20;

/** Re-arms one campaign's alarm from its own storage (idempotent). */
export type Poke = (env: Env, campaignId: string) => Promise<{ alarmAt: number | null }>;

const pokeCampaign: Poke = async (env, campaignId) => (await campaignStub(env, campaignId)).poke();

/**
 * Active campaigns whose mirror shows a member due by `cutoff`, most overdue first, in one
 * query. Across every team on purpose: the cron serves the whole deployment and reads ids
 * only, never a team's data.
 */
export async function overdueCampaignIds(env: Env, cutoff: number, limit: number) {
  const m = schema.campaignMember;
  const c = schema.campaign;
  const oldest = min(m.nextAt);
  const rows = await db(env)
    .select({ id: m.campaignId, oldest })
    .from(m)
    .innerJoin(c, eq(c.id, m.campaignId))
    .where(and(eq(c.status, "active"), lte(m.nextAt, cutoff)))
    .groupBy(m.campaignId)
    .orderBy(asc(oldest), asc(m.campaignId))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * The safety net: pokes every campaign whose due work is more than five minutes late (its
 * alarm was lost), a bounded number at a time, and logs one line of what it found. One
 * failed poke is a warning and the others go on; the next run tries it again.
 */
export async function pokeOverdueCampaigns(
  env: Env,
  now: number,
  poke: Poke = pokeCampaign,
): Promise<void> {
  const cutoff = overdueCutoff(now);
  const ids = await overdueCampaignIds(env, cutoff, MAX_POKES_PER_RUN);
  const outcomes = await mapBounded(ids, POKE_CONCURRENCY, async (campaignId) => {
    try {
      const { alarmAt } = await poke(env, campaignId);
      return { campaignId, ok: true, alarmAt } satisfies PokeOutcome;
    } catch (error) {
      console.warn(`housekeeping overdue-campaigns: poking campaign ${campaignId} failed`, error);
      return { campaignId, ok: false } satisfies PokeOutcome;
    }
  });
  console.log(describeOverdueRun({ cutoff, limit: MAX_POKES_PER_RUN, outcomes }));
}

/** `fn` over `items` with at most `limit` calls in flight; results keep the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
