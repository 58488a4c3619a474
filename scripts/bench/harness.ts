// The bench's harness: configuration, checks, and the real Worker in Miniflare.
import { type SpawnOptions, spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { convertV4MiniflareOptions, type Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { z } from "zod";
import type { FakeControl } from "../../tests/fakes/resend-control";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BENCH_WORKER = join(ROOT, "bench", "worker.ts");
/** BUILD_DIR as vite.config.ts reads it: a private build while another runs in build/. */
export const REMIX_BUILD = join(
  resolve(ROOT, process.env.BUILD_DIR ?? "build"),
  "server",
  "index.js",
);
export const MIGRATIONS = join(ROOT, "db", "migrations");

export const quietEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
};
Object.assign(process.env, quietEnv);

/** Bounds: every wait in the bench ends, and the whole run stays under 10 minutes. */
export const LIMITS = {
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
export const RESEND = {
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
export const RESERVE = { round: { callers: 50, calls: 20, n: 3 }, rounds: 2, limit: 5_000 };

export class BenchError extends Error {}

// ── small helpers

export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
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

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export type Check = { label: string; ok: boolean; detail: string };
export const checks: Check[] = [];

export function check(label: string, actual: unknown, expected: unknown): boolean {
  const ok = Object.is(actual, expected);
  checks.push({
    label,
    ok,
    detail: ok ? String(actual) : `got ${String(actual)}, expected ${String(expected)}`,
  });
  return ok;
}

/** Polls until `probe` answers non-null, at most `timeoutMs`; null on timeout. */
export async function waitFor<T>(
  timeoutMs: number,
  probe: () => Promise<T | null>,
): Promise<T | null> {
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
export async function snapshotRemixBuild(target: string): Promise<string> {
  if (!existsSync(REMIX_BUILD)) {
    console.log("No Remix server build: running remix vite:build…");
    await run("remix", ["vite:build"]);
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(dirname(REMIX_BUILD), target, { recursive: true });
  return join(target, "index.js");
}

export const RootConfigSchema = z.object({
  compatibility_date: z.string({ error: "wrangler.toml needs compatibility_date" }),
  compatibility_flags: z.array(z.string()),
  vars: z.record(z.string(), z.string()),
  d1_databases: z.array(z.object({ binding: z.string() })),
  durable_objects: z.object({
    bindings: z.array(z.object({ name: z.string(), class_name: z.string() })),
  }),
});

/** The production Worker's configuration (compatibility, bindings, vars). */
export function rootConfig() {
  return RootConfigSchema.parse(
    unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, { hideWarnings: true }),
  );
}

/**
 * Bundles bench/worker.ts (the real Worker plus the bench's pieces) as `wrangler deploy`
 * would, with the production compatibility settings.
 */
export async function bundle(dir: string, remixBuild: string): Promise<string> {
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
export function miniflareOptions(
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
    durableObjects: {
      ...durableObjects,
      BareLoop: { className: "BareLoop", useSQLite: true },
      BareParty: { className: "BareParty", useSQLite: true },
    },
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

export type Bench = {
  mf: Miniflare;
  d1: D1Database;
  fetch(path: string, init?: { method?: string; body?: unknown; key?: string }): Promise<unknown>;
};

export async function connect(mf: Miniflare): Promise<Bench> {
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
export async function migrate(d1: D1Database) {
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

export const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
