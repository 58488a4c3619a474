import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "@workers/app";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { campaignStub } from "@workers/data/campaigns";
import { db, schema } from "@workers/db/client";
import { runHousekeeping } from "@workers/housekeeping/index";
import { pokeOverdueCampaigns } from "@workers/housekeeping/overdue-campaigns";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  alarmUntil,
  campaignNamespaceStub,
  createCampaign,
  type EngineTeam,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  prospectOf,
  sinkMessages,
} from "./helpers/engine";

// The cron's housekeeping (DESIGN.md §2): the safety net that pokes campaigns whose D1
// mirror shows due work more than 5 minutes late, and the dispatcher that runs its jobs.
// Storage is shared by the tests of this file, so every assertion names its own campaigns.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const at = (iso: string) => Date.parse(iso);

afterEach(() => resetClockForTest());

const person = (first: string) => ({
  firstName: first,
  emails: [{ address: `${first.toLowerCase()}@example.org`, type: "personal" as const }],
});

async function alarmOf(campaignId: string) {
  return runInDurableObject(campaignNamespaceStub(campaignId), (_i, state) =>
    state.storage.getAlarm(),
  );
}

/** The lost alarm the safety net exists for. */
async function loseAlarm(campaignId: string) {
  await runInDurableObject(campaignNamespaceStub(campaignId), (_i, state) =>
    state.storage.deleteAlarm(),
  );
  expect(await alarmOf(campaignId)).toBeNull();
}

/** What the cron reads: the member's due time in the D1 mirror. */
async function mirroredNextAt(campaignId: string, personId: string) {
  const m = schema.campaignMember;
  const [row] = await db(env)
    .select({ nextAt: m.nextAt })
    .from(m)
    .where(and(eq(m.campaignId, campaignId), eq(m.personId, personId)));
  return row?.nextAt ?? null;
}

async function indexStatus(campaignId: string) {
  const row = await db(env).query.campaign.findFirst({
    where: eq(schema.campaign.id, campaignId),
  });
  return row?.status;
}

/** Captures console.log while `fn` runs; returns the safety net's lines. */
async function safetyNetLines(fn: () => Promise<void>) {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    await fn();
  } finally {
    log.mockRestore();
  }
  return lines.filter((l) => l.startsWith("housekeeping overdue-campaigns:"));
}

/** One cron tick, as Cloudflare calls it: the Worker's own scheduled() handler. */
async function runCron() {
  const lines = await safetyNetLines(async () => {
    const ctx = createExecutionContext();
    const controller = createScheduledController({
      cron: "*/5 * * * *",
      scheduledTime: Date.now(),
    });
    const handler: ExportedHandler<Env> = worker;
    await handler.scheduled?.(controller, env, ctx);
    await waitOnExecutionContext(ctx);
  });
  expect(lines, "one line per run").toHaveLength(1);
  return lines[0];
}

/** The ids a run's line lists under `label` ("armed", "nothing pending", "failed"). */
function listed(line: string, label: string): string[] {
  const match = line.match(new RegExp(`${label} \\d+ \\[([^\\]]*)\\]`));
  expect(match, `"${label}" in ${line}`).not.toBeNull();
  const ids = match?.[1] ?? "";
  return ids === "" ? [] : ids.split(",");
}

async function oneCampaign(t: EngineTeam, name: string, delayMinutes: number, extra = {}) {
  return createCampaign(t, {
    name,
    // A long second stage keeps the campaign pending once the first email is out.
    stages: [emailStage(t.mailboxId, delayMinutes), emailStage(t.mailboxId, 3 * 24 * 60)],
    ...extra,
  });
}

