import {
  type FakeControl,
  type FakeStats,
  fakeControl,
  fakeStats,
} from "../../tests/fakes/resend-control";
import type { ResendFake } from "../../tests/fakes/resend-server";

import {
  CampaignView,
  createCampaign,
  enroll,
  IN_CAMPAIGNS,
  personAddress,
  type Team,
  waitForEnrollMirror,
  waitForMirrorIdle,
} from "./api";
import { type Bench, check, fmt, LIMITS, RESEND, sum, waitFor } from "./harness";

// ── (d), (e) sending through Resend: the fake on loopback enforcing the provider's rate

/** (d)'s second row: campaigns this small send one batch each, so requests are the measure. */
export const SMALL_CAMPAIGN = 50;
/** Campaigns created, enrolled and read this many at a time (2 cores, shared with workerd). */
export const SETUP_WIDTH = 8;

export type ResendRun = {
  /** Prefix of the run's checks and log lines. */
  tag: string;
  /** The provider key of the run: the fake keeps its state per key, the engine its Pacer. */
  apiKey: string;
  faults: FakeControl;
  /** One campaign per part: its mailbox and its people. */
  parts: { mailboxId: string; people: string[] }[];
  /** With no faults injected, the Pacer must keep every request inside the rate. */
  expectNo429: boolean;
};

export type ResendResult = {
  n: number;
  campaigns: number;
  /** Engine clock: first activation → last email recorded sent, and → 99% of them. */
  elapsedMs: number;
  p99Ms: number;
  /** When the first email went: the campaigns' own start-up before the key is contended. */
  firstMs: number;
  wallMs: number;
  /** Set when the run did not finish in time: how long the bench waited before giving up. */
  gaveUpAfterMs: number | null;
  stats: FakeStats;
  batches: number;
  largestBatch: number;
};

/** `people` in order over the mailboxes, one campaign each, as evenly as whole parts allow. */
export function splitPeople(people: string[], mailboxes: string[]) {
  const per = Math.ceil(people.length / mailboxes.length);
  return mailboxes
    .map((mailboxId, i) => ({ mailboxId, people: people.slice(i * per, (i + 1) * per) }))
    .filter((p) => p.people.length > 0);
}

/** The run's ideal duration: each campaign sends its people in batches, one request a slot. */
export function idealMs(run: ResendRun) {
  const requests = sum(run.parts.map((p) => Math.ceil(p.people.length / RESEND.batch)));
  return (requests / RESEND.ratePerSecond) * 1000;
}

