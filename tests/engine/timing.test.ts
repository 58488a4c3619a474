import { runInDurableObject } from "cloudflare:test";
import { clock, realTimeFor, resetClockForTest, setClockForTest } from "@workers/clock";
import { afterEach, describe, expect, it } from "vitest";
import {
  act,
  alarmUntil,
  campaignNamespaceStub,
  createCampaign,
  type EngineTeam,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  listProspects,
  prospectOf,
  runAlarm,
  sinkMessages,
} from "../helpers/engine";

// Timing inside the Durable Objects with the engine's injected clock: delays, business
// days, sending windows by time zone, the daily limit's day boundary, and the alarm.

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

afterEach(() => resetClockForTest());

const personal = (first: string, timeZone?: string) => ({
  firstName: first,
  emails: [{ address: `${first.toLowerCase()}@example.org`, type: "personal" as const }],
  ...(timeZone ? { timeZone } : {}),
});

async function alarmOf(campaignId: string) {
  return runInDurableObject(campaignNamespaceStub(campaignId), (_i, state) =>
    state.storage.getAlarm(),
  );
}

async function setTeamZone(t: EngineTeam, timeZone: string, dailyEmailLimit = 5000) {
  const res = await t.call("PUT", "/api/v1/account/limits", {
    dailyEmailLimit,
    onLimit: "defer",
    timeZone,
  });
  expect(res.status, res.text).toBe(200);
}

async function sentCount(t: EngineTeam) {
  return (await sinkMessages(t.teamId)).length;
}

async function nextAtOf(t: EngineTeam, campaignId: string, personId: string) {
  const row = await prospectOf(t, campaignId, personId);
  expect(row?.nextAt).toBeDefined();
  return Date.parse(row?.nextAt ?? "");
}

describe("delays", () => {
  it.each([
    ["minutes", 45],
    ["hours", 3 * 60],
    ["days", 2 * 1440],
  ])("a second stage delayed by %s goes out after its delay, not before", async (_unit, delay) => {
    setClockForTest(at("2030-01-07T10:00:00Z"));
    const t = await engineTeam(`tm-delay-${delay}`);
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Delayed",
      stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, delay)],
    });
    await enroll(t, c.id, [ann]);
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.stageIndex === 1);
    await expectAlarmInvariant(c.id);
    const [first] = await emailLogOf(t, c.id, "status=sent");
    const due = await nextAtOf(t, c.id, ann);
    expect(due - Date.parse(first.sentAt ?? "")).toBe(delay * MINUTE);
    // The alarm waits for that deadline (at its real time).
    expect(await alarmOf(c.id)).toBe(realTimeFor(due));

    setClockForTest(due - MINUTE);
    await runAlarm(c.id);
    expect(await prospectOf(t, c.id, ann)).toMatchObject({ status: "active", stageIndex: 1 });
    expect(await sentCount(t)).toBe(1);

    setClockForTest(due + 1_000);
    await runAlarm(c.id);
    expect(await prospectOf(t, c.id, ann)).toMatchObject({ status: "complete", stageIndex: 2 });
    expect(await sentCount(t)).toBe(2);
    expect(await alarmOf(c.id)).toBeNull();
  });
});

describe("business days only", () => {
  it("a stage due on Saturday goes out on Monday at the same time", async () => {
    setClockForTest(at("2030-01-11T10:00:00Z")); // a Friday
    const t = await engineTeam("tm-weekend");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Weekdays",
      businessDaysOnly: true,
      stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 1440)],
    });
    await enroll(t, c.id, [ann]);
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.stageIndex === 1);
    await expectAlarmInvariant(c.id);
    const due = await nextAtOf(t, c.id, ann);
    expect(due).toBeGreaterThanOrEqual(at("2030-01-14T10:00:00Z"));
    expect(due).toBeLessThan(at("2030-01-14T10:01:00Z"));

    setClockForTest(at("2030-01-12T10:30:00Z")); // Saturday, past the plain one-day delay
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
    setClockForTest(at("2030-01-14T09:59:00Z"));
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
    setClockForTest(due + 1_000);
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(2);
    expect((await prospectOf(t, c.id, ann))?.status).toBe("complete");
  });

  it("someone enrolled on a Saturday gets the first stage on Monday", async () => {
    setClockForTest(at("2030-01-12T11:00:00Z")); // a Saturday
    const t = await engineTeam("tm-saturday");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Weekdays",
      businessDaysOnly: true,
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann]);
    const due = await nextAtOf(t, c.id, ann);
    expect(due).toBeGreaterThanOrEqual(at("2030-01-14T11:00:00Z"));
    expect(due).toBeLessThan(at("2030-01-14T11:01:00Z"));
    setClockForTest(at("2030-01-13T23:00:00Z")); // Sunday night
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(0);
    setClockForTest(due + 1_000);
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
  });
});