describe("the cron's safety net", () => {
  it("pokes an active campaign whose mirror shows work due 10 minutes ago, and only that one", async () => {
    const t0 = at("2030-01-07T10:00:00Z");
    setClockForTest(t0);
    const t = await engineTeam("hk-net");
    const [ann, bob, cat, dan] = await t.people([
      person("Ann"),
      person("Bob"),
      person("Cat"),
      person("Dan"),
    ]);
    const late = await oneCampaign(t, "Ten minutes late", 15);
    const slight = await oneCampaign(t, "One minute late", 24);
    const disabled = await oneCampaign(t, "Disabled", 15);
    const draft = await oneCampaign(t, "Draft", 15, { status: "draft" });
    await enroll(t, late.id, [ann]);
    await enroll(t, slight.id, [bob]);
    await enroll(t, disabled.id, [cat]);
    await enroll(t, draft.id, [dan]);
    expect((await t.call("POST", `/api/v1/campaigns/${disabled.id}/disable`)).status).toBe(200);
    expect(await indexStatus(late.id)).toBe("active");
    expect(await indexStatus(disabled.id)).toBe("disabled");
    expect(await indexStatus(draft.id)).toBe("draft");
    for (const c of [late, slight, disabled, draft]) await loseAlarm(c.id);

    // Each member is mirrored as due at its stage's delay after enrolment (t0 and a few ms).
    const lateDue = await mirroredNextAt(late.id, ann);
    const slightDue = await mirroredNextAt(slight.id, bob);
    expect(lateDue).toBeGreaterThanOrEqual(t0 + 15 * MINUTE);
    expect(lateDue).toBeLessThan(t0 + 16 * MINUTE);
    expect(slightDue).toBeGreaterThanOrEqual(t0 + 24 * MINUTE);
    expect(slightDue).toBeLessThan(t0 + 25 * MINUTE);
    expect(await mirroredNextAt(disabled.id, cat)).toBeLessThan(t0 + 16 * MINUTE);
    expect(await mirroredNextAt(draft.id, dan)).toBeLessThan(t0 + 16 * MINUTE);

    // At t0 + 25 min: Ann's email is ~10 minutes late (> 5: poked), Bob's ~1 (not yet).
    setClockForTest(t0 + 25 * MINUTE);
    const line = await runCron();
    expect(listed(line, "armed")).toContain(late.id);
    for (const c of [slight, disabled, draft]) expect(line).not.toContain(c.id);
    expect(await alarmOf(late.id)).not.toBeNull();
    expect(await alarmOf(slight.id)).toBeNull();
    expect(await alarmOf(disabled.id)).toBeNull();
    expect(await alarmOf(draft.id)).toBeNull();
    await expectAlarmInvariant(late.id);

    // A second run straight after is harmless: the alarm stays, and Ann gets one email.
    await runCron();
    expect(await alarmOf(late.id)).not.toBeNull();
    await alarmUntil(late.id, async () => (await prospectOf(t, late.id, ann))?.stageIndex === 1);
    const sent = await sinkMessages(t.teamId);
    expect(sent.map((m) => m.to)).toEqual(["ann@example.org"]);
    await expectAlarmInvariant(late.id);

    // Ann's next email is three days away now, so the next run leaves the campaign alone.
    const after = await runCron();
    expect(after).not.toContain(late.id);
    expect(await sinkMessages(t.teamId)).toHaveLength(1);

    // Five minutes on, Bob's email is ~6 minutes late: now it is his campaign's turn.
    setClockForTest(t0 + 30 * MINUTE);
    const later = await runCron();
    expect(listed(later, "armed")).toContain(slight.id);
    for (const c of [late, disabled, draft]) expect(later).not.toContain(c.id);
    expect(await alarmOf(slight.id)).not.toBeNull();
    expect(await alarmOf(disabled.id)).toBeNull();
    expect(await alarmOf(draft.id)).toBeNull();
  });

  it("goes on past a poke that fails, warns about it and lists it as failed", async () => {
    // Earlier than the other test's clock: its campaigns are not due yet here.
    const t0 = at("2029-06-04T10:00:00Z");
    setClockForTest(t0);
    const t = await engineTeam("hk-fail");
    const [eve, fay] = await t.people([person("Eve"), person("Fay")]);
    const broken = await oneCampaign(t, "Unreachable", 15);
    const fine = await oneCampaign(t, "Reachable", 15);
    await enroll(t, broken.id, [eve]);
    await enroll(t, fine.id, [fay]);
    await loseAlarm(broken.id);
    await loseAlarm(fine.id);
    setClockForTest(t0 + DAY);

    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
      warnings.push(args.map(String).join(" "));
    });
    const lines = await safetyNetLines(() =>
      pokeOverdueCampaigns(env, clock.now(), async (e, campaignId) => {
        if (campaignId === broken.id) throw new Error("the object is unreachable");
        return (await campaignStub(e, campaignId)).poke();
      }),
    );

    expect(lines).toHaveLength(1);
    expect(listed(lines[0], "failed")).toEqual([broken.id]);
    expect(listed(lines[0], "armed")).toContain(fine.id);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(broken.id);
    expect(warnings[0]).toContain("the object is unreachable");
    expect(await alarmOf(fine.id)).not.toBeNull();
    expect(await alarmOf(broken.id)).toBeNull();
  });
});

describe("the housekeeping dispatcher", () => {
  it("runs every job with the same now, and a job that throws stops no other", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ran: [string, number][] = [];
    const now = at("2030-03-01T00:00:00Z");
    await runHousekeeping(env, now, [
      {
        name: "first",
        run: async (_e, n) => {
          ran.push(["first", n]);
        },
      },
      {
        name: "broken",
        run: async () => {
          throw new Error("boom");
        },
      },
      {
        name: "last",
        run: async (_e, n) => {
          ran.push(["last", n]);
        },
      },
    ]);
    expect(ran).toEqual([
      ["first", now],
      ["last", now],
    ]);
    // The failure is unexpected, so it is an error, logged once with the job's name.
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0][0])).toContain("housekeeping job broken failed");
  });
});
