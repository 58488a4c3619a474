import { env } from "cloudflare:workers";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { db, schema } from "@workers/db/client";
import Papa from "papaparse";
import { afterEach, describe, expect, it } from "vitest";
import {
  act,
  alarmUntil,
  apiKeyIdOf,
  arrangeStatus,
  BulkAnswer,
  createCampaign,
  type EngineTeam,
  ErrorBody,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  listProspects,
  outreachOf,
  prospectOf,
  sinkMessages,
} from "../helpers/engine";

// Every action of DESIGN.md §1's table, single and bulk, allowed and refused, through
// POST /api/v1/campaigns/:id/prospects/actions (and the Email Log's cancel/retry).

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

afterEach(() => resetClockForTest());

const personal = (first: string) => ({
  firstName: first,
  emails: [{ address: `${first.toLowerCase()}@example.org`, type: "personal" as const }],
});

/** Waits (running alarms) until every prospect of the campaign satisfies `done`. */
async function settle(
  t: EngineTeam,
  campaignId: string,
  done: (p: { status: string; stageIndex: number }) => boolean,
) {
  await alarmUntil(campaignId, async () => (await listProspects(t, campaignId)).every(done));
  await expectAlarmInvariant(campaignId);
}

/** People Active at stage 2 of a two-email campaign: stage 1 Sent, stage 2 Waiting a day out. */
async function atSecondStage(t: EngineTeam, names: string[]) {
  const ids = await t.people(names.map(personal));
  const c = await createCampaign(t, {
    name: "Two emails",
    stages: [
      emailStage(t.mailboxId, 0),
      emailStage(t.mailboxId, 1440, { subject: "Following up", sameThread: true }),
    ],
  });
  await enroll(t, c.id, ids);
  await settle(t, c.id, (p) => p.status === "active" && p.stageIndex === 1);
  return { c, ids };
}

/** One person Pending (validation_failed): their address is on the reserved .invalid domain. */
async function pendingPerson(t: EngineTeam, campaignId: string) {
  const [id] = await t.people([
    { firstName: "Val", emails: [{ address: "val@nowhere.invalid", type: "personal" }] },
  ]);
  await enroll(t, campaignId, [id]);
  await alarmUntil(
    campaignId,
    async () => (await prospectOf(t, campaignId, id))?.status === "pending",
  );
  await expectAlarmInvariant(campaignId);
  return id;
}

async function expectConflict(
  res: { status: number; json: unknown; text: string },
  message: string | RegExp,
) {
  expect(res.status, res.text).toBe(409);
  const body = ErrorBody.parse(res.json);
  expect(body.error.code).toBe("conflict");
  if (typeof message === "string") expect(body.error.message).toBe(message);
  else expect(body.error.message).toMatch(message);
}

async function applied(res: { status: number; json: unknown; text: string }) {
  expect(res.status, res.text).toBe(200);
  return BulkAnswer.parse(res.json);
}

describe("pause", () => {
  it("pause turns an Active prospect Paused (paused_by_user) and cancels its Waiting message", async () => {
    const t = await engineTeam("ac-pause");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const answer = await applied(await act(t, c.id, { action: "pause", personIds: ids }));
    expect(answer).toEqual({ applied: 1, appliedIds: ids, refused: [] });
    const row = await prospectOf(t, c.id, ids[0]);
    expect(row).toMatchObject({ status: "paused", reason: "paused_by_user", stageIndex: 1 });
    expect(row?.nextAt).toBeUndefined();
    const log = await emailLogOf(t, c.id);
    expect(log.map((m) => [m.stageIndex, m.status, m.reason ?? null]).sort()).toEqual([
      [0, "sent", null],
      [1, "canceled", "paused_by_user"],
    ]);
  });

  it("pause turns a Pending prospect Paused", async () => {
    const t = await engineTeam("ac-pause-pending");
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    const val = await pendingPerson(t, c.id);
    await applied(await act(t, c.id, { action: "pause", personIds: [val] }));
    expect(await prospectOf(t, c.id, val)).toMatchObject({
      status: "paused",
      reason: "paused_by_user",
    });
  });

  it("pause of a Complete prospect is refused with 409 and the reason", async () => {
    const t = await engineTeam("ac-pause-complete");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "finish", personIds: ids }));
    await expectConflict(
      await act(t, c.id, { action: "pause", personIds: ids }),
      "Cannot pause a Complete prospect",
    );
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({
      status: "complete",
      reason: "marked_finished",
    });
  });
});