describe("unpause and business days", () => {
  it("unpausing on a Saturday after the delay has run out makes the stage due on Monday", async () => {
    setClockForTest(at("2030-01-10T10:00:00Z")); // a Thursday
    const t = await engineTeam("tm-unpause-weekend");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Weekdays",
      businessDaysOnly: true,
      stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 1440)],
    });
    await enroll(t, c.id, [ann]);
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.stageIndex === 1);
    await expectAlarmInvariant(c.id);
    expect((await act(t, c.id, { action: "pause", personIds: [ann] })).status).toBe(200);
    setClockForTest(at("2030-01-12T15:00:00Z")); // Saturday
    expect((await act(t, c.id, { action: "unpause", personIds: [ann] })).status).toBe(200);
    const due = await nextAtOf(t, c.id, ann);
    expect(due).toBeGreaterThanOrEqual(at("2030-01-14T15:00:00Z"));
    expect(due).toBeLessThan(at("2030-01-14T15:01:00Z"));
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
  });
});

describe("sending window", () => {
  const window = { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" };

  it("the window is read in the prospect's own time zone", async () => {
    setClockForTest(at("2030-01-07T12:00:00Z")); // Monday: 21:00 in Tokyo, 07:00 in New York
    const t = await engineTeam("tm-window-own");
    await setTeamZone(t, "America/New_York");
    const [kenji] = await t.people([personal("Kenji", "Asia/Tokyo")]);
    const c = await createCampaign(t, {
      name: "Office hours",
      sendingWindow: window,
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [kenji]);
    // Tuesday 09:00 in Tokyo.
    expect(await nextAtOf(t, c.id, kenji)).toBe(at("2030-01-08T00:00:00Z"));
    setClockForTest(at("2030-01-07T14:30:00Z")); // inside New York's window, not Tokyo's
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(0);
    setClockForTest(at("2030-01-08T00:00:01Z"));
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
  });

  it("without a time zone on the prospect, the window is read in the team's time zone", async () => {
    setClockForTest(at("2030-01-07T12:00:00Z")); // Monday 07:00 in New York
    const t = await engineTeam("tm-window-team");
    await setTeamZone(t, "America/New_York");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Office hours",
      sendingWindow: window,
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann]);
    const due = await nextAtOf(t, c.id, ann);
    expect(due).toBe(at("2030-01-07T14:00:00Z")); // 09:00 in New York (EST)
    expect(await alarmOf(c.id)).toBe(realTimeFor(due));
    setClockForTest(at("2030-01-07T13:59:00Z"));
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(0);
    setClockForTest(at("2030-01-07T14:00:01Z"));
    await runAlarm(c.id);
    expect(await sentCount(t)).toBe(1);
  });
});

describe("the daily limit's day", () => {
  it("sends deferred by the limit go out once the next day starts in the team's time zone", async () => {
    // 22:00 on Monday in New York: the UTC day has already turned, New York's has not.
    setClockForTest(at("2030-01-08T03:00:00Z"));
    const t = await engineTeam("tm-rollover");
    await setTeamZone(t, "America/New_York", 2);
    const people = await t.people([personal("Ann"), personal("Bob"), personal("Cid")]);
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, people);
    await alarmUntil(c.id, async () =>
      (await listProspects(t, c.id)).every((p) => p.status !== "active"),
    );
    await expectAlarmInvariant(c.id);
    const rows = await listProspects(t, c.id);
    const held = rows.filter((p) => p.status === "pending");
    expect(rows.filter((p) => p.status === "complete")).toHaveLength(2);
    expect(held).toHaveLength(1);
    const midnight = "2030-01-08T05:00:00.000Z"; // 00:00 in New York
    expect(held[0]).toMatchObject({ reason: "throttled", nextAt: midnight });
    expect(held[0].reasonLabel).toContain(midnight);

    setClockForTest(at("2030-01-08T04:59:00Z"));
    await runAlarm(c.id);
    expect((await prospectOf(t, c.id, held[0].personId))?.status).toBe("pending");
    setClockForTest(at("2030-01-08T05:00:01Z"));
    await runAlarm(c.id);
    await alarmUntil(
      c.id,
      async () => (await prospectOf(t, c.id, held[0].personId))?.status === "complete",
    );
    await expectAlarmInvariant(c.id);
    expect(await sentCount(t)).toBe(3);
    const usage = await t.call("GET", "/api/v1/account/usage");
    expect(usage.json).toMatchObject({
      sentToday: 1,
      remaining: 1,
      resetsAt: "2030-01-09T05:00:00.000Z",
    });
  });
});

