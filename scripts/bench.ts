import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { z } from "zod";
import type { ResendFake } from "../tests/fakes/resend-server";

import { addMailbox, seedTeam } from "./bench/api";
import { benchClassifier } from "./bench/classifier";
import { benchBare, benchEngine, benchEnroll, benchReservations } from "./bench/engine";
import { benchFanout, FANOUT } from "./bench/fanout";
import {
  BenchError,
  bundle,
  checks,
  connect,
  fmt,
  migrate,
  miniflareOptions,
  RESEND,
  RESERVE,
  ROOT,
  snapshotRemixBuild,
  sum,
} from "./bench/harness";
import { benchMetrics } from "./bench/metrics";
import { resendRow, table } from "./bench/report";
import { benchResend, resendRate, SMALL_CAMPAIGN, splitPeople } from "./bench/resend";
import { startResendFakeProcess } from "./bench/resend-fake-process";
import { benchScale, SCALE, seedScaleTeam } from "./bench/scale";

// ── main

/** The pipeline's batch (workers/campaign/pipeline/context.ts BATCH_SIZE), for per-batch figures. */
const BATCH = 100;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "10000" },
      campaigns: { type: "string", default: "4" },
      "small-campaigns": { type: "string", default: "200" },
      only: { type: "string", default: process.env.BENCH_ROWS?.replaceAll(",", "") || "abcdefghi" },
      keep: { type: "boolean", default: false },
    },
  });
  const peopleCount = z.coerce.number().int().min(100).max(10_000).parse(values.people);
  const campaignCount = z.coerce.number().int().min(1).max(1_000).parse(values.campaigns);
  const smallWanted = z.coerce.number().int().min(0).max(1_000).parse(values["small-campaigns"]);
  const smallCount = Math.min(smallWanted, Math.floor(peopleCount / SMALL_CAMPAIGN));
  const phases = new Set(
    z
      .string()
      .regex(/^[a-i]+$/, "--only (or BENCH_ROWS=a,b) takes phase letters a–i, e.g. --only de")
      .parse(values.only),
  );
  // (g) needs no Worker: measured first, on a quiet machine; alone, nothing else starts.
  const classifierRow = phases.has("g") ? await benchClassifier() : null;
  if (classifierRow && phases.size === 1) {
    console.log(`\n${table([["figure", "value", "detail"], classifierRow])}`);
    const failedChecks = checks.filter((x) => !x.ok);
    for (const f of failedChecks) console.log(`  FAILED ${f.label}: ${f.detail}`);
    return failedChecks.length === 0 ? 0 : 1;
  }
  const dir = process.env.BENCH_DIR
    ? resolve(process.env.BENCH_DIR)
    : mkdtempSync(join(tmpdir(), "beacon-bench-"));
  rmSync(join(dir, "state"), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const benchStart = performance.now();
  const loadBefore = loadavg()[0];

  const remixSnapshot = join(ROOT, ".wrangler", `bench-remix-${process.pid}`);
  let mf: Miniflare | null = null;
  let fake: ResendFake | null = null;
  try {
    const script = await bundle(dir, await snapshotRemixBuild(remixSnapshot));
    rmSync(remixSnapshot, { recursive: true, force: true });
    const stateDir = join(dir, "state");
    const authSecret = randomBytes(32).toString("hex");
    mf = new Miniflare(miniflareOptions(script, stateDir, authSecret));
    await mf.ready;
    let b = await connect(mf);
    const migrations = await migrate(b.d1);
    const seedStart = performance.now();
    const team = await seedTeam(
      b.d1,
      "main",
      { dailyEmailLimit: 1_000_000, onLimit: "defer" },
      peopleCount,
    );
    const quota = await seedTeam(
      b.d1,
      "quota",
      { dailyEmailLimit: RESERVE.limit, onLimit: "defer" },
      0,
    );
    const seedMs = performance.now() - seedStart;
    console.log(
      `Seeded ${fmt(peopleCount)} people in ${fmt(seedMs / 1000, 2)} s (${migrations} migrations applied).`,
    );

    const s = (ms: number, digits = 2) => `${fmt(ms / 1000, digits)} s`;
    const rows: [string, string, string][] = [["figure", "value", "detail"]];

    if (phases.has("a")) {
      const a = await benchEnroll(b, team);
      console.log(`(a) enrolled ${fmt(peopleCount)} in ${fmt(a.ms / 1000, 2)} s`);
      rows.push([
        `(a) enroll ${fmt(peopleCount)}, one POST`,
        s(a.ms),
        `target ≤ 0.5 s; ${fmt((peopleCount / a.ms) * 1000)} prospects/s; D1 mirror caught up ${s(a.mirrorMs)} after the answer; ${fmt(a.profile.d1Queries)} D1 queries in ${fmt(a.profile.d1RoundTrips)} round trips, ${fmt(a.profile.sqlStatements)} DO SQLite statements (${fmt(a.profile.sqlStatements / peopleCount, 1)} a prospect) up to the answer`,
      ]);
    }

    if (phases.has("b")) {
      const engine = await benchEngine(b, team);
      console.log(`(b) engine sent ${fmt(engine.n)} in ${fmt(engine.doMs / 1000, 2)} s`);
      const bare = await benchBare(b, peopleCount);
      console.log(`(b) bare loop moved ${fmt(bare.n)} rows in ${fmt(bare.doMs / 1000, 3)} s`);
      const sendsPerS = (engine.n / engine.doMs) * 1000;
      const rowsPerS = (bare.n / bare.doMs) * 1000;
      rows.push(
        [
          "(b) enroll, a second campaign",
          s(engine.enrollMs),
          phases.has("a") ? "the same people, Active in (a)'s campaign" : "the first campaign",
        ],
        [
          "(b) engine sends, sink",
          `${fmt(sendsPerS)} /s`,
          `${fmt(engine.n)} Complete in ${s(engine.doMs)} on the DO clock (${s(engine.wallMs)} polled); per batch of ${BATCH}: ${fmt((engine.profile.sqlStatements / engine.n) * BATCH)} DO SQLite statements, ${fmt((engine.profile.d1Queries / engine.n) * BATCH, 1)} D1 queries in ${fmt((engine.profile.d1RoundTrips / engine.n) * BATCH, 1)} round trips; the DO's database after: ${fmt(engine.bytes / 2 ** 20, 1)} MB (${fmt(engine.bytes / engine.n)} bytes a prospect)`,
        ],
        [
          "(b) bare DO loop, same writes",
          `${fmt(rowsPerS)} /s`,
          `${fmt(bare.n)} rows in ${s(bare.doMs, 3)} on the DO clock (${s(bare.wallMs)} polled)`,
        ],
        [
          "(b) ratio engine / bare",
          fmt(sendsPerS / rowsPerS, 3),
          `target ≥ 0.5; the bare loop is ${fmt(rowsPerS / sendsPerS, 1)}× faster`,
        ],
      );
    }

    if (phases.has("f")) {
      const f = await benchFanout(b, team);
      console.log(`(f) live p99 ${fmt(f.live.p99, 1)} ms, bare p99 ${fmt(f.bare.p99, 1)} ms`);
      const ms = (x: number) => `${fmt(x, 1)} ms`;
      rows.push(
        [
          `(f) live, ${FANOUT.sockets} sockets, p50`,
          ms(f.live.p50),
          `a prospect paused/unpaused through the Campaign DO's action, until its frame reaches each socket; ${FANOUT.rounds} rounds, ${fmt(f.frameBytes)} B frame`,
        ],
        [`(f) live, ${FANOUT.sockets} sockets, p99`, ms(f.live.p99), "target ≤ 2× bare p99"],
        [
          `(f) bare, ${FANOUT.sockets} sockets, p50`,
          ms(f.bare.p50),
          "a bare partyserver room broadcasting the same frame",
        ],
        [`(f) bare, ${FANOUT.sockets} sockets, p99`, ms(f.bare.p99), ""],
        [
          "(f) ratio live / bare",
          fmt(f.live.p99 / Math.max(f.bare.p99, 0.001), 2),
          "p99 over p99; target ≤ 2",
        ],
      );
    }

    if (phases.has("h")) {
      const metricsTeam = await seedTeam(
        b.d1,
        "metrics",
        { dailyEmailLimit: 1_000_000, onLimit: "defer" },
        0,
      );
      const h = await benchMetrics(b, metricsTeam);
      console.log(
        `(h) metrics p50: campaign ${fmt(h.campaignP50Ms, 1)} ms, team ${fmt(h.teamP50Ms, 1)} ms`,
      );
      rows.push(
        [
          "(h) metrics, a campaign of 10,000, p50",
          `${fmt(h.campaignP50Ms, 1)} ms`,
          "GET /api/v1/campaigns/:id/metrics (scripts/bench/metrics.ts)",
        ],
        [
          `(h) metrics, a team of ${h.campaigns} campaigns, p50`,
          `${fmt(h.teamP50Ms, 1)} ms`,
          `GET /api/v1/metrics; ${fmt(h.seededRows)} engagement rows seeded`,
        ],
      );
    }

    if (phases.has("i")) {
      const scaleTeam = await seedScaleTeam(b.d1);
      const i = await benchScale(b, scaleTeam);
      console.log(
        `(i) ${fmt(i.n)} prospects: enrolled in ${s(i.enrollMs)}, bulk in ${s(i.bulkMs)}`,
      );
      const calls = i.enrollCalls.map((ms) => fmt(ms / 1000, 2)).join(", ");
      rows.push(
        [
          `(i) enroll ${fmt(i.n)}, ${i.enrollCalls.length} POSTs`,
          s(i.enrollMs),
          `target ≤ 5 s; ${fmt((i.n / i.enrollMs) * 1000)} prospects/s; each call of ${fmt(SCALE.perCall)} (s): ${calls}`,
        ],
        [
          `(i) bulk pause, all: true`,
          s(i.bulkMs),
          `target ≤ 5 s; ${fmt(i.n)} applied, a Campaign DO call per chunk (prospect-actions.ts BULK_CHUNK)`,
        ],
        [
          "(i) Prospects first page",
          `${fmt(i.firstPageMs, 1)} ms`,
          `target ≤ 200 ms; 50 rows of ${fmt(i.n)}, median of ${SCALE.pageRuns}`,
        ],
        [
          "(i) CSV export",
          s(i.csvMs),
          `target ≤ 5 s; ${fmt(i.n)} rows, ${fmt(i.csvBytes / 1e6, 1)} MB`,
        ],
      );
    }

    if (phases.has("c")) {
      const c = await benchReservations(b, quota);
      const cMs = sum(c.rounds);
      console.log(`(c) ${fmt(c.total)} reservations in ${fmt(cMs / 1000, 2)} s`);
      const { callers, calls, n: units } = RESERVE.round;
      rows.push(
        ...c.rounds.map((ms, i): [string, string, string] => [
          `(c) reserve, ${callers} callers, round ${i + 1}`,
          `${fmt((c.perRound / ms) * 1000)} /s`,
          `${fmt(c.perRound)} calls of ${units} in ${s(ms)}; ledger held ${fmt(i * c.perRound)} reservations before`,
        ]),
        [
          "(c) reserve, all rounds",
          `${fmt((c.total / cMs) * 1000)} /s`,
          `target ≥ 1,000 /s and exactly min(demand, limit); granted ${fmt(c.expected)} = min(demand ${fmt(c.demand)}, limit ${fmt(RESERVE.limit)}); ${callers}×${calls} calls a round`,
        ],
      );
    }

    // (d), (e): the same Worker and state, restarted with its email transport on the fake.
    // The many small campaigns go last: given up, they could leave work behind for a restart.
    const mailboxIds = [team.mailboxId];
    const first = () => splitPeople(team.people, mailboxIds.slice(0, campaignCount));
    const small = () =>
      splitPeople(
        team.people.slice(0, smallCount * SMALL_CAMPAIGN),
        mailboxIds.slice(0, smallCount),
      );
    const resendRuns = [
      {
        phase: "d" as const,
        tag: "(d)",
        title: `(d) Resend fake, ${RESEND.ratePerSecond} req/s × ${RESEND.batch}`,
        measure: "emails" as const,
        target: "target ≥ 95 %" as string | null,
        apiKey: `re_bench_d_${randomBytes(8).toString("hex")}`,
        faults: {},
        parts: first,
        expectNo429: true,
      },
      {
        phase: "e" as const,
        tag: "(e)",
        title: "(e) the same, 1% transient faults",
        measure: "emails" as const,
        target: null,
        apiKey: `re_bench_e_${randomBytes(8).toString("hex")}`,
        faults: RESEND.faults,
        parts: first,
        expectNo429: false,
      },
      {
        phase: "d" as const,
        tag: `(d) ${smallCount}×${SMALL_CAMPAIGN}`,
        title: `(d) ${smallCount} campaigns × ${SMALL_CAMPAIGN}, ${RESEND.ratePerSecond} req/s`,
        measure: "requests" as const,
        target: "target ≥ 95 %",
        apiKey: `re_bench_dsmall_${randomBytes(8).toString("hex")}`,
        faults: {},
        parts: small,
        expectNo429: true,
      },
    ].filter((run) => phases.has(run.phase) && (run.measure === "emails" || smallCount > 0));
    if (phases.has("d") && smallCount < smallWanted) {
      console.log(
        `(d) ${fmt(peopleCount)} people hold ${smallCount} campaigns of ${SMALL_CAMPAIGN}, not ${smallWanted}: the second (d) row has ${smallCount}`,
      );
    }
    if (resendRuns.length > 0) {
      fake = await startResendFakeProcess(peopleCount);
      const mailboxCount = Math.max(campaignCount, phases.has("d") ? smallCount : 0);
      for (let i = 2; i <= mailboxCount; i++) {
        mailboxIds.push(await addMailbox(b.d1, team, `${team.label}_${i}`));
      }
      for (const run of resendRuns) {
        await mf.setOptions(
          miniflareOptions(script, stateDir, authSecret, {
            apiKey: run.apiKey,
            baseUrl: fake.url,
            ratePerSecond: RESEND.ratePerSecond,
          }),
        );
        b = await connect(mf);
        const r = await benchResend(b, fake, team, { ...run, parts: run.parts() });
        const { perS, share, requestsPerS, requestShare } = resendRate(r);
        const figure =
          run.measure === "emails"
            ? `${fmt(perS)} emails/s = ${fmt(share * 100, 1)}% of the ceiling`
            : `${fmt(requestsPerS, 2)} requests/s = ${fmt(requestShare * 100, 1)}% of the key's rate`;
        console.log(
          `${run.tag} Resend fake: ${fmt(r.stats.accepted)} of ${fmt(r.n)} accepted in ${s(r.elapsedMs)}, ${figure}`,
        );
        rows.push(resendRow(run.title, r, run.measure, run.target));
      }
    }

    if (classifierRow) rows.push(classifierRow);
    const failed = checks.filter((x) => !x.ok);
    console.log(
      `\nBeacon bench — Miniflare in-process, workerd, disk state, tracing off; ${cpus().length} cores, load ${fmt(loadBefore, 1)} → ${fmt(loadavg()[0], 1)}; ${fmt((performance.now() - benchStart) / 1000, 0)} s in all\n`,
    );
    console.log(table(rows));
    console.log(`\nChecks: ${checks.length - failed.length}/${checks.length} passed`);
    for (const f of failed) console.log(`  FAILED ${f.label}: ${f.detail}`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    rmSync(remixSnapshot, { recursive: true, force: true });
    await mf?.dispose();
    await fake?.close();
    if (values.keep || process.env.BENCH_DIR) console.log(`Bundle and state kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof BenchError ? `bench: ${error.message}` : error);
    for (const f of checks.filter((x) => !x.ok)) console.error(`  FAILED ${f.label}: ${f.detail}`);
    process.exit(2);
  },
);
