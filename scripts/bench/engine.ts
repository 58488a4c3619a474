import {
  BareStatus,
  CampaignView,
  campaignCounters,
  count,
  countersSince,
  createCampaign,
  enroll,
  listEmailLog,
  listProspects,
  ReserveAnswer,
  type Team,
  Usage,
  waitForEnrollMirror,
  waitForMirrorIdle,
} from "./api";
import { type Bench, BenchError, check, fmt, LIMITS, RESERVE, sum, waitFor } from "./harness";

// ── (a) enroll

export async function benchEnroll(b: Bench, team: Team) {
  const campaignId = await createCampaign(b, team, "Bench (a) enroll");
  const before = await campaignCounters(b, campaignId);
  const { ms, answer } = await enroll(b, team, campaignId);
  const profile = countersSince(before, await campaignCounters(b, campaignId));
  const n = team.people.length;
  check("(a) enrolled in one call", answer.enrolled, n);
  check("(a) refused", answer.refused.length, 0);
  const listed = await listProspects(b, team, campaignId);
  check("(a) GET prospects count", listed.length, n);
  check("(a) GET prospects distinct", new Set(listed).size, n);
  const view = CampaignView.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}`, { key: team.key }),
  );
  check("(a) campaign prospectCount", view.prospectCount, n);
  const mirrorMs = await waitForEnrollMirror(b, [campaignId], n, "(a)");
  return { ms, mirrorMs, profile };
}

// ── (b) due-stage throughput: the engine, then the bare loop

export async function benchEngine(b: Bench, team: Team) {
  const n = team.people.length;
  const campaignId = await createCampaign(b, team, "Bench (b) sends");
  const enrolled = await enroll(b, team, campaignId);
  check("(b) enrolled", enrolled.answer.enrolled, n);
  // Sends start from a settled mirror, so the figure is the send path alone.
  await waitForEnrollMirror(b, [campaignId], n, "(b)");

  console.log(`(b) ${fmt(n)} enrolled and mirrored; activating, sends start now`);
  const before = await campaignCounters(b, campaignId);
  const wallStart = performance.now();
  const activated = CampaignView.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}/activate`, { method: "POST", key: team.key }),
  );
  const doStart = Date.parse(activated.updatedAt);
  // Alarms fire by themselves (each batch re-arms 1 ms later); the bench only watches.
  const settled = await waitFor(LIMITS.engineMs, async () => {
    const view = CampaignView.parse(
      await b.fetch(`/api/v1/campaigns/${campaignId}`, { key: team.key }),
    );
    return (view.statusCounts.active ?? 0) === 0 ? view : null;
  });
  const wallMs = performance.now() - wallStart;
  if (!settled) {
    const view = CampaignView.parse(
      await b.fetch(`/api/v1/campaigns/${campaignId}`, { key: team.key }),
    );
    throw new BenchError(
      `(b) not done after ${LIMITS.engineMs / 1000} s: ${JSON.stringify(view.statusCounts)}`,
    );
  }
  check("(b) prospects Complete", settled.statusCounts.complete ?? 0, n);
  const profile = countersSince(before, await campaignCounters(b, campaignId));

  // The D1 mirror trails the DO by an alarm or two.
  const mirrored = await waitFor(LIMITS.mirrorMs, async () => {
    const sent = await count(
      b.d1,
      "SELECT count(*) AS n FROM email_log WHERE campaign_id = ? AND status = 'sent'",
      campaignId,
    );
    return sent >= n ? sent : null;
  });
  check("(b) Email Log rows sent (D1)", mirrored ?? 0, n);
  check(
    "(b) Email Log rows, any status",
    await count(b.d1, "SELECT count(*) AS n FROM email_log WHERE campaign_id = ?", campaignId),
    n,
  );
  const log = await listEmailLog(b, team, campaignId);
  check("(b) Email Log API rows sent", log.filter((r) => r.status === "sent").length, n);
  check("(b) Email Log API distinct people", new Set(log.map((r) => r.personId)).size, n);

  check(
    "(b) sink messages of the team",
    await count(b.d1, "SELECT count(*) AS n FROM sink_message WHERE team_id = ?", team.teamId),
    n,
  );
  const sinkJoin = `FROM sink_message s JOIN email_log l ON l.id = s.id WHERE l.campaign_id = ?`;
  check(
    "(b) sink messages of the campaign",
    await count(b.d1, `SELECT count(*) AS n ${sinkJoin}`, campaignId),
    n,
  );
  check(
    "(b) sink: distinct people",
    await count(b.d1, `SELECT count(DISTINCT l.person_id) AS n ${sinkJoin}`, campaignId),
    n,
  );
  check(
    "(b) sink: distinct recipients",
    await count(b.d1, `SELECT count(DISTINCT s."to") AS n ${sinkJoin}`, campaignId),
    n,
  );
  const usage = Usage.parse(await b.fetch("/api/v1/account/usage", { key: team.key }));
  check("(b) Account usage sentToday", usage.sentToday, n);

  const lastSent = await count(
    b.d1,
    "SELECT max(sent_at) AS n FROM email_log WHERE campaign_id = ?",
    campaignId,
  );
  const doMs = lastSent - doStart;
  await waitForMirrorIdle(b, [campaignId], "(b)");
  // What the campaign keeps of its sends: the DO's database once all are settled.
  const { bytes } = await campaignCounters(b, campaignId);
  return { n, doMs, wallMs, enrollMs: enrolled.ms, profile, bytes };
}

