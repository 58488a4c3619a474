/**
 * `npm run bench`: the engine's three figures, measured on the real Worker driven in-process
 * through Miniflare's API (no wrangler dev proxy, no network but loopback, tracing off):
 *   (a) enroll 10,000 prospects in one API call;
 *   (b) due-stage throughput through the sink, next to a bare SQLite DO doing the same
 *       shape of writes, and their ratio;
 *   (c) Account DO reservations/s with 50 concurrent callers against one daily limit;
 *   (d) sending through Resend — the fake on loopback enforcing 5 requests/s — in two rows:
 *       4 campaigns sharing the people, batches of 100: emails/s as a % of the 500 emails/s
 *       ceiling; then 200 campaigns of 50 people, all activated at once, one batch of 50
 *       each: requests/s as a % of the key's 5 requests/s. Each row with its 429s;
 *   (e) the first (d) with 1% of send requests failing transiently (seeded 500/429/timeout).
 *   (g) the inbound classifier (mail:classify) on the shared mail corpus, in-process in Node,
 *       single-threaded: messages/s and its ratio to sisimai's ≈860/s (the reference).
 * It checks its own counts (for (d) and (e): the fake accepted exactly one email per
 * prospect, every prospect Complete; for (d) also no 429) and exits 1 when one is wrong
 * (2 when it could not run). A (d) or (e) run that does not finish within 3× its ideal time
 * (plus a minute) is given up: its row reports what was sent by then, and its check fails.
 *
 *   npm run bench [-- --people 10000] [-- --campaigns 4] [-- --small-campaigns 200]
 *                 [-- --only abcdeg] [-- --keep]
 * --campaigns (1–1,000): how many campaigns, each from its own mailbox, share the first
 *   (d)'s and (e)'s people.
 * --small-campaigns (0–1,000): (d)'s second row, campaigns of 50 people each, each from its
 *   own mailbox; at most --people / 50 of them (so 8 with --people 400); 0 skips the row.
 * --only: run some of the phases (a full run is what the figures mean).
 * BUILD_DIR=<dir>: the Remix server build to use, as vite.config.ts reads it (default build/).
 * BENCH_DIR=<dir> puts the bundle and state there (default: a fresh temp dir, removed after).
 * BENCH_INSPECTOR_PORT=<port> opens workerd's inspector on 127.0.0.1 for a CPU profile.
 */
import { type SpawnOptions, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createApiKey } from "@workers/auth/api-keys";
import { classifyMail } from "@workers/core/inbound/classify";
import { newSyncToken } from "@workers/core/mailboxes";
import type { PersonInput } from "@workers/core/people";
import { insertPeople } from "@workers/data/people";
import { db, schema } from "@workers/db/client";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { z } from "zod";
import {
  type FakeControl,
  type FakeStats,
  fakeControl,
  fakeStats,
} from "../tests/fakes/resend-control";
import { type ResendFake, startResendFake } from "../tests/fakes/resend-server";

const ROOT = resolve(import.meta.dirname, "..");
const BENCH_WORKER = join(ROOT, "bench", "worker.ts");
/** BUILD_DIR as vite.config.ts reads it: a private build while another runs in build/. */
const REMIX_BUILD = join(resolve(ROOT, process.env.BUILD_DIR ?? "build"), "server", "index.js");
const MIGRATIONS = join(ROOT, "db", "migrations");

const quietEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
};
Object.assign(process.env, quietEnv);

/** Bounds: every wait in the bench ends, and the whole run stays under 10 minutes. */
const LIMITS = {
  engineMs: 150_000,
  /**
   * (d) and (e) each wait 3× the ideal time of their requests (20 s for 100 batches, 40 s for
   * 200) plus this: room for one 5xx backoff (15–30 s, twice if unlucky).
   */
  resendSlackMs: 60_000,
  mirrorMs: 60_000,
  bareMs: 60_000,
  pollMs: 200,
  requestMs: 120_000,
};

/**
 * (d) and (e): the provider's limit and batch size make the ceiling, 5 × 100 = 500 emails/s.
 * (e)'s seed is fixed so that the run is repeatable; with this one the fake's draws put one
 * timeout, one 429 and one 500 among the first ~100 send requests (request 33, 54 and 70),
 * so every kind of transient failure happens during the run. The timeout holds the request
 * 300 ms, well inside the transport's 10 s, so it delays an answer rather than losing one.
 */
