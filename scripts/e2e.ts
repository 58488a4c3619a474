/**
 * Browser tests against a real `wrangler dev` on fresh local state:
 * migrations → server on E2E_PORT (8799) → node's test runner over tests/e2e → server stopped.
 * Needs a build (`npm run build`) and Chromium at /usr/bin/chromium (or E2E_CHROMIUM).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const PORT = Number(process.env.E2E_PORT ?? 8799);
const BASE_URL = `http://localhost:${PORT}`;
const STARTUP_LIMIT_MS = 120_000;

const childEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
};

function run(command: string, args: string[], stdio: "inherit" | "ignore" = "inherit") {
  return new Promise<number>((done, fail) => {
    const child = spawn(command, args, { stdio: ["ignore", stdio, "inherit"], env: childEnv });
    child.on("error", fail);
    child.on("exit", (code) => done(code ?? 1));
  });
}

async function waitUntilServing(server: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited (${server.exitCode})`);
    try {
      const res = await fetch(`${BASE_URL}/login`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`wrangler dev did not answer on ${BASE_URL} within ${STARTUP_LIMIT_MS / 1000}s`);
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => server.kill("SIGKILL"), 10_000);
    server.once("exit", () => {
      clearTimeout(force);
      done();
    });
    server.kill("SIGTERM");
  });
}

async function main(): Promise<number> {
  if (!existsSync("build/server/index.js")) {
    console.error("No build: run `npm run build` first (npm test does).");
    return 1;
  }
  // `npm run test:e2e -- tests/e2e/people.test.ts` runs only the files named.
  const named = process.argv.slice(2);
  const files =
    named.length > 0
      ? named
      : readdirSync("tests/e2e")
          .filter((f) => f.endsWith(".test.ts"))
          .sort()
          .map((f) => join("tests/e2e", f));
  if (files.length === 0) {
    console.error("No browser tests found in tests/e2e.");
    return 1;
  }

  // Fresh state every run, and no dependence on the developer's .dev.vars: the server gets
  // its own throwaway configuration (wrangler skips .dev.vars when --env-file is given).
  const stateDir = process.env.E2E_STATE_DIR
    ? resolve(process.env.E2E_STATE_DIR)
    : mkdtempSync(join(tmpdir(), "beacon-e2e-"));
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const envFile = join(stateDir, "e2e.env");
  writeFileSync(
    envFile,
    [
      `AUTH_SECRET=${randomBytes(32).toString("base64url")}`,
      "INBOUND_DOMAIN=inbound.e2e.test",
      "RESEND_API_KEY=",
      "RESEND_BASE_URL=",
      "RESEND_WEBHOOK_SECRET=",
      "TWILIO_ACCOUNT_SID=",
      "TWILIO_AUTH_TOKEN=",
      "TWILIO_FROM=",
      "DEMO_API_KEY=",
      // Every browser test signs up its own users from one address: more than the default 20.
      "SIGN_UP_LIMIT=1000",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );

  console.log(`▸ e2e: applying migrations into ${stateDir}`);
  const migrated = await run(
    "wrangler",
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    "ignore",
  );
  if (migrated !== 0) {
    console.error("Applying the migrations failed.");
    return 1;
  }

  console.log(`▸ e2e: starting wrangler dev on ${BASE_URL}`);
  const server = spawn(
    "wrangler",
    [
      "dev",
      "--port",
      String(PORT),
      "--persist-to",
      stateDir,
      "--env-file",
      envFile,
      "--var",
      `PUBLIC_URL:${BASE_URL}`,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"], env: childEnv },
  );
  const cleanup = () => {
    server.kill("SIGTERM");
  };
  process.once("SIGINT", cleanup);
  process.once("SIGTERM", cleanup);
  try {
    await waitUntilServing(server);
    console.log(`▸ e2e: running ${files.length} browser test file(s)`);
    const tests = spawn(
      process.execPath,
      ["--import", "tsx", "--test", "--test-concurrency=1", ...files],
      { stdio: "inherit", env: { ...childEnv, E2E_BASE_URL: BASE_URL } },
    );
    return await new Promise<number>((done, fail) => {
      tests.on("error", fail);
      tests.on("exit", (code) => done(code ?? 1));
    });
  } finally {
    await stop(server);
    process.off("SIGINT", cleanup);
    process.off("SIGTERM", cleanup);
    if (!process.env.E2E_STATE_DIR) rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
