/**
 * Seeds the demo team into local D1, idempotently: a second run finds and reuses every row.
 * Runs in Node through wrangler's getPlatformProxy, which opens the same local state as
 * `wrangler dev`, and writes through the project's own modules (better-auth, drizzle).
 *
 *   npm run seed [-- --persist-to <dir>]
 *
 * Node needs scripts/workerd-modules.mjs preloaded (`tsx --import`), as package.json does.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createApiKey, generateApiKey, hashApiKey } from "@workers/auth/api-keys";
import { getAuth } from "@workers/auth/auth";
import { newSyncToken } from "@workers/core/mailboxes";
import { PersonInputSchema } from "@workers/core/people";
import { insertPeople } from "@workers/data/people";
import { createTeam } from "@workers/data/teams";
import { type Db, db, schema } from "@workers/db/client";
import { config } from "@workers/env";
import { and, count, eq } from "drizzle-orm";
import { getPlatformProxy } from "wrangler";
import { z } from "zod";
import { demoPeople } from "./demo-people";
import { DEV_VARS, fillDevVar, localVars, readDevVars, readWranglerConfig } from "./dev-vars";

export const DEMO = {
  email: "demo@beacon.test",
  password: "beacon-demo-2026",
  name: "Dana Demo",
  teamName: "Demo Recruiting",
  mailbox: { address: "dana@demo.beacon.test", name: "Dana Demo" },
  peopleCount: 200,
  jobs: [
    {
      title: "Senior Backend Engineer",
      stages: ["Sourced", "Contacted", "Phone screen", "Onsite", "Offer", "Hired"],
    },
    {
      title: "Product Designer",
      stages: ["Sourced", "Contacted", "Portfolio review", "Onsite", "Offer"],
    },
  ],
} as const;

const DemoApiKeySchema = z
  .string()
  .trim()
  .min(32, "DEMO_API_KEY must be at least 32 characters (leave it empty to have one generated)")
  .regex(/^\S+$/, "DEMO_API_KEY must not contain spaces");

/** A configuration mistake the developer fixes; reported as a message, not a stack. */
export class SeedConfigError extends Error {}

export type SeedReport = {
  email: string;
  password: string;
  apiKey: string;
  apiKeyRevoked: boolean;
  teamId: string;
  /** What this run created; everything else was already there and reused. */
  created: string[];
};

async function ensureUser(env: Env, d: Db, created: string[]): Promise<string> {
  const existing = await d.query.user.findFirst({
    where: eq(schema.user.email, DEMO.email),
    columns: { id: true },
  });
  if (existing) return existing.id;
  // Through better-auth, so the password hash is the one sign-in checks.
  const res = await getAuth(env).api.signUpEmail({
    body: { email: DEMO.email, password: DEMO.password, name: DEMO.name },
  });
  created.push("demo user");
  return res.user.id;
}

async function ensureTeam(env: Env, d: Db, userId: string, created: string[]): Promise<string> {
  const [existing] = await d
    .select({ id: schema.organization.id })
    .from(schema.member)
    .innerJoin(schema.organization, eq(schema.member.organizationId, schema.organization.id))
    .where(and(eq(schema.member.userId, userId), eq(schema.organization.name, DEMO.teamName)))
    .limit(1);
  if (existing) return existing.id;
  // createTeam stores the default settings (UTC, 5,000 a day, defer). Changing them goes
  // through the Account Durable Object, which runs only inside the Worker.
  const teamId = await createTeam(env, userId, DEMO.teamName);
  created.push("team");
  return teamId;
}

async function ensureMailbox(
  env: Env,
  d: Db,
  teamId: string,
  userId: string,
  created: string[],
): Promise<void> {
  const capturesReplies = Boolean(config(env).INBOUND_DOMAIN);
  const existing = await d.query.mailbox.findFirst({
    where: and(eq(schema.mailbox.teamId, teamId), eq(schema.mailbox.address, DEMO.mailbox.address)),
    columns: { id: true, capturesReplies: true },
  });
  if (existing) {
    // Replies can be captured exactly when an inbound domain is configured now.
    if (existing.capturesReplies !== capturesReplies) {
      await d
        .update(schema.mailbox)
        .set({ capturesReplies, checkedAt: new Date() })
        .where(and(eq(schema.mailbox.id, existing.id), eq(schema.mailbox.teamId, teamId)));
    }
    return;
  }
  // Verified by fiat: the demo mailbox sends through the local sink.
  await d.insert(schema.mailbox).values({
    id: crypto.randomUUID(),
    teamId,
    userId,
    address: DEMO.mailbox.address,
    name: DEMO.mailbox.name,
    canSend: true,
    capturesReplies,
    syncToken: newSyncToken((b) => crypto.getRandomValues(b)),
    checkedAt: new Date(),
  });
  created.push("mailbox");
}

async function ensureJobs(d: Db, teamId: string, created: string[]): Promise<void> {
  for (const job of DEMO.jobs) {
    const existing = await d.query.job.findFirst({
      where: and(eq(schema.job.teamId, teamId), eq(schema.job.title, job.title)),
      columns: { id: true },
    });
    if (existing) continue;
    const jobId = crypto.randomUUID();
    // One batch is one transaction: a job never exists without its stages.
    await d.batch([
      d.insert(schema.job).values({ id: jobId, teamId, title: job.title }),
      d.insert(schema.jobStage).values(
        job.stages.map((name, position) => ({
          id: crypto.randomUUID(),
          teamId,
          jobId,
          name,
          position,
        })),
      ),
    ]);
    created.push(`job "${job.title}"`);
  }
}

