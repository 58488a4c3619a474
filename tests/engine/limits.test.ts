import { resetClockForTest, setClockForTest } from "@workers/clock";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  alarmUntil,
  createCampaign,
  type EngineTeam,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  expectHumanLabel,
  listProspects,
  runAlarm,
  sinkMessages,
} from "../helpers/engine";

// The team's daily email limit (DESIGN.md "Daily limit"), enforced by the Account DO and
// seen through the API: defer and fail policies, usage, and a mailbox's own cap.

const at = (iso: string) => Date.parse(iso);
const TUESDAY_AFTERNOON = at("2030-03-05T15:00:00Z");
const NEXT_MIDNIGHT = "2030-03-06T00:00:00.000Z";

afterEach(() => resetClockForTest());

const Usage = z.object({
  sentToday: z.number(),
  remaining: z.number(),
  resetsAt: z.string(),
  dailyEmailLimit: z.number(),
  onLimit: z.enum(["defer", "fail"]),
  timeZone: z.string(),
});

async function usage(t: EngineTeam) {
  const res = await t.call("GET", "/api/v1/account/usage");
  expect(res.status, res.text).toBe(200);
  return Usage.parse(res.json);
}

async function setLimits(
  t: EngineTeam,
  dailyEmailLimit: number,
  onLimit: "defer" | "fail",
  timeZone = "UTC",
) {
  const res = await t.call("PUT", "/api/v1/account/limits", {
    dailyEmailLimit,
    onLimit,
    timeZone,
  });
  expect(res.status, res.text).toBe(200);
}

const person = (i: number) => ({
  firstName: `P${i}`,
  emails: [{ address: `p${i}@example.org`, type: "personal" as const }],
});

/** Runs alarms until no prospect of the campaign is Active any more. */
async function settle(t: EngineTeam, campaignId: string) {
  await alarmUntil(campaignId, async () =>
    (await listProspects(t, campaignId)).every((p) => p.status !== "active"),
  );
  await expectAlarmInvariant(campaignId);
  return listProspects(t, campaignId);
}

/**
 * One email already sent today, then the limit set 3 above that usage, then 5 people
 * enrolled into a campaign whose single stage is due at once.
 */
async function overTheLimit(label: string, onLimit: "defer" | "fail") {
  setClockForTest(TUESDAY_AFTERNOON);
  const t = await engineTeam(label);
  const [early, ...five] = await t.people([0, 1, 2, 3, 4, 5].map(person));
  const warmUp = await createCampaign(t, { name: "Earlier", stages: [emailStage(t.mailboxId, 0)] });
  await enroll(t, warmUp.id, [early]);
  await settle(t, warmUp.id);
  expect((await usage(t)).sentToday).toBe(1);
  await setLimits(t, 1 + 3, onLimit);

  const c = await createCampaign(t, { name: "Five", stages: [emailStage(t.mailboxId, 0)] });
  await enroll(t, c.id, five);
  const rows = await settle(t, c.id);
  return { t, c, rows, five };
}

