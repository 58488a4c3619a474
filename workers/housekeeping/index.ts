import { pruneInbound } from "../data/inbound-mail";
import { expireDomainClaims } from "./expire-domain-claims";
import { pokeOverdueCampaigns } from "./overdue-campaigns";
import { pruneTracking } from "./prune-tracking";

/**
 * A housekeeping job of the cron (every 5 minutes). It must be idempotent (a run may
 * repeat or overlap the last) and bounded (every job of a run shares one invocation's
 * D1 queries and subrequests), and it never sends: the send path is the campaigns' own.
 */
export type HousekeepingJob = {
  name: string;
  run(env: Env, now: number): Promise<void>;
};

/** Every job of the cron, one line each (next: domain-claim expiry, live-log pruning). */
export const HOUSEKEEPING_JOBS: readonly HousekeepingJob[] = [
  { name: "overdue-campaigns", run: pokeOverdueCampaigns },
  { name: "prune-unmatched-mail", run: pruneInbound },
  { name: "expire-domain-claims", run: expireDomainClaims },
  { name: "prune-tracking", run: pruneTracking },
];

/**
 * Runs the jobs side by side. A job that throws is logged with its name and the others
 * finish; it is not rethrown, since the next run (five minutes on) is the retry.
 */
export async function runHousekeeping(
  env: Env,
  now: number,
  jobs: readonly HousekeepingJob[] = HOUSEKEEPING_JOBS,
): Promise<void> {
  await Promise.all(
    jobs.map(async (job) => {
      try {
        await job.run(env, now);
      } catch (error) {
        console.error(`housekeeping job ${job.name} failed`, error);
      }
    }),
  );
}