describe("unpause", () => {
  it("unpause before the stage's delay has run out makes it due when the delay ends", async () => {
    const t = await engineTeam("ac-unpause-later");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const before = await prospectOf(t, c.id, ids[0]);
    await applied(await act(t, c.id, { action: "pause", personIds: ids }));
    await applied(await act(t, c.id, { action: "unpause", personIds: ids }));
    const row = await prospectOf(t, c.id, ids[0]);
    expect(row).toMatchObject({ status: "active", stageIndex: 1 });
    expect(row?.reason).toBeUndefined();
    expect(row?.nextAt).toBe(before?.nextAt);
    const waiting = await emailLogOf(t, c.id, "status=waiting");
    expect(waiting.map((m) => [m.stageIndex, m.scheduledAt])).toEqual([[1, before?.nextAt]]);
  });

  it("unpause after the stage's delay has run out makes it due now, and the next alarm sends it", async () => {
    const t = await engineTeam("ac-unpause-now");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "pause", personIds: ids }));
    setClockForTest(clock.now() + 2 * DAY);
    await applied(await act(t, c.id, { action: "unpause", personIds: ids }));
    const row = await prospectOf(t, c.id, ids[0]);
    expect(row?.status).toBe("active");
    expect(Date.parse(row?.nextAt ?? "")).toBeLessThanOrEqual(clock.now());
    await settle(t, c.id, (p) => p.status === "complete");
    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(sent.map((m) => m.stageIndex).sort()).toEqual([0, 1]);
  });

  it("unpause of a Replied prospect makes it Active again at its stage", async () => {
    const t = await engineTeam("ac-unpause-replied");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "mark_replied", personIds: ids }));
    await applied(await act(t, c.id, { action: "unpause", personIds: ids }));
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({ status: "active", stageIndex: 1 });
    expect((await emailLogOf(t, c.id, "status=waiting")).map((m) => m.stageIndex)).toEqual([1]);
  });

  it("unpause of an Active prospect is refused with 409", async () => {
    const t = await engineTeam("ac-unpause-active");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await expectConflict(
      await act(t, c.id, { action: "unpause", personIds: ids }),
      "Cannot unpause an Active prospect",
    );
  });
});

describe("finish", () => {
  it("finish marks an Active prospect Complete (marked_finished) and cancels its Waiting message", async () => {
    const t = await engineTeam("ac-finish");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "finish", personIds: ids }));
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({
      status: "complete",
      reason: "marked_finished",
      stageIndex: 1,
    });
    const stage2 = (await emailLogOf(t, c.id)).filter((m) => m.stageIndex === 1);
    expect(stage2.map((m) => [m.status, m.reason])).toEqual([["canceled", "marked_finished"]]);
  });

  it("finish is refused from Complete and from Unsubscribed", async () => {
    const t = await engineTeam("ac-finish-refused");
    const [ann, bob] = await t.people([personal("Ann"), personal("Bob")]);
    const c = await createCampaign(t, {
      name: "Call first",
      stages: [{ type: "call", delayMinutes: 0, title: "Call" }, emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann, bob]);
    // Arranged: Bob's address opted out; his email stage then makes him Unsubscribed.
    await db(env).insert(schema.suppression).values({
      teamId: t.teamId,
      normalized: "bob@example.org",
      personId: bob,
      reason: "unsubscribed",
      createdAt: Date.now(),
    });
    await applied(await act(t, c.id, { action: "complete_task", personIds: [bob] }));
    await settle(t, c.id, (p) => p.status !== "active" || p.stageIndex === 0);
    expect((await prospectOf(t, c.id, bob))?.status).toBe("unsubscribed");
    await applied(await act(t, c.id, { action: "finish", personIds: [ann] }));

    await expectConflict(
      await act(t, c.id, { action: "finish", personIds: [ann] }),
      "Cannot mark a Complete prospect finished",
    );
    await expectConflict(
      await act(t, c.id, { action: "finish", personIds: [bob] }),
      "Cannot mark an Unsubscribed prospect finished",
    );
  });
});