const RESEND = {
  ratePerSecond: 5,
  batch: 100,
  faults: {
    randomFailureRate: 0.01,
    seed: 153,
    randomFailureKinds: ["500", "429", "timeout"],
    randomTimeoutMs: 300,
  } satisfies FakeControl,
};

/** (c): 2 rounds of 50 callers × 20 calls × 3 units = 6,000 asked of a limit of 5,000. */
const RESERVE = { round: { callers: 50, calls: 20, n: 3 }, rounds: 2, limit: 5_000 };

class BenchError extends Error {}

// ── small helpers

function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: quietEnv, cwd: ROOT, ...options });
    let output = "";
    child.stdout?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    child.stderr?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    child.on("error", fail);
    child.on("exit", (code, signal) => {
      if (code === 0) done(output);
      else
        fail(new BenchError(`${command} ${args.join(" ")} failed (${signal ?? code}):\n${output}`));
    });
  });
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

type Check = { label: string; ok: boolean; detail: string };
const checks: Check[] = [];

function check(label: string, actual: unknown, expected: unknown): boolean {
  const ok = Object.is(actual, expected);
  checks.push({
    label,
    ok,
    detail: ok ? String(actual) : `got ${String(actual)}, expected ${String(expected)}`,
  });
  return ok;
}

/** Polls until `probe` answers non-null, at most `timeoutMs`; null on timeout. */
async function waitFor<T>(timeoutMs: number, probe: () => Promise<T | null>): Promise<T | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(LIMITS.pollMs);
  }
  return probe();
}

// ── the Worker in Miniflare

/**
 * A snapshot of the Remix server build the Worker imports (other work in this tree may
 * rebuild build/ at any moment); built first when there is none. It stays inside the
 * project (gitignored .wrangler/) so that its bare imports resolve from node_modules.
 */
async function snapshotRemixBuild(target: string): Promise<string> {
  if (!existsSync(REMIX_BUILD)) {
    console.log("No Remix server build: running remix vite:build…");
    await run("remix", ["vite:build"]);
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(dirname(REMIX_BUILD), target, { recursive: true });
  return join(target, "index.js");
}

const RootConfigSchema = z.object({
  compatibility_date: z.string({ error: "wrangler.toml needs compatibility_date" }),
  compatibility_flags: z.array(z.string()),
  vars: z.record(z.string(), z.string()),
  d1_databases: z.array(z.object({ binding: z.string() })),
  durable_objects: z.object({
    bindings: z.array(z.object({ name: z.string(), class_name: z.string() })),
  }),
});

/** The production Worker's configuration (compatibility, bindings, vars). */
function rootConfig() {
  return RootConfigSchema.parse(
    unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, { hideWarnings: true }),
  );
}

/**
 * Bundles bench/worker.ts (the real Worker plus the bench's pieces) as `wrangler deploy`
 * would, with the production compatibility settings.
 */
async function bundle(dir: string, remixBuild: string): Promise<string> {
  const root = rootConfig();
  const configPath = join(dir, "wrangler.bench.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      name: "beacon-bench",
      main: BENCH_WORKER,
      compatibility_date: root.compatibility_date,
      compatibility_flags: root.compatibility_flags,
      alias: { "virtual:remix-build": remixBuild },
    }),
  );
  const outDir = join(dir, "bundle");
  rmSync(outDir, { recursive: true, force: true });
  await run("wrangler", ["deploy", "--dry-run", "--outdir", outDir, "-c", configPath]);
  const script = join(outDir, "worker.js");
  if (!existsSync(script)) throw new BenchError(`wrangler produced no ${script}`);
  return script;
}

/**
 * The Worker's Miniflare options; `resend` points its email transport at a provider (the
 * fake), otherwise it sends through the local sink as in development.
 */
