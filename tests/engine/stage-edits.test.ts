// Issue #7 hole 2: a prospect's position is a stage id, never an index. Edits through
// PATCH /api/v1/campaigns/:id with stages as GET returned them, and who gets what after.

import { runInDurableObject } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  act,
  campaignNamespaceStub,
  createCampaign,
  type EngineTeam,
  ErrorBody,
  engineTeam,
  enroll,
  listProspects,
  runAlarm,
  sinkMessages,
} from "../helpers/engine";

afterEach(() => resetClockForTest());

const DAY = 24 * 60;
const Campaign = z.object({
  id: z.string(),
  version: z.number(),
  stages: z.array(
    z.record(z.string(), z.unknown()).and(z.object({ id: z.string(), type: z.string() })),
  ),
});

const email = (t: EngineTeam, subject: string, delayMinutes: number) => ({
  type: "email",
  delayMinutes,
  mailboxId: t.mailboxId,
  subject,
  body: "Hi {{firstName}}",
});

async function read(t: EngineTeam, id: string) {
  const res = await t.call("GET", `/api/v1/campaigns/${id}`);
  expect(res.status, res.text).toBe(200);
  return Campaign.parse(res.json);
}

async function patchStages(t: EngineTeam, id: string, stages: unknown[]) {
  const { version } = await read(t, id);
  return t.call("PATCH", `/api/v1/campaigns/${id}`, { version, stages });
}

async function subjectsSent(t: EngineTeam) {
  return (await sinkMessages(t.teamId)).map((m) => m.subject).sort();
}

/** Moves the engine's clock on and runs the alarm until nothing more is due by then. */
async function advance(campaignId: string, minutes: number) {
  setClockForTest(clock.now() + minutes * 60_000);
  for (let i = 0; i < 5; i++) await runAlarm(campaignId);
}

/** One person who has been sent stage "One" and now waits for stage "Two" (a day later). */
async function waitingForTwo(label: string, stages: (t: EngineTeam) => unknown[]) {
  const t = await engineTeam(label);
  const ids = await t.people([
    { firstName: "Ada", emails: [{ address: `ada@${label}.example.org`, type: "personal" }] },
  ]);
  const c = await createCampaign(t, { name: label, stages: stages(t) });
  await enroll(t, c.id, ids);
  await advance(c.id, 1);
  expect(await subjectsSent(t)).toEqual(["One"]);
  const [p] = await listProspects(t, c.id);
  expect(p.stageIndex).toBe(1);
  return { t, c, personId: ids[0], stageTwo: p.stageId };
}