describe("skip", () => {
  it("skip at a Waiting stage cancels its message and schedules the next stage after its delay", async () => {
    const t = await engineTeam("ac-skip");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Later",
      stages: [emailStage(t.mailboxId, 60), emailStage(t.mailboxId, 1440)],
    });
    await enroll(t, c.id, [ann]);
    const before = clock.now();
    await applied(await act(t, c.id, { action: "skip", personIds: [ann] }));
    const row = await prospectOf(t, c.id, ann);
    expect(row).toMatchObject({ status: "active", stageIndex: 1, stageId: c.stages[1].id });
    const due = Date.parse(row?.nextAt ?? "");
    expect(due).toBeGreaterThanOrEqual(before + DAY);
    expect(due).toBeLessThanOrEqual(clock.now() + DAY);
    const log = await emailLogOf(t, c.id);
    expect(log.map((m) => [m.stageIndex, m.status, m.reason ?? null]).sort()).toEqual([
      [0, "canceled", "skipped"],
      [1, "waiting", null],
    ]);
    expect(await sinkMessages(t.teamId)).toHaveLength(0);
  });

  it("skip at the last stage completes the prospect", async () => {
    const t = await engineTeam("ac-skip-last");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "skip", personIds: ids }));
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({
      status: "complete",
      reason: "completed",
      stageIndex: 2,
    });
    const stage2 = (await emailLogOf(t, c.id)).filter((m) => m.stageIndex === 1);
    expect(stage2.map((m) => [m.status, m.reason])).toEqual([["canceled", "skipped"]]);
  });

  it("skip of a Failed prospect moves it on to the next stage", async () => {
    const t = await engineTeam("ac-skip-failed");
    const [dee] = await t.people([{ firstName: "Dee" }]);
    const c = await createCampaign(t, {
      name: "Email then call",
      stages: [emailStage(t.mailboxId, 0), { type: "call", delayMinutes: 0, title: "Call" }],
    });
    await enroll(t, c.id, [dee]);
    await settle(t, c.id, (p) => p.status === "failed");
    await applied(await act(t, c.id, { action: "skip", personIds: [dee] }));
    expect(await prospectOf(t, c.id, dee)).toMatchObject({ status: "active", stageIndex: 1 });
  });

  it("skip of a Paused prospect is refused with 409", async () => {
    const t = await engineTeam("ac-skip-paused");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "pause", personIds: ids }));
    await expectConflict(
      await act(t, c.id, { action: "skip", personIds: ids }),
      "Cannot skip the stage of a Paused prospect",
    );
  });
});

describe("complete_task", () => {
  it("complete_task at a call stage moves on to the next stage, which then goes out", async () => {
    const t = await engineTeam("ac-task");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Call then email",
      stages: [{ type: "call", delayMinutes: 0, title: "Call Ann" }, emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann]);
    await applied(await act(t, c.id, { action: "complete_task", personIds: [ann] }));
    await settle(t, c.id, (p) => p.status === "complete");
    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(sent.map((m) => [m.stageIndex, m.to])).toEqual([[1, "ann@example.org"]]);
  });

  it("skip at a call stage counts the call as skipped and moves on", async () => {
    const t = await engineTeam("ac-skip-call");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, {
      name: "Call then task",
      stages: [
        { type: "call", delayMinutes: 0, title: "Call Ann" },
        { type: "task", delayMinutes: 0, title: "Note it" },
      ],
    });
    await enroll(t, c.id, [ann]);
    await applied(await act(t, c.id, { action: "skip", personIds: [ann] }));
    expect(await prospectOf(t, c.id, ann)).toMatchObject({ status: "active", stageIndex: 1 });
    const history = (await outreachOf(c.id, ann))?.history ?? [];
    expect(history.at(-1)).toMatchObject({ action: "skip", fromStatus: "active" });
  });

  it("complete_task at an email stage is refused with 409", async () => {
    const t = await engineTeam("ac-task-email");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await expectConflict(
      await act(t, c.id, { action: "complete_task", personIds: ids }),
      "Cannot complete a task: stage 2 is an email, not a call or task",
    );
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({ status: "active", stageIndex: 1 });
  });
});