function miniflareOptions(
  scriptPath: string,
  stateDir: string,
  authSecret: string,
  resend: { apiKey: string; baseUrl: string; ratePerSecond: number } | null = null,
) {
  const inspectorPort = z.coerce
    .number()
    .int()
    .min(1)
    .max(65_535)
    .optional()
    .parse(process.env.BENCH_INSPECTOR_PORT || undefined);
  const root = rootConfig();
  const durableObjects = Object.fromEntries(
    root.durable_objects.bindings.map((d) => [
      d.name,
      { className: d.class_name, useSQLite: true },
    ]),
  );
  const provider: Record<string, string> = resend
    ? {
        RESEND_API_KEY: resend.apiKey,
        RESEND_BASE_URL: resend.baseUrl,
        RESEND_RATE_PER_SECOND: String(resend.ratePerSecond),
      }
    : {};
  const options = convertV4MiniflareOptions({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: root.compatibility_date,
    compatibilityFlags: root.compatibility_flags,
    bindings: { ...root.vars, AUTH_SECRET: authSecret, ...provider },
    d1Databases: Object.fromEntries(root.d1_databases.map((d) => [d.binding, d.binding])),
    durableObjects: { ...durableObjects, BareLoop: { className: "BareLoop", useSQLite: true } },
    // On disk, as wrangler dev keeps it: each commit of a DO is a real write.
    resourcePersistencePath: stateDir,
    unsafeObservability: false,
    logRequests: false,
    // BENCH_INSPECTOR_PORT=<port>: attach DevTools (loopback) to profile the Worker and its DOs.
    ...(inspectorPort ? { inspectorPort, inspectorHost: "127.0.0.1" } : {}),
  });
  // Not advertised to other local sessions' dev registries.
  return { ...options, enableDevRegistry: false };
}

type Bench = {
  mf: Miniflare;
  d1: D1Database;
  fetch(path: string, init?: { method?: string; body?: unknown; key?: string }): Promise<unknown>;
};