/** `fn` over `items`, at most `width` at a time; answers in the order of `items`. */
export async function inPool<T, R>(
  items: T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * The run's campaigns — a team sending from several mailboxes at once, all through one
 * provider key — created as drafts, enrolled and mirrored, then activated together so that
 * they contend for the key from the same moment. Gives up after 3× the ideal time (plus
 * slack), disables the campaigns so nothing of this run sends later, and reports what it got.
 */
export async function benchResend(
  b: Bench,
  fake: ResendFake,
  team: Team,
  run: ResendRun,
): Promise<ResendResult> {
  const { tag, parts } = run;
  const n = sum(parts.map((p) => p.people.length));
  const setupStart = performance.now();
  await fakeControl(fake.url, run.apiKey, {
    rateLimitPerSecond: RESEND.ratePerSecond,
    ...run.faults,
  });
  const campaignIds = await inPool(parts, SETUP_WIDTH, (part, i) =>
    createCampaign(b, team, `Bench ${tag} Resend ${i + 1}`, part.mailboxId),
  );
  const enrolled = await inPool(parts, SETUP_WIDTH, async (part, i) => {
    const { answer } = await enroll(b, team, campaignIds[i], part.people);
    return answer.enrolled === part.people.length;
  });
  check(`${tag} campaigns enrolled in full`, enrolled.filter(Boolean).length, parts.length);
  await waitForEnrollMirror(b, campaignIds, n, tag);

  console.log(
    `${tag} ${fmt(n)} enrolled in ${parts.length} campaign(s), set up in ${fmt((performance.now() - setupStart) / 1000, 1)} s; activating all at once, sends start now`,
  );
  const wallStart = performance.now();
  const activated = await Promise.all(
    campaignIds.map(async (id) =>
      CampaignView.parse(
        await b.fetch(`/api/v1/campaigns/${id}/activate`, { method: "POST", key: team.key }),
      ),
    ),
  );
  const start = Math.min(...activated.map((v) => Date.parse(v.updatedAt)));
  const views = () =>
    inPool(campaignIds, SETUP_WIDTH, async (id) =>
      CampaignView.parse(await b.fetch(`/api/v1/campaigns/${id}`, { key: team.key })),
    );
  // The fake's counters cost workerd nothing to read; the campaigns are read once all is sent.
  const limitMs = LIMITS.resendSlackMs + 3 * idealMs(run);
  const allAccepted = await waitFor(limitMs, async () => {
    const counters = await fakeStats(fake.url, run.apiKey, { emails: 0 });
    return counters.accepted >= n ? counters : null;
  });
  const settled =
    allAccepted &&
    (await waitFor(LIMITS.mirrorMs, async () => {
      const all = await views();
      return all.every((v) => (v.statusCounts.active ?? 0) === 0) ? all : null;
    }));
  const wallMs = performance.now() - wallStart;
  const gaveUpAt = settled ? null : Date.now();
  check(`${tag} finished within ${fmt(limitMs / 1000)} s`, settled !== null, true);
  if (!settled) {
    console.log(
      `${tag} not done after ${fmt(wallMs / 1000)} s: giving up, disabling its campaigns`,
    );
    await inPool(campaignIds, SETUP_WIDTH, (id) =>
      b.fetch(`/api/v1/campaigns/${id}/disable`, { method: "POST", key: team.key }),
    );
  }
  const final = settled ?? (await views());
  check(`${tag} prospects Complete`, sum(final.map((v) => v.statusCounts.complete ?? 0)), n);
  if (!settled) {
    const counts: Record<string, number> = {};
    for (const v of final) {
      for (const [k, c] of Object.entries(v.statusCounts)) counts[k] = (counts[k] ?? 0) + c;
    }
    console.log(`${tag} prospects by status when given up: ${JSON.stringify(counts)}`);
  }

  // Exactly once, as the provider saw it: one accepted email per address, nothing else.
  const stats = await fakeStats(fake.url, run.apiKey);
  check(`${tag} fake: emails accepted`, stats.accepted, n);
  check(`${tag} fake: distinct recipients`, Object.keys(stats.byTo).length, n);
  // The parts are the team's first n people, in order.
  const expected = Array.from({ length: n }, (_, i) => personAddress(team.label, i));
  check(
    `${tag} fake: each prospect's address exactly once`,
    expected.filter((address) => stats.byTo[address] !== 1).length,
    0,
  );
  check(`${tag} fake: 409 answers`, stats.conflicts409, 0);
  if (run.expectNo429) check(`${tag} fake: 429 answers`, stats.rateLimited429, 0);
  check(
    `${tag} fake: every email sent under an idempotency key`,
    stats.emails.filter((e) => e.idempotencyKey === null).length,
    0,
  );
  const perBatch = new Map<string, number>();
  for (const e of stats.emails) {
    const key = e.idempotencyKey ?? e.id;
    perBatch.set(key, (perBatch.get(key) ?? 0) + 1);
  }

  // The same from the engine's side, through its D1 mirror (it trails by an alarm or two;
  // in flight shows there as Waiting, so the mirror has settled when no row is Waiting).
  const ids = JSON.stringify(campaignIds);
  const byStatus = async () => {
    const rows = await b.d1
      .prepare(
        `SELECT status, count(*) AS n FROM email_log WHERE ${IN_CAMPAIGNS} GROUP BY status ORDER BY status`,
      )
      .bind(ids)
      .all<{ status: string; n: number }>();
    return Object.fromEntries(rows.results.map((r) => [r.status, Number(r.n)]));
  };
  // Given up, Waiting rows stay: no point waiting for them.
  const mirrored =
    (settled &&
      (await waitFor(LIMITS.mirrorMs, async () => {
        const counts = await byStatus();
        return (counts.waiting ?? 0) === 0 ? counts : null;
      }))) ||
    (await byStatus());
  check(`${tag} Email Log rows sent (D1)`, mirrored.sent ?? 0, n);
  check(`${tag} Email Log rows, any status`, sum(Object.values(mirrored)), n);
  if ((mirrored.sent ?? 0) !== n) {
    const reasons = await b.d1
      .prepare(
        `SELECT status, reason, count(*) AS n FROM email_log WHERE ${IN_CAMPAIGNS} AND status != 'sent' GROUP BY status, reason ORDER BY n DESC LIMIT 5`,
      )
      .bind(ids)
      .all<{ status: string; reason: string | null; n: number }>();
    for (const r of reasons.results) {
      console.log(`${tag} Email Log: ${r.n} ${r.status} — ${r.reason ?? "no reason"}`);
    }
  }
  const sentAt = await b.d1
    .prepare(
      `SELECT sent_at AS t FROM email_log WHERE ${IN_CAMPAIGNS} AND sent_at IS NOT NULL ORDER BY sent_at`,
    )
    .bind(ids)
    .all<{ t: number }>();
  const times = sentAt.results.map((r) => Number(r.t));
  const at = (q: number) => (times[Math.max(0, Math.ceil(q * times.length) - 1)] ?? start) - start;
  await waitForMirrorIdle(b, campaignIds, tag);
  return {
    n,
    campaigns: campaignIds.length,
    // Given up, the run took at least as long as the bench waited, however early its last
    // email went (and one in flight then may have gone later).
    elapsedMs: gaveUpAt === null ? at(1) : Math.max(gaveUpAt - start, at(1)),
    p99Ms: at(0.99),
    firstMs: at(0),
    wallMs,
    gaveUpAfterMs: gaveUpAt === null ? null : wallMs,
    stats,
    batches: perBatch.size,
    largestBatch: Math.max(0, ...perBatch.values()),
  };
}

/**
 * emails/s as a share of the ceiling, and accepted batch requests/s as a share of the key's
 * rate. Each request is charged its full pacing interval: a perfect run of k requests makes
 * its last at (k - 1) intervals, and ends at k.
 */
export function resendRate(r: ResendResult) {
  const seconds = r.elapsedMs / 1000 + 1 / RESEND.ratePerSecond;
  const perS = r.stats.accepted / seconds;
  const requestsPerS = r.batches / seconds;
  return {
    perS,
    share: perS / (RESEND.ratePerSecond * RESEND.batch),
    requestsPerS,
    requestShare: requestsPerS / RESEND.ratePerSecond,
    seconds,
  };
}

/** 429s by origin: the rate limiter answers before a request counts as a send request. */
export function tooMany(stats: FakeStats) {
  const limiter = stats.requests - stats.sendRequests;
  return { limiter, injected: stats.rateLimited429 - limiter, total: stats.rateLimited429 };
}