describe("retry", () => {
  it("retry of a Failed (null_email) prospect reads the address added since and sends to it", async () => {
    const t = await engineTeam("ac-retry-null");
    const [dee] = await t.people([{ firstName: "Dee" }]);
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [dee]);
    await settle(t, c.id, (p) => p.status === "failed");
    const patched = await t.call("PATCH", `/api/v1/people/${dee}`, {
      emails: [{ address: "dee@example.org", type: "personal" }],
    });
    expect(patched.status, patched.text).toBe(200);
    await applied(await act(t, c.id, { action: "retry", personIds: [dee] }));
    expect((await prospectOf(t, c.id, dee))?.status).toBe("active");
    await settle(t, c.id, (p) => p.status === "complete");
    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(sent.map((m) => m.to)).toEqual(["dee@example.org"]);
    expect((await sinkMessages(t.teamId)).map((m) => m.to)).toEqual(["dee@example.org"]);
  });

  it("retry of a Pending (validation_failed) prospect sends to the address fixed since", async () => {
    const t = await engineTeam("ac-retry-pending");
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    const val = await pendingPerson(t, c.id);
    await t.call("PATCH", `/api/v1/people/${val}`, {
      emails: [{ address: "val@example.org", type: "personal" }],
    });
    await applied(await act(t, c.id, { action: "retry", personIds: [val] }));
    await settle(t, c.id, (p) => p.status === "complete");
    expect((await sinkMessages(t.teamId)).map((m) => m.to)).toEqual(["val@example.org"]);
  });

  it("retry of a Not Delivered (canceled) prospect sends the stage now", async () => {
    const t = await engineTeam("ac-retry-canceled");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [ann]);
    const [waiting] = await emailLogOf(t, c.id, "status=waiting");
    expect((await t.call("POST", `/api/v1/email-log/${waiting.id}/cancel`)).status).toBe(200);
    await expectAlarmInvariant(c.id);
    await applied(await act(t, c.id, { action: "retry", personIds: [ann] }));
    const row = await prospectOf(t, c.id, ann);
    expect(row?.status).toBe("active");
    expect(Date.parse(row?.nextAt ?? "")).toBeLessThanOrEqual(clock.now());
    await settle(t, c.id, (p) => p.status === "complete");
    const log = await emailLogOf(t, c.id);
    expect(log.map((m) => m.status).sort()).toEqual(["canceled", "sent"]);
  });

  it("retry of a Bounced and a Spam prospect makes them Active and sends their stage again", async () => {
    const t = await engineTeam("ac-retry-bounced");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    const [ann, bob] = ids;
    // Arranged: the sink cannot bounce yet (issue #4 brings bounces and complaints).
    await arrangeStatus(c.id, ann, "bounced", "hard_bounce");
    await arrangeStatus(c.id, bob, "spam", "complaint");
    const answer = await applied(await act(t, c.id, { action: "retry", personIds: [ann, bob] }));
    expect(answer.appliedIds.sort()).toEqual([ann, bob].sort());
    await settle(t, c.id, (p) => p.status === "complete");
    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(
      sent
        .filter((m) => m.stageIndex === 1)
        .map((m) => m.personId)
        .sort(),
    ).toEqual([ann, bob].sort());
  });

  it("retry of an Active prospect is refused with 409", async () => {
    const t = await engineTeam("ac-retry-active");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await expectConflict(
      await act(t, c.id, { action: "retry", personIds: ids }),
      "Cannot retry an Active prospect",
    );
  });
});

describe("retry from the Email Log", () => {
  it("retrying a message of a prospect removed since is refused with a sentence", async () => {
    const t = await engineTeam("ac-log-retry-gone");
    const [ann] = await t.people([personal("Ann")]);
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [ann]);
    const [waiting] = await emailLogOf(t, c.id, "status=waiting");
    expect((await t.call("POST", `/api/v1/email-log/${waiting.id}/cancel`)).status).toBe(200);
    await applied(await act(t, c.id, { action: "remove", personIds: [ann] }));
    const res = await t.call("POST", `/api/v1/email-log/${waiting.id}/retry`);
    expect([404, 409]).toContain(res.status);
    const message = ErrorBody.parse(res.json).error.message;
    expect(message).toMatch(/ /);
    expect(message).not.toMatch(/^[a-z_]+$/);
  });
});