describe("daily limit", () => {
  it("with the limit 3 above today's usage and policy defer, enrolling 5 sends 3 and holds 2 Pending (throttled) with their resume time", async () => {
    const { t, c, rows } = await overTheLimit("lm-defer", "defer");
    const sent = rows.filter((p) => p.status === "complete");
    const held = rows.filter((p) => p.status === "pending");
    expect(sent).toHaveLength(3);
    expect(held).toHaveLength(2);
    for (const p of held) {
      expect(p).toMatchObject({ reason: "throttled", stageIndex: 0, nextAt: NEXT_MIDNIGHT });
      expectHumanLabel(p.reasonLabel, /limit/);
      expect(p.reasonLabel).toContain(NEXT_MIDNIGHT);
    }
    expect(await sinkMessages(t.teamId)).toHaveLength(4);
    const log = await emailLogOf(t, c.id);
    expect(log.filter((m) => m.status === "sent")).toHaveLength(3);
    expect(log.filter((m) => m.status === "waiting")).toHaveLength(0);
  });

  it("deferred prospects go out by themselves when the next day's allowance opens", async () => {
    const { t, c } = await overTheLimit("lm-resume", "defer");
    setClockForTest(at("2030-03-05T23:59:00Z"));
    await runAlarm(c.id);
    expect((await listProspects(t, c.id)).filter((p) => p.status === "pending")).toHaveLength(2);
    setClockForTest(at(NEXT_MIDNIGHT) + 1_000);
    await runAlarm(c.id);
    await alarmUntil(c.id, async () =>
      (await listProspects(t, c.id)).every((p) => p.status === "complete"),
    );
    await expectAlarmInvariant(c.id);
    expect(await sinkMessages(t.teamId)).toHaveLength(6);
    expect(await usage(t)).toMatchObject({ sentToday: 2, remaining: 2 });
  });

  it("with policy fail, the 2 over the limit become Failed (email_limit) and nothing follows", async () => {
    const { t, c, rows } = await overTheLimit("lm-fail", "fail");
    const failed = rows.filter((p) => p.status === "failed");
    expect(rows.filter((p) => p.status === "complete")).toHaveLength(3);
    expect(failed).toHaveLength(2);
    for (const p of failed) {
      expect(p).toMatchObject({ reason: "email_limit" });
      expect(p.nextAt).toBeUndefined();
      expectHumanLabel(p.reasonLabel, /limit/);
    }
    // Nothing is pending: no alarm, and the next day brings nothing by itself.
    setClockForTest(at(NEXT_MIDNIGHT) + 60_000);
    expect(await runAlarm(c.id)).toBe(false);
    expect((await listProspects(t, c.id)).filter((p) => p.status === "failed")).toHaveLength(2);
    expect(await sinkMessages(t.teamId)).toHaveLength(4);
  });

  it("GET /api/v1/account/usage reports sentToday, remaining and resetsAt", async () => {
    setClockForTest(TUESDAY_AFTERNOON);
    const fresh = await engineTeam("lm-usage-fresh");
    expect(await usage(fresh)).toEqual({
      sentToday: 0,
      remaining: 5000,
      resetsAt: NEXT_MIDNIGHT,
      dailyEmailLimit: 5000,
      onLimit: "defer",
      timeZone: "UTC",
    });
    const { t } = await overTheLimit("lm-usage", "defer");
    expect(await usage(t)).toEqual({
      sentToday: 4,
      remaining: 0,
      resetsAt: NEXT_MIDNIGHT,
      dailyEmailLimit: 4,
      onLimit: "defer",
      timeZone: "UTC",
    });
  });

  it("a mailbox's own daily cap holds under a larger team limit; other mailboxes still send", async () => {
    setClockForTest(TUESDAY_AFTERNOON);
    const t = await engineTeam("lm-cap");
    const box = await t.call("POST", "/api/v1/mailboxes", {
      address: "capped@beacon.test",
      name: "Capped",
      dailyCap: 2,
    });
    expect(box.status, box.text).toBe(201);
    const capped = z.object({ id: z.string(), canSend: z.literal(true) }).parse(box.json).id;
    const people = await t.people([1, 2, 3, 4, 5].map(person));
    const c = await createCampaign(t, { name: "Capped", stages: [emailStage(capped, 0)] });
    await enroll(t, c.id, people.slice(0, 4));
    const rows = await settle(t, c.id);
    expect(rows.filter((p) => p.status === "complete")).toHaveLength(2);
    const held = rows.filter((p) => p.status === "pending");
    expect(held.map((p) => [p.reason, p.nextAt])).toEqual([
      ["throttled", NEXT_MIDNIGHT],
      ["throttled", NEXT_MIDNIGHT],
    ]);
    expect(await usage(t)).toMatchObject({ sentToday: 2, remaining: 4998 });

    const other = await createCampaign(t, { name: "Other", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, other.id, [people[4]]);
    expect((await settle(t, other.id)).map((p) => p.status)).toEqual(["complete"]);
  });

  it("the campaigns of a team share one daily limit", async () => {
    setClockForTest(TUESDAY_AFTERNOON);
    const t = await engineTeam("lm-shared");
    await setLimits(t, 3, "defer");
    const people = await t.people([1, 2, 3, 4].map(person));
    const a = await createCampaign(t, { name: "A", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, a.id, people.slice(0, 2));
    expect((await settle(t, a.id)).map((p) => p.status)).toEqual(["complete", "complete"]);
    const b = await createCampaign(t, { name: "B", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, b.id, people.slice(2));
    const rows = await settle(t, b.id);
    expect(rows.map((p) => p.status).sort()).toEqual(["complete", "pending"]);
    expect(await usage(t)).toMatchObject({ sentToday: 3, remaining: 0 });
  });

  it("changing the team's time zone back and forth hands out no second allowance", async () => {
    setClockForTest(TUESDAY_AFTERNOON); // 15:00 UTC = 05:00 the next day in Kiritimati (UTC+14)
    const t = await engineTeam("lm-zone-flip");
    await setLimits(t, 2, "defer");
    const people = await t.people([1, 2, 3, 4, 5, 6].map(person));
    const first = await createCampaign(t, { name: "First", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, first.id, people.slice(0, 2));
    expect((await settle(t, first.id)).map((p) => p.status)).toEqual(["complete", "complete"]);

    // Both sends fall on today in either zone (03-05 in UTC, 03-06 since 05:00 in
    // Kiritimati), so no zone change may free the allowance again.
    await setLimits(t, 2, "defer", "Pacific/Kiritimati");
    expect(await usage(t)).toMatchObject({ sentToday: 2, remaining: 0 });
    await setLimits(t, 2, "defer", "UTC");
    expect(await usage(t)).toMatchObject({ sentToday: 2, remaining: 0 });

    const second = await createCampaign(t, {
      name: "Second",
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, second.id, people.slice(2));
    const rows = await settle(t, second.id);
    expect(rows.map((p) => p.status)).toEqual(["pending", "pending", "pending", "pending"]);
    expect(await sinkMessages(t.teamId)).toHaveLength(2);
  });
});