describe("the alarm", () => {
  it("a disabled campaign has no alarm and sends nothing; activated again, its due prospects go out", async () => {
    setClockForTest(at("2030-01-07T10:00:00Z"));
    const t = await engineTeam("tm-disabled");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [ann]);
    const due = await nextAtOf(t, c.id, ann);
    expect(await alarmOf(c.id)).toBe(realTimeFor(due));

    const disabled = await t.call("POST", `/api/v1/campaigns/${c.id}/disable`);
    expect(disabled.status).toBe(200);
    await expectAlarmInvariant(c.id);
    expect(await alarmOf(c.id)).toBeNull();
    setClockForTest(due + MINUTE);
    expect(await runAlarm(c.id)).toBe(false);
    expect(await sentCount(t)).toBe(0);
    expect((await prospectOf(t, c.id, ann))?.status).toBe("active");

    const activated = await t.call("POST", `/api/v1/campaigns/${c.id}/activate`);
    expect(activated.status).toBe(200);
    await expectAlarmInvariant(c.id);
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.status === "complete");
    expect(await sentCount(t)).toBe(1);
    await expectAlarmInvariant(c.id);
    expect(await alarmOf(c.id)).toBeNull();
  });

  it("a draft campaign with prospects has no alarm until it is activated", async () => {
    const t = await engineTeam("tm-draft");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Draft",
      status: "draft",
      stages: [emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann]);
    expect(await alarmOf(c.id)).toBeNull();
    expect(await sentCount(t)).toBe(0);
    expect((await t.call("POST", `/api/v1/campaigns/${c.id}/activate`)).status).toBe(200);
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.status === "complete");
    await expectAlarmInvariant(c.id);
  });

  it("the alarm follows the earliest deadline through pause, unpause, cancel, retry, edit and remove", async () => {
    setClockForTest(at("2030-01-07T10:00:00Z"));
    const t = await engineTeam("tm-invariant");
    const [ann, bob] = await t.people([personal("Ann"), personal("Bob")]);
    const c = await createCampaign(t, {
      name: "Two delays",
      stages: [emailStage(t.mailboxId, 30), emailStage(t.mailboxId, 60)],
    });
    await enroll(t, c.id, [ann]);
    setClockForTest(clock.now() + 10 * MINUTE);
    await enroll(t, c.id, [bob]);
    const annDue = await nextAtOf(t, c.id, ann);
    const bobDue = await nextAtOf(t, c.id, bob);
    expect(bobDue).toBeGreaterThan(annDue);
    expect(await alarmOf(c.id)).toBe(realTimeFor(annDue));

    await act(t, c.id, { action: "pause", personIds: [ann] });
    expect(await alarmOf(c.id)).toBe(realTimeFor(bobDue));
    await act(t, c.id, { action: "unpause", personIds: [ann] });
    expect(await alarmOf(c.id)).toBe(realTimeFor(annDue));

    const [annWaiting] = (await emailLogOf(t, c.id, "status=waiting")).filter(
      (m) => m.personId === ann,
    );
    expect((await t.call("POST", `/api/v1/email-log/${annWaiting.id}/cancel`)).status).toBe(200);
    await expectAlarmInvariant(c.id);
    expect(await alarmOf(c.id)).toBe(realTimeFor(bobDue));

    const view = await t.call("GET", `/api/v1/campaigns/${c.id}`);
    const version = (view.json as { version: number }).version;
    const edited = await t.call("PATCH", `/api/v1/campaigns/${c.id}`, {
      version,
      name: "Renamed",
    });
    expect(edited.status, edited.text).toBe(200);
    await expectAlarmInvariant(c.id);
    expect(await alarmOf(c.id)).toBe(realTimeFor(bobDue));

    await act(t, c.id, { action: "remove", personIds: [bob] });
    expect(await alarmOf(c.id)).toBeNull();

    // Retry makes Ann due now: the alarm is "at once", and it sends.
    await act(t, c.id, { action: "retry", personIds: [ann] });
    await alarmUntil(c.id, async () => (await prospectOf(t, c.id, ann))?.stageIndex === 1);
    await expectAlarmInvariant(c.id);
    expect(await alarmOf(c.id)).toBe(realTimeFor(await nextAtOf(t, c.id, ann)));
  });
});