export async function benchBare(b: Bench, n: number) {
  await b.fetch("/bench/bare/seed", { method: "POST", body: { n } });
  const wallStart = performance.now();
  await b.fetch("/bench/bare/go", { method: "POST" });
  const done = await waitFor(LIMITS.bareMs, async () => {
    const s = BareStatus.parse(await b.fetch("/bench/bare/status"));
    return s.finishedAt !== null ? s : null;
  });
  const wallMs = performance.now() - wallStart;
  if (!done || done.startedAt === null || done.finishedAt === null) {
    throw new BenchError(`(b) the bare loop did not finish in ${LIMITS.bareMs / 1000} s`);
  }
  check("(b) bare: rows complete", done.complete, n);
  check("(b) bare: message rows", done.messages, n);
  check("(b) bare: distinct people", done.distinctPeople, n);
  return { n, doMs: done.finishedAt - done.startedAt, wallMs };
}

// ── (c) Account DO reservations

export async function reserveRound(b: Bench, team: Team, prefix: string) {
  const body = { teamId: team.teamId, prefix, ...RESERVE.round };
  const started = performance.now();
  const answer = ReserveAnswer.parse(await b.fetch("/bench/reserve", { method: "POST", body }));
  return { ms: performance.now() - started, granted: answer.granted };
}

/**
 * Rounds of concurrent reserve() calls against one limit. Each round's rate is reported: the
 * Account DO's ledger grows by one entry per reservation during a day.
 */
export async function benchReservations(b: Bench, team: Team) {
  const perRound = RESERVE.round.callers * RESERVE.round.calls;
  const rounds: { ms: number; granted: number[][] }[] = [];
  for (let r = 0; r < RESERVE.rounds; r++) rounds.push(await reserveRound(b, team, `bench-c${r}`));
  const granted = rounds.flatMap((r) => r.granted.flat());
  const total = perRound * RESERVE.rounds;
  const demand = total * RESERVE.round.n;
  const expected = Math.min(demand, RESERVE.limit);
  check("(c) reserve calls answered", granted.length, total);
  check("(c) granted total = min(demand, limit)", sum(granted), expected);
  check(
    "(c) no call granted more than asked",
    granted.every((g) => g >= 0 && g <= RESERVE.round.n),
    true,
  );
  const usage = Usage.parse(await b.fetch(`/bench/usage?teamId=${team.teamId}`));
  check("(c) Account usage sentToday", usage.sentToday, expected);

  // The first round's ids again (a crash and retry): the same answers, nothing counted twice.
  const replay = await reserveRound(b, team, "bench-c0");
  check(
    "(c) replayed ids answer the same",
    JSON.stringify(replay.granted),
    JSON.stringify(rounds[0].granted),
  );
  const after = Usage.parse(await b.fetch(`/bench/usage?teamId=${team.teamId}`));
  check("(c) usage unchanged by the replay", after.sentToday, usage.sentToday);
  return { rounds: rounds.map((r) => r.ms), perRound, total, demand, expected };
}
