/**
 * `npm start`: configuration, build, migrations, demo seed, then `wrangler dev` on :8787.
 * Every step is idempotent, so a second start reuses the data and the demo API key.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigSchema } from "@workers/env";
import { DEV_VARS, ensureDevVars, localVars } from "./dev-vars";
import { describeSeed, SeedConfigError, seedDemo } from "./seed";

const PORT = 8787;

// Quiet and offline: no Request.cf download, no metrics, no per-statement traces.
const childEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
};
Object.assign(process.env, childEnv);

class StepFailed extends Error {}

/**
 * Runs a command found on PATH, where npm puts node_modules/.bin first, so wrangler and
 * remix run on the project's Node 22 rather than the machine's.
 */
function run(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env: childEnv, ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new StepFailed(`${command} ${args.join(" ")} failed (${signal ?? code})`));
    });
  });
}

function checkConfig(): void {
  if (ensureDevVars())
    console.log(`Created ${DEV_VARS} from .dev.vars.example with a new AUTH_SECRET.`);
  const parsed = ConfigSchema.safeParse(localVars());
  if (parsed.success) return;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
  throw new StepFailed(
    `${DEV_VARS} is invalid (see .dev.vars.example for every variable):\n${lines.join("\n")}`,
  );
}

/** Repeats the login once the server answers: wrangler's banner has scrolled it away. */
async function announceWhenReady(child: ChildProcess, summary: string): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`http://localhost:${PORT}/login`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (res.ok) {
        console.log(`\n${summary}\n`);
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
}

function serve(summary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("wrangler", ["dev", "--port", String(PORT)], {
      stdio: "inherit",
      env: childEnv,
    });
    // A terminal's Ctrl-C reaches the whole process group; a kill aimed at us alone
    // (a supervisor, a test) must still stop wrangler.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    void announceWhenReady(child, summary);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
    });
  });
}

async function main(): Promise<number> {
  checkConfig();
  console.log("\n▸ Building (remix vite:build)");
  await run("remix", ["vite:build"]);
  console.log("\n▸ Applying D1 migrations locally");
  // No stdin: wrangler then applies without asking for confirmation.
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  console.log("\n▸ Seeding the demo team");
  const report = await seedDemo();
  const banner = [
    "",
    "────────────────────────────────────────────────────────────────────────",
    `Beacon: http://localhost:${PORT}`,
    describeSeed(report),
    `Try: curl -H "Authorization: Bearer ${report.apiKey}" http://localhost:${PORT}/api/v1/people`,
    "────────────────────────────────────────────────────────────────────────",
    "",
  ];
  console.log(banner.join("\n"));
  return serve(
    [
      `Beacon is ready: http://localhost:${PORT}`,
      `Demo login:   ${report.email} / ${report.password}`,
      `Demo API key: ${report.apiKey}`,
    ].join("\n"),
  );
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const expected = err instanceof StepFailed || err instanceof SeedConfigError;
    console.error(expected ? `\n${err.message}` : err);
    process.exit(1);
  },
);