async function connect(mf: Miniflare): Promise<Bench> {
  // Miniflare's binding proxy speaks the same D1 API as the Worker's binding.
  const d1 = (await mf.getD1Database("DB")) as unknown as D1Database;
  return {
    mf,
    d1,
    async fetch(path, init = {}) {
      const send = () =>
        mf.dispatchFetch(`http://localhost${path}`, {
          method: init.method ?? "GET",
          headers: {
            ...(init.key ? { Authorization: `Bearer ${init.key}` } : {}),
            ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(LIMITS.requestMs),
        });
      let res = await send();
      // A well-behaved API client: the API's rate limits (ADR 0024) answer 429 with
      // Retry-After; the bench waits and asks again (bounded), as an integration would.
      for (let tries = 0; res.status === 429 && tries < 20; tries++) {
        await res.text();
        const wait = Number(res.headers.get("Retry-After") ?? "1");
        await new Promise((r) => setTimeout(r, Math.max(1, wait) * 1000));
        res = await send();
      }
      const text = await res.text();
      if (!res.ok) throw new BenchError(`${init.method ?? "GET"} ${path} → ${res.status}: ${text}`);
      return text ? JSON.parse(text) : null;
    },
  };
}

/** db/migrations in order, each statement on its own (drizzle-kit's breakpoints). */
async function migrate(d1: D1Database) {
  const files = readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const file of files) {
    const statements = readFileSync(join(MIGRATIONS, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    await d1.batch(statements.map((s) => d1.prepare(s)));
  }
  return files.length;
}

// ── seed: teams, keys, a mailbox, people (through the project's own data layer)

type Team = {
  label: string;
  teamId: string;
  userId: string;
  key: string;
  mailboxId: string;
  people: string[];
};

/** The address seedTeam gives the i-th person of a team. */
const personAddress = (label: string, i: number) => `person.${i}@${label}.example.test`;

async function seedTeam(
  d1: D1Database,
  label: string,
  limits: { dailyEmailLimit: number; onLimit: "defer" | "fail" },
  peopleCount: number,
): Promise<Team> {
  const d = db({ DB: d1 });
  const teamId = `team_${label}`;
  const userId = `user_${label}`;
  await d
    .insert(schema.user)
    .values({ id: userId, name: `Bench ${label}`, email: `${label}@beacon.test` });
  await d
    .insert(schema.organization)
    .values({ id: teamId, name: `Bench ${label}`, slug: `bench-${label}` });
  await d
    .insert(schema.member)
    .values({ id: `member_${label}`, organizationId: teamId, userId, role: "owner" });
  await d.insert(schema.teamSettings).values({ teamId, timeZone: "UTC", ...limits });
  const { key } = await createApiKey(d, { teamId, userId, name: "bench" });
  const mailboxId = await addMailbox(d1, { teamId, userId }, label);
  const inputs: PersonInput[] = Array.from({ length: peopleCount }, (_, i) => ({
    firstName: `Person${i}`,
    lastName: label,
    emails: [{ address: personAddress(label, i), type: "personal" }],
  }));
  const people = await insertPeople(d, teamId, userId, inputs);
  return { label, teamId, userId, key, mailboxId, people };
}

/** A mailbox allowed to send (canSend), as one whose address was confirmed. */
async function addMailbox(
  d1: D1Database,
  owner: { teamId: string; userId: string },
  label: string,
): Promise<string> {
  const id = `mailbox_${label}`;
  await db({ DB: d1 })
    .insert(schema.mailbox)
    .values({
      id,
      teamId: owner.teamId,
      userId: owner.userId,
      address: `sender.${label}@beacon.test`,
      name: "Bench Sender",
      canSend: true,
      syncToken: newSyncToken((bytes) => new Uint8Array(randomBytes(bytes.length))),
    });
  return id;
}

// ── API shapes the bench reads

const CampaignView = z.object({
  id: z.string(),
  status: z.string(),
  prospectCount: z.number(),
  statusCounts: z.record(z.string(), z.number()),
  updatedAt: z.string(),
});
const EnrollAnswer = z.object({
  enrolled: z.number(),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
});
const Page = z.object({
  items: z.array(z.object({ personId: z.string() })),
  nextCursor: z.string().optional(),
});
const LogPage = z.object({
  items: z.array(z.object({ id: z.string(), personId: z.string(), status: z.string() })),
  nextCursor: z.string().optional(),
});
const Usage = z.object({ sentToday: z.number(), remaining: z.number() });
const BareStatus = z.object({
  remaining: z.number(),
  complete: z.number(),
  messages: z.number(),
  distinctPeople: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
const ReserveAnswer = z.object({ granted: z.array(z.array(z.number())) });

async function createCampaign(
  b: Bench,
  team: Team,
  name: string,
  mailboxId = team.mailboxId,
): Promise<string> {
  const view = CampaignView.parse(
    await b.fetch("/api/v1/campaigns", {
      method: "POST",
      key: team.key,
      body: {
        name,
        status: "draft",
        stages: [
          {
            type: "email",
            delayMinutes: 0,
            mailboxId,
            subject: "Hello {{firstName}}",
            body: "Hi {{firstName}},\n\nThis is the bench's first stage.\n\n{{senderName}}",
          },
        ],
      },
    }),
  );
  return view.id;
}

async function enroll(b: Bench, team: Team, campaignId: string, personIds = team.people) {
  const started = performance.now();
  const answer = EnrollAnswer.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}/prospects`, {
      method: "POST",
      key: team.key,
      body: { personIds },
    }),
  );
  return { ms: performance.now() - started, answer };
}

/** Every prospect through the API's keyset pages (500 a page, bounded). */
async function listProspects(b: Bench, team: Team, campaignId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const q = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
    const body = Page.parse(
      await b.fetch(`/api/v1/campaigns/${campaignId}/prospects?${q}`, { key: team.key }),
    );
    ids.push(...body.items.map((i) => i.personId));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

async function listEmailLog(b: Bench, team: Team, campaignId: string) {
  const rows: z.infer<typeof LogPage>["items"] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const q = new URLSearchParams({ campaignId, limit: "500", ...(cursor ? { cursor } : {}) });
    const body = LogPage.parse(await b.fetch(`/api/v1/email-log?${q}`, { key: team.key }));
    rows.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return rows;
}

async function count(d1: D1Database, sql: string, ...params: unknown[]): Promise<number> {
  const row = await d1
    .prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return Number(row?.n ?? 0);
}

/** `campaign_id IN` a JSON list bound as one parameter: D1 binds at most 100. */
const IN_CAMPAIGNS = "campaign_id IN (SELECT value FROM json_each(?))";

/**
 * Waits for the D1 mirror of a fresh enrollment of `n` prospects over `campaignIds` (a member
 * row and a Waiting Email Log row per prospect): the enroll call answers after its first
 * outbox flush; alarms write the rest.
 */
async function waitForEnrollMirror(b: Bench, campaignIds: string[], n: number, label: string) {
  const started = performance.now();
  const ids = JSON.stringify(campaignIds);
  const probe = async () => ({
    members: await count(
      b.d1,
      `SELECT count(*) AS n FROM campaign_member WHERE ${IN_CAMPAIGNS}`,
      ids,
    ),
    waiting: await count(
      b.d1,
      `SELECT count(*) AS n FROM email_log WHERE ${IN_CAMPAIGNS} AND status = 'waiting'`,
      ids,
    ),
  });
  const done = await waitFor(LIMITS.mirrorMs, async () => {
    const c = await probe();
    return c.members >= n && c.waiting >= n ? c : null;
  });
  const last = done ?? (await probe());
  check(`${label} D1 mirror: campaign_member rows`, last.members, n);
  check(`${label} D1 mirror: Email Log Waiting rows`, last.waiting, n);
  return performance.now() - started;
}

// ── (a) enroll

async function benchEnroll(b: Bench, team: Team) {
  const campaignId = await createCampaign(b, team, "Bench (a) enroll");
  const { ms, answer } = await enroll(b, team, campaignId);
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
  return { ms, mirrorMs };
}

// ── (b) due-stage throughput: the engine, then the bare loop

async function benchEngine(b: Bench, team: Team) {
  const n = team.people.length;
  const campaignId = await createCampaign(b, team, "Bench (b) sends");
  const enrolled = await enroll(b, team, campaignId);
  check("(b) enrolled", enrolled.answer.enrolled, n);
  // Sends start from a settled mirror, so the figure is the send path alone.
  await waitForEnrollMirror(b, [campaignId], n, "(b)");

  console.log(`(b) ${fmt(n)} enrolled and mirrored; activating, sends start now`);
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
  return { n, doMs, wallMs, enrollMs: enrolled.ms };
}

async function benchBare(b: Bench, n: number) {
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

async function reserveRound(b: Bench, team: Team, prefix: string) {
  const body = { teamId: team.teamId, prefix, ...RESERVE.round };
  const started = performance.now();
  const answer = ReserveAnswer.parse(await b.fetch("/bench/reserve", { method: "POST", body }));
  return { ms: performance.now() - started, granted: answer.granted };
}

/**
 * Rounds of concurrent reserve() calls against one limit. Each round's rate is reported: the
 * Account DO's ledger grows by one entry per reservation during a day.
 */
async function benchReservations(b: Bench, team: Team) {
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

const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);

// ── (d), (e) sending through Resend: the fake on loopback enforcing the provider's rate

/** (d)'s second row: campaigns this small send one batch each, so requests are the measure. */
const SMALL_CAMPAIGN = 50;
/** Campaigns created, enrolled and read this many at a time (2 cores, shared with workerd). */
const SETUP_WIDTH = 8;

type ResendRun = {
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

type ResendResult = {
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
function splitPeople(people: string[], mailboxes: string[]) {
  const per = Math.ceil(people.length / mailboxes.length);
  return mailboxes
    .map((mailboxId, i) => ({ mailboxId, people: people.slice(i * per, (i + 1) * per) }))
    .filter((p) => p.people.length > 0);
}

/** The run's ideal duration: each campaign sends its people in batches, one request a slot. */
function idealMs(run: ResendRun) {
  const requests = sum(run.parts.map((p) => Math.ceil(p.people.length / RESEND.batch)));
  return (requests / RESEND.ratePerSecond) * 1000;
}

/** `fn` over `items`, at most `width` at a time; answers in the order of `items`. */
async function inPool<T, R>(
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
async function benchResend(
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
function resendRate(r: ResendResult) {
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
function tooMany(stats: FakeStats) {
  const limiter = stats.requests - stats.sendRequests;
  return { limiter, injected: stats.rateLimited429 - limiter, total: stats.rateLimited429 };
}

// ── main

function table(rows: [string, string, string][]) {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`).join("\n");
}

/**
 * A (d) or (e) row. `emails`: emails/s against the 500 emails/s ceiling (batches of 100);
 * `requests`: accepted requests/s against the key's rate (batches of 50 cannot fill the ceiling).
 */
function resendRow(
  label: string,
  r: ResendResult,
  measure: "emails" | "requests",
): [string, string, string] {
  const { perS, share, requestsPerS, requestShare } = resendRate(r);
  const ceiling = RESEND.ratePerSecond * RESEND.batch;
  const t = tooMany(r.stats);
  const s = (ms: number) => `${fmt(ms / 1000, 2)} s`;
  const faults =
    r.stats.failuresInjected > 0
      ? `; ${r.stats.failuresInjected} faults injected (${t.injected} of them 429s), ${r.stats.idempotentReplays} idempotent replays`
      : "";
  const gaveUp =
    r.gaveUpAfterMs === null
      ? ""
      : `GAVE UP after ${s(r.gaveUpAfterMs)} with ${fmt(r.stats.accepted)} of ${fmt(r.n)} accepted; `;
  const requests = `${r.stats.sendRequests} send requests in ${r.batches} batches (largest ${r.largestBatch}); 429s: ${t.total} (${t.limiter} from the rate limiter)${faults}`;
  const clocks = `on the DO clock (${s(r.wallMs)} polled), ${r.campaigns} campaign(s)/mailboxes`;
  if (measure === "requests") {
    return [
      label,
      `${fmt(requestShare * 100, 1)} %`,
      `${gaveUp}${fmt(requestsPerS, 2)} of ${RESEND.ratePerSecond} requests/s: ${r.batches} batches accepted in ${s(r.elapsedMs)} (first at ${s(r.firstMs)}, 99% of emails in ${s(r.p99Ms)}) ${clocks}; ${fmt(r.stats.accepted)} emails, ${fmt(perS)}/s; ${requests}`,
    ];
  }
  return [
    label,
    `${fmt(share * 100, 1)} %`,
    `${gaveUp}${fmt(perS)} of ${fmt(ceiling)} emails/s: ${fmt(r.stats.accepted)} in ${s(r.elapsedMs)} (99% in ${s(r.p99Ms)}) ${clocks}; ${requests}`,
  ];
}

// ── (g) the inbound classifier, in Node (no Worker needed)

/** sisimai 4.25.15 (libsisimai-perl) on the same corpus on this 2-core machine. */
const SISIMAI_PER_S = 860;
const MAIL_CORPUS = join(ROOT, "..", "shared", "corpus", "bounces");

/** Messages/s of classifyMail over the corpus: one warm-up pass, then the median of 3. */
async function benchClassifier(): Promise<[string, string, string]> {
  if (!existsSync(MAIL_CORPUS)) throw new BenchError(`(g) no mail corpus at ${MAIL_CORPUS}`);
  const files = readdirSync(MAIL_CORPUS)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => readFileSync(join(MAIL_CORPUS, f)));
  let classified = 0;
  const pass = async () => {
    const start = performance.now();
    for (const raw of files) if ((await classifyMail(raw)).kind) classified++;
    return performance.now() - start;
  };
  await pass();
  const passes = [await pass(), await pass(), await pass()].sort((x, y) => x - y);
  check("(g) every corpus message classified", classified, files.length * 4);
  const perS = (files.length / passes[1]) * 1000;
  console.log(`(g) classified ${fmt(files.length)} messages at ${fmt(perS)} msgs/s`);
  return [
    "(g) mail:classify on the corpus",
    `${fmt(perS)} msgs/s`,
    `(×${fmt(perS / SISIMAI_PER_S, 2)} of sisimai's ≈${SISIMAI_PER_S}/s); ${fmt(files.length)} messages, median of 3 passes after a warm-up, in-process in Node`,
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "10000" },
      campaigns: { type: "string", default: "4" },
      "small-campaigns": { type: "string", default: "200" },
      only: { type: "string", default: "abcdeg" },
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
      .regex(/^[a-eg]+$/, "--only takes phase letters, e.g. --only de")
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
        `${fmt((peopleCount / a.ms) * 1000)} prospects/s; D1 mirror caught up ${s(a.mirrorMs)} after the answer`,
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
          `${fmt(engine.n)} Complete in ${s(engine.doMs)} on the DO clock (${s(engine.wallMs)} polled)`,
        ],
        [
          "(b) bare DO loop, same writes",
          `${fmt(rowsPerS)} /s`,
          `${fmt(bare.n)} rows in ${s(bare.doMs, 3)} on the DO clock (${s(bare.wallMs)} polled)`,
        ],
        [
          "(b) ratio engine / bare",
          fmt(sendsPerS / rowsPerS, 3),
          `the bare loop is ${fmt(rowsPerS / sendsPerS, 1)}× faster`,
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
          `granted ${fmt(c.expected)} = min(demand ${fmt(c.demand)}, limit ${fmt(RESERVE.limit)}); ${callers}×${calls} calls a round`,
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
      fake = await startResendFake({ maxEmailsKept: peopleCount });
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
        rows.push(resendRow(run.title, r, run.measure));
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