describe("stage edits keep everyone on the stage they were waiting for", () => {
  it("a stage inserted in front is not sent to someone waiting for a later stage; deleting a passed stage sends nothing", async () => {
    const s = await waitingForTwo("insert-front", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
    ]);
    const before = await read(s.t, s.c.id);
    const inserted = await patchStages(s.t, s.c.id, [email(s.t, "Zero", 0), ...before.stages]);
    expect(inserted.status, inserted.text).toBe(200);
    let [p] = await listProspects(s.t, s.c.id);
    expect(p.stageId).toBe(s.stageTwo);
    expect(p.stageIndex).toBe(2);
    expect(p.status).toBe("active");
    // The profile's mirror takes the new place too.
    const profile = await s.t.call("GET", `/api/v1/people/${s.personId}`);
    expect(profile.json).toMatchObject({ outreach: [{ stageId: s.stageTwo, stageIndex: 2 }] });
    await advance(s.c.id, 5);
    expect(await subjectsSent(s.t)).toEqual(["One"]);

    const now = await read(s.t, s.c.id);
    const deleted = await patchStages(
      s.t,
      s.c.id,
      now.stages.filter((st) => st.subject !== "One"),
    );
    expect(deleted.status, deleted.text).toBe(200);
    [p] = await listProspects(s.t, s.c.id);
    expect(p).toMatchObject({ status: "active", stageId: s.stageTwo, stageIndex: 1 });
    await advance(s.c.id, 5);
    expect(await subjectsSent(s.t)).toEqual(["One"]);
    await advance(s.c.id, DAY);
    expect(await subjectsSent(s.t)).toEqual(["One", "Two"]);
    [p] = await listProspects(s.t, s.c.id);
    expect(p.status).toBe("complete");
  });

  it("deleting a stage nobody is at or before is allowed; with someone at or before it the answer counts them and says how to skip", async () => {
    const s = await waitingForTwo("delete-rule", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
      email(t, "Three", DAY),
    ]);
    const stages = (await read(s.t, s.c.id)).stages;
    for (const gone of ["Two", "Three"]) {
      const res = await patchStages(
        s.t,
        s.c.id,
        stages.filter((st) => st.subject !== gone),
      );
      expect(res.status, res.text).toBe(409);
      const body = ErrorBody.parse(res.json);
      expect(body.error.message).toMatch(/1 prospect/);
      expect(body.error.message).toMatch(/skip/i);
    }
    const res = await patchStages(
      s.t,
      s.c.id,
      stages.filter((st) => st.subject !== "One"),
    );
    expect(res.status, res.text).toBe(200);
    const [p] = await listProspects(s.t, s.c.id);
    expect(p.stageId).toBe(s.stageTwo);
  });

  it("a stage inserted after someone's position is sent to them in order", async () => {
    const s = await waitingForTwo("insert-after", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
      email(t, "Three", DAY),
    ]);
    const stages = (await read(s.t, s.c.id)).stages;
    const res = await patchStages(s.t, s.c.id, [
      stages[0],
      stages[1],
      email(s.t, "Two and a half", DAY),
      stages[2],
    ]);
    expect(res.status, res.text).toBe(200);
    const order: string[] = [];
    for (let day = 0; day < 4; day++) {
      await advance(s.c.id, DAY + 1);
      for (const sub of await subjectsSent(s.t))
        if (!order.includes(sub ?? "")) order.push(sub ?? "");
    }
    expect(order).toEqual(["One", "Two", "Two and a half", "Three"]);
  });

  it("reordering keeps each prospect on the stage they were waiting for; what follows it in the new order comes next", async () => {
    const s = await waitingForTwo("reorder", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
      email(t, "Three", DAY),
    ]);
    const [one, two, three] = (await read(s.t, s.c.id)).stages;
    const res = await patchStages(s.t, s.c.id, [three, one, two]);
    // "Three" moves before them and "One" was passed: they are at the last stage now.
    expect(res.status, res.text).toBe(200);
    const [p] = await listProspects(s.t, s.c.id);
    expect(p).toMatchObject({ stageId: two.id, stageIndex: 2, status: "active" });
    await advance(s.c.id, DAY + 1);
    await advance(s.c.id, DAY + 1);
    expect(await subjectsSent(s.t)).toEqual(["One", "Two"]);
    expect((await listProspects(s.t, s.c.id))[0].status).toBe("complete");
  });

  it("changing a stage's type makes it a new stage: refused ahead of live prospects, a new id behind them", async () => {
    const s = await waitingForTwo("type-change", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
      email(t, "Three", DAY),
    ]);
    const [one, two, three] = (await read(s.t, s.c.id)).stages;
    const task = (id: string) => ({ id, type: "task", delayMinutes: DAY, title: "Call them" });
    const ahead = await patchStages(s.t, s.c.id, [one, two, task(three.id)]);
    expect(ahead.status, ahead.text).toBe(409);
    const behind = await patchStages(s.t, s.c.id, [task(one.id), two, three]);
    expect(behind.status, behind.text).toBe(200);
    const after = await read(s.t, s.c.id);
    expect(after.stages[0].id).not.toBe(one.id);
    expect(after.stages[0].type).toBe("task");
    const [p] = await listProspects(s.t, s.c.id);
    expect(p.stageId).toBe(two.id);
    await advance(s.c.id, DAY + 1);
    expect(await subjectsSent(s.t)).toEqual(["One", "Two"]);
  });

  it("Complete prospects at a deleted stage stay Complete and nothing is sent to them", async () => {
    const s = await waitingForTwo("complete-at-deleted", (t) => [
      email(t, "One", 0),
      email(t, "Two", DAY),
    ]);
    const fin = await act(s.t, s.c.id, { action: "finish", personIds: [s.personId] });
    expect(fin.status, fin.text).toBe(200);
    const [one] = (await read(s.t, s.c.id)).stages;
    const res = await patchStages(s.t, s.c.id, [one, email(s.t, "New last", DAY)]);
    expect(res.status, res.text).toBe(200);
    await advance(s.c.id, 3 * DAY);
    expect(await subjectsSent(s.t)).toEqual(["One"]);
    expect((await listProspects(s.t, s.c.id))[0].status).toBe("complete");
  });
});

describe("due work is never blocked by rows that cannot be sent", () => {
  it("120 prospects past the last stage become Complete and a due prospect behind them is sent", async () => {
    const label = "unsendable";
    const t = await engineTeam(label);
    const ids = await t.people(
      Array.from({ length: 121 }, (_, i) => ({
        firstName: `P${i}`,
        emails: [{ address: `p${i}@${label}.example.org`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, { name: label, stages: [email(t, "One", 60)] });
    await enroll(t, c.id, ids);
    const stuck = ids.slice(0, 120);
    // Arranged as an older release left them: Active, due long ago, past the last stage.
    await runInDurableObject(campaignNamespaceStub(c.id), (_o, state) => {
      state.storage.sql.exec(
        "UPDATE prospect SET stage_id = NULL, next_at = ? WHERE person_id IN (SELECT value FROM json_each(?))",
        clock.now() - 3_600_000,
        JSON.stringify(stuck),
      );
    });
    await advance(c.id, 61);
    const rows = await listProspects(t, c.id);
    expect(
      rows.filter((r) => stuck.includes(r.personId)).every((r) => r.status === "complete"),
    ).toBe(true);
    expect(rows.find((r) => r.personId === ids[120])?.status).toBe("complete");
    expect(await subjectsSent(t)).toEqual(["One"]);
  });
});