describe("mark_replied", () => {
  it("mark_replied turns Active, Pending and Paused prospects Replied (marked_replied)", async () => {
    const t = await engineTeam("ac-replied");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    const [ann, bob] = ids;
    await applied(await act(t, c.id, { action: "pause", personIds: [bob] }));
    const val = await pendingPerson(t, c.id);
    const answer = await applied(
      await act(t, c.id, { action: "mark_replied", personIds: [ann, bob, val] }),
    );
    expect(answer.applied).toBe(3);
    for (const id of [ann, bob, val]) {
      expect(await prospectOf(t, c.id, id)).toMatchObject({
        status: "replied",
        reason: "marked_replied",
      });
    }
    expect(await emailLogOf(t, c.id, "status=waiting")).toHaveLength(0);
  });

  it("mark_replied of a Complete prospect is refused with 409", async () => {
    const t = await engineTeam("ac-replied-complete");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "finish", personIds: ids }));
    await expectConflict(
      await act(t, c.id, { action: "mark_replied", personIds: ids }),
      "Cannot mark a Complete prospect replied",
    );
  });
});

describe("remove", () => {
  it("remove takes the prospect out; the Email Log keeps the sent message and cancels the Waiting one", async () => {
    const t = await engineTeam("ac-remove");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    const [ann, bob] = ids;
    await applied(await act(t, c.id, { action: "remove", personIds: [ann] }));
    expect((await listProspects(t, c.id)).map((p) => p.personId)).toEqual([bob]);
    expect(await outreachOf(c.id, ann)).toBeNull();
    const annLog = (await emailLogOf(t, c.id)).filter((m) => m.personId === ann);
    expect(annLog.map((m) => [m.stageIndex, m.status, m.reason ?? null]).sort()).toEqual([
      [0, "sent", null],
      [1, "canceled", "removed"],
    ]);
    const view = await t.call("GET", `/api/v1/campaigns/${c.id}`);
    expect(view.json).toMatchObject({ prospectCount: 1 });
  });

  it("remove applies from every status, Complete included", async () => {
    const t = await engineTeam("ac-remove-any");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    await applied(await act(t, c.id, { action: "finish", personIds: [ids[0]] }));
    await applied(await act(t, c.id, { action: "pause", personIds: [ids[1]] }));
    const answer = await applied(await act(t, c.id, { action: "remove", personIds: ids }));
    expect(answer).toMatchObject({ applied: 2, refused: [] });
    expect(await listProspects(t, c.id)).toEqual([]);
  });
});

describe("add_to", () => {
  it("add_to enrolls the person in the other campaign as well", async () => {
    const t = await engineTeam("ac-add");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const other = await createCampaign(t, {
      name: "Other",
      stages: [emailStage(t.mailboxId, 60)],
    });
    await applied(await act(t, c.id, { action: "add_to", personIds: ids, toCampaignId: other.id }));
    await expectAlarmInvariant(other.id);
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({ status: "active", stageIndex: 1 });
    expect(await prospectOf(t, other.id, ids[0])).toMatchObject({
      status: "active",
      stageIndex: 0,
    });
    const there = await outreachOf(other.id, ids[0]);
    expect(there?.history.map((h) => [h.action, h.detail])).toEqual([
      ["enroll", `added from ${c.id}`],
    ]);
  });

  it("add_to a person already in the other campaign is refused as already enrolled", async () => {
    const t = await engineTeam("ac-add-twice");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    const other = await createCampaign(t, {
      name: "Other",
      stages: [emailStage(t.mailboxId, 60)],
    });
    await enroll(t, other.id, [ids[0]]);
    const answer = await applied(
      await act(t, c.id, { action: "add_to", personIds: ids, toCampaignId: other.id }),
    );
    expect(answer.appliedIds).toEqual([ids[1]]);
    expect(answer.refused).toEqual([{ personId: ids[0], reason: "already_enrolled" }]);
  });

  it("add_to or move into another team's campaign is 404 and changes nothing", async () => {
    const t = await engineTeam("ac-add-foreign");
    const stranger = await engineTeam("ac-add-stranger");
    const theirs = await createCampaign(stranger, {
      name: "Theirs",
      stages: [emailStage(stranger.mailboxId, 60)],
    });
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    for (const body of [
      { action: "add_to", personIds: ids, toCampaignId: theirs.id },
      { action: "move", personIds: ids, toCampaignId: theirs.id, moveId: "m-foreign" },
    ]) {
      const res = await act(t, c.id, body);
      expect(res.status, res.text).toBe(404);
    }
    expect(await listProspects(stranger, theirs.id)).toEqual([]);
    expect(await prospectOf(t, c.id, ids[0])).toMatchObject({ status: "active", stageIndex: 1 });
  });
});