async function ensurePeople(d: Db, teamId: string, userId: string, created: string[]) {
  const [{ n }] = await d
    .select({ n: count() })
    .from(schema.person)
    .where(eq(schema.person.teamId, teamId));
  // Seeded once: people the user deleted or added later are theirs to keep.
  if (n > 0) return;
  const people = z.array(PersonInputSchema).parse(demoPeople(DEMO.peopleCount));
  await insertPeople(d, teamId, userId, people);
  created.push(`${DEMO.peopleCount} people`);
}

/** The demo API key: DEMO_API_KEY from the environment, else .dev.vars, else a new one. */
function chooseApiKey(): { key: string; generated: boolean } {
  const fromProcess = process.env.DEMO_API_KEY?.trim();
  const given = fromProcess || readDevVars()?.DEMO_API_KEY?.trim();
  if (given) {
    const parsed = DemoApiKeySchema.safeParse(given);
    if (!parsed.success) {
      const where = fromProcess ? "the environment" : DEV_VARS;
      throw new SeedConfigError(
        `DEMO_API_KEY in ${where} is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
      );
    }
    return { key: parsed.data, generated: false };
  }
  return { key: generateApiKey(), generated: true };
}

async function ensureApiKey(
  d: Db,
  teamId: string,
  userId: string,
  choice: { key: string; generated: boolean },
  created: string[],
) {
  const { key, generated } = choice;
  const keyHash = await hashApiKey(key);
  const existing = await d.query.apiKey.findFirst({
    where: eq(schema.apiKey.keyHash, keyHash),
    columns: { teamId: true, revokedAt: true },
  });
  if (existing && existing.teamId !== teamId) {
    throw new SeedConfigError(
      "DEMO_API_KEY is already the key of another team in the local database; choose another one.",
    );
  }
  if (!existing) {
    await createApiKey(d, { teamId, userId, name: "Demo key", key });
    created.push("API key");
  }
  // Kept only after it is stored, so .dev.vars never names a key the database lacks.
  if (generated) fillDevVar("DEMO_API_KEY", key);
  return { key, revoked: Boolean(existing?.revokedAt) };
}

/**
 * A copy of wrangler.toml with only what the seed touches (D1 and the variables, with
 * .dev.vars applied as wrangler dev applies it). Without the Durable Object bindings, whose
 * classes live in the Worker the proxy does not run, workerd has nothing to warn about; D1
 * keeps its database_id, so the proxy opens the very database `wrangler dev` serves.
 */
function writeSeedConfig(): string {
  const wrangler = readWranglerConfig();
  const file = resolve(".wrangler/tmp/seed.wrangler.json");
  mkdirSync(dirname(file), { recursive: true });
  const trimmed = {
    name: wrangler.name,
    compatibility_date: wrangler.compatibility_date,
    compatibility_flags: wrangler.compatibility_flags,
    d1_databases: wrangler.d1_databases,
    vars: localVars(wrangler),
  };
  writeFileSync(file, JSON.stringify(trimmed, null, 2), { mode: 0o600 });
  return file;
}

/** Seeds the demo team into the local state wrangler dev uses (or `persistTo`). */
export async function seedDemo(options: { persistTo?: string } = {}): Promise<SeedReport> {
  // Before anything is written: a bad DEMO_API_KEY stops the seed with nothing half done.
  const keyChoice = chooseApiKey();
  const configPath = writeSeedConfig();
  const persistRoot = resolve(options.persistTo ?? ".wrangler/state");
  let proxy: Awaited<ReturnType<typeof getPlatformProxy<Env>>>;
  try {
    proxy = await getPlatformProxy<Env>({ configPath, persist: { path: join(persistRoot, "v3") } });
  } finally {
    // It holds AUTH_SECRET: gone as soon as the proxy has read it.
    rmSync(configPath, { force: true });
  }
  try {
    const env = proxy.env;
    const d = db(env);
    const created: string[] = [];
    const userId = await ensureUser(env, d, created);
    const teamId = await ensureTeam(env, d, userId, created);
    await ensureMailbox(env, d, teamId, userId, created);
    await ensureJobs(d, teamId, created);
    await ensurePeople(d, teamId, userId, created);
    const key = await ensureApiKey(d, teamId, userId, keyChoice, created);
    return {
      email: DEMO.email,
      password: DEMO.password,
      apiKey: key.key,
      apiKeyRevoked: key.revoked,
      teamId,
      created,
    };
  } finally {
    await proxy.dispose();
  }
}

export function describeSeed(report: SeedReport): string {
  const lines = [
    report.created.length > 0
      ? `Seeded: ${report.created.join(", ")}.`
      : "Demo data already seeded; reused it.",
    `Demo login:   ${report.email} / ${report.password}`,
    `Demo API key: ${report.apiKey}`,
  ];
  if (report.apiKeyRevoked) {
    lines.push(
      `  (this key was revoked in Settings; empty DEMO_API_KEY in ${DEV_VARS} to get a new one)`,
    );
  }
  return lines.join("\n");
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? "").href;
if (isMain) {
  const { values } = parseArgs({ options: { "persist-to": { type: "string" } } });
  try {
    console.log(describeSeed(await seedDemo({ persistTo: values["persist-to"] })));
  } catch (err) {
    if (!(err instanceof SeedConfigError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