describe("move", () => {
  it("move takes the person with their history to the other campaign's first stage as Active", async () => {
    const t = await engineTeam("ac-move");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const [ann] = ids;
    const other = await createCampaign(t, {
      name: "Other",
      stages: [emailStage(t.mailboxId, 60), emailStage(t.mailboxId, 60)],
    });
    const answer = await applied(
      await act(t, c.id, {
        action: "move",
        personIds: [ann],
        toCampaignId: other.id,
        moveId: "move-1",
      }),
    );
    expect(answer).toMatchObject({ applied: 1, refused: [] });
    await expectAlarmInvariant(other.id);
    expect(await listProspects(t, c.id)).toEqual([]);
    const stage2 = (await emailLogOf(t, c.id)).filter((m) => m.stageIndex === 1);
    expect(stage2.map((m) => [m.status, m.reason])).toEqual([["canceled", "moved"]]);
    expect(await prospectOf(t, other.id, ann)).toMatchObject({
      status: "active",
      stageIndex: 0,
      stageId: other.stages[0].id,
    });
    const there = await outreachOf(other.id, ann);
    const actions = there?.history.map((h) => h.action) ?? [];
    // The history from the first campaign comes along, then the enrolment here.
    expect(actions.slice(0, 2)).toEqual(["enroll", "sent"]);
    expect(there?.history.at(-1)).toMatchObject({
      action: "enroll",
      detail: `moved from ${c.id}`,
      toStatus: "active",
    });
    expect((await emailLogOf(t, other.id, "status=waiting")).map((m) => m.personId)).toEqual([ann]);
  });

  it("move keeps a Complete prospect Complete in the other campaign", async () => {
    const t = await engineTeam("ac-move-complete");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    await applied(await act(t, c.id, { action: "finish", personIds: ids }));
    const other = await createCampaign(t, { name: "Other", stages: [emailStage(t.mailboxId, 0)] });
    await applied(
      await act(t, c.id, {
        action: "move",
        personIds: ids,
        toCampaignId: other.id,
        moveId: "move-complete",
      }),
    );
    await expectAlarmInvariant(other.id);
    expect(await prospectOf(t, other.id, ids[0])).toMatchObject({
      status: "complete",
      reason: "marked_finished",
    });
    expect(await emailLogOf(t, other.id)).toEqual([]);
  });

  it("repeating a move with the same moveId moves nobody twice", async () => {
    const t = await engineTeam("ac-move-twice");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const [ann] = ids;
    const other = await createCampaign(t, {
      name: "Other",
      stages: [emailStage(t.mailboxId, 60)],
    });
    const move = { action: "move", personIds: [ann], toCampaignId: other.id, moveId: "m-1" };
    await applied(await act(t, c.id, move));
    // Ann is enrolled here again afterwards; a late repeat of the same move must not take her.
    await enroll(t, c.id, [ann]);
    await act(t, c.id, move);
    expect(await prospectOf(t, c.id, ann)).toMatchObject({ status: "active", stageIndex: 0 });
    const there = await outreachOf(other.id, ann);
    expect(there?.history.filter((h) => h.detail === `moved from ${c.id}`)).toHaveLength(1);
  });

  it("repeating a move with the same moveId answers as the first time", async () => {
    const t = await engineTeam("ac-move-answer");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob"]);
    const other = await createCampaign(t, {
      name: "Other",
      stages: [emailStage(t.mailboxId, 60)],
    });
    const move = { action: "move", personIds: ids, toCampaignId: other.id, moveId: "m-2" };
    const first = await applied(await act(t, c.id, move));
    expect(first.applied).toBe(2);
    const second = await act(t, c.id, move);
    expect(second.status, second.text).toBe(200);
    expect(BulkAnswer.parse(second.json)).toEqual(first);
    expect((await listProspects(t, other.id)).map((p) => p.personId).sort()).toEqual(
      [...ids].sort(),
    );
  });
});

describe("bulk actions", () => {
  it("a bulk action applies where allowed and refuses the rest with their reasons", async () => {
    const t = await engineTeam("ac-bulk");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob", "Cid"]);
    const [ann, bob, cid] = ids;
    await applied(await act(t, c.id, { action: "finish", personIds: [bob] }));
    await applied(await act(t, c.id, { action: "pause", personIds: [cid] }));
    const answer = await applied(await act(t, c.id, { action: "pause", personIds: ids }));
    expect(answer.applied).toBe(1);
    expect(answer.appliedIds).toEqual([ann]);
    expect(answer.refused).toEqual(
      expect.arrayContaining([
        { personId: bob, reason: "Cannot pause a Complete prospect" },
        { personId: cid, reason: "Cannot pause a Paused prospect" },
      ]),
    );
    expect(answer.refused).toHaveLength(2);
  });

  it("all: true with a status filter acts on the prospects of that status only", async () => {
    const t = await engineTeam("ac-bulk-all");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob", "Cid"]);
    const [ann, bob, cid] = ids;
    await applied(await act(t, c.id, { action: "pause", personIds: [bob] }));
    const answer = await applied(
      await act(t, c.id, { action: "finish", all: true, filters: { status: "active" } }),
    );
    expect(answer.appliedIds.sort()).toEqual([ann, cid].sort());
    expect(answer.refused).toEqual([]);
    const rows = new Map((await listProspects(t, c.id)).map((p) => [p.personId, p.status]));
    expect(Object.fromEntries(rows)).toEqual({
      [ann]: "complete",
      [bob]: "paused",
      [cid]: "complete",
    });
  });

  it("another team's person id is refused as not_found in a bulk action, and is 404 alone", async () => {
    const t = await engineTeam("ac-bulk-foreign");
    const stranger = await engineTeam("ac-bulk-stranger");
    const [theirs] = await stranger.people([personal("Zed")]);
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    const answer = await applied(
      await act(t, c.id, { action: "pause", personIds: [ids[0], theirs] }),
    );
    expect(answer).toEqual({
      applied: 1,
      appliedIds: [ids[0]],
      refused: [{ personId: theirs, reason: "not_found" }],
    });
    const alone = await act(t, c.id, { action: "pause", personIds: [theirs] });
    expect(alone.status).toBe(404);
    expect(ErrorBody.parse(alone.json).error.code).toBe("not_found");
  });

  it("every action is recorded in the prospect's history with its actor", async () => {
    const t = await engineTeam("ac-history");
    const { c, ids } = await atSecondStage(t, ["Ann"]);
    for (const action of ["pause", "unpause", "mark_replied", "unpause", "skip"]) {
      await applied(await act(t, c.id, { action, personIds: ids }));
    }
    const keyActor = `api_key:${await apiKeyIdOf(t.teamId)}`;
    const history = (await outreachOf(c.id, ids[0]))?.history ?? [];
    expect(history.map((h) => [h.action, h.actor, h.fromStatus, h.toStatus])).toEqual([
      ["enroll", keyActor, null, "active"],
      ["sent", "system:pipeline", "active", "active"],
      ["pause", keyActor, "active", "paused"],
      ["unpause", keyActor, "paused", "active"],
      ["mark_replied", keyActor, "active", "replied"],
      ["unpause", keyActor, "replied", "active"],
      ["skip", keyActor, "active", "complete"],
    ]);
  });
});

describe("export", () => {
  it("prospects.csv with a status filter exports those prospects only", async () => {
    const t = await engineTeam("ac-export");
    const { c, ids } = await atSecondStage(t, ["Ann", "Bob", "Cid"]);
    const [, bob, cid] = ids;
    await applied(await act(t, c.id, { action: "pause", personIds: [bob, cid] }));
    const res = await t.call("GET", `/api/v1/campaigns/${c.id}/prospects.csv?status=paused`);
    expect(res.status).toBe(200);
    const parsed = Papa.parse<Record<string, string>>(res.text.replace(/^\uFEFF/, "").trim(), {
      header: true,
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((r) => r["Person ID"]).sort()).toEqual([bob, cid].sort());
    for (const r of parsed.data) {
      expect(r).toMatchObject({ Status: "Paused", Reason: "paused_by_user", Stage: "2 of 2" });
      expect(r.Email).toMatch(/@example\.org$/);
    }
    const all = await t.call("GET", `/api/v1/campaigns/${c.id}/prospects.csv`);
    expect(all.text.trim().split("\r\n")).toHaveLength(4);
  });
});
