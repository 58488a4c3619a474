import { env } from "cloudflare:workers";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  act,
  alarmUntil,
  createCampaign,
  EmailLogRow,
  type EngineTeam,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  expectHumanLabel,
  listProspects,
  prospectOf,
  runAlarm,
  sinkMessages,
} from "../helpers/engine";

// Every status and reason the API, alarms and the sink can produce today (DESIGN.md §1),
// each reached through a public entry point, with its human label.

const PersonBody = z.object({ id: z.string() });

async function createPerson(t: EngineTeam, body: Record<string, unknown>) {
  const res = await t.call("POST", "/api/v1/people", body);
  expect(res.status, res.text).toBe(201);
  return PersonBody.parse(res.json).id;
}

/** Runs alarms until the person's row satisfies `done` (alarms may also fire on their own). */
async function until(
  t: EngineTeam,
  campaignId: string,
  personId: string,
  done: (p: Awaited<ReturnType<typeof prospectOf>>) => boolean,
) {
  await alarmUntil(campaignId, async () => done(await prospectOf(t, campaignId, personId)));
  await expectAlarmInvariant(campaignId);
  const row = await prospectOf(t, campaignId, personId);
  if (!row) throw new Error(`${personId} is not in campaign ${campaignId}`);
  return row;
}

const settled = (p: { status: string; stageIndex: number } | undefined) =>
  p !== undefined && (p.status !== "active" || p.stageIndex > 0);

describe("prospect statuses and reasons", () => {
  it("an enrolled prospect is Active with its first stage Waiting in the Email Log", async () => {
    const t = await engineTeam("st-active");
    const ann = await createPerson(t, {
      firstName: "Ann",
      emails: [{ address: "ann@example.org", type: "personal" }],
    });
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [ann]);
    const row = await prospectOf(t, c.id, ann);
    expect(row).toMatchObject({ status: "active", stageIndex: 0, stageId: c.stages[0].id });
    expect(row?.reason).toBeUndefined();
    expect(row?.reasonLabel).toBeUndefined();
    const log = await emailLogOf(t, c.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ personId: ann, status: "waiting", stageIndex: 0 });
    expect(log[0].scheduledAt).toBe(row?.nextAt);
  });

  it("an address on the reserved .invalid domain holds the prospect Pending (validation_failed) with its message Held", async () => {
    const t = await engineTeam("st-invalid");
    const bad = await createPerson(t, {
      firstName: "Val",
      emails: [{ address: "val@nowhere.invalid", type: "personal" }],
    });
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [bad]);
    const row = await until(t, c.id, bad, (p) => p?.status === "pending");
    expect(row).toMatchObject({ status: "pending", reason: "validation_failed", stageIndex: 0 });
    expectHumanLabel(row.reasonLabel, /failed validation/);
    expect(row.reasonLabel).toContain("nowhere.invalid");
    const log = await emailLogOf(t, c.id);
    expect(log.map((m) => [m.status, m.to, m.reason])).toEqual([
      ["held", "val@nowhere.invalid", "validation_failed"],
    ]);
    expect(await sinkMessages(t.teamId)).toHaveLength(0);
  });

  it("a Held message retried from the Email Log with bypassValidation is sent", async () => {
    const t = await engineTeam("st-bypass");
    const bad = await createPerson(t, {
      firstName: "Val",
      emails: [{ address: "val@nowhere.invalid", type: "personal" }],
    });
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [bad]);
    await until(t, c.id, bad, (p) => p?.status === "pending");
    const [held] = await emailLogOf(t, c.id, "status=held");

    const plain = await t.call("POST", `/api/v1/email-log/${held.id}/retry`);
    expect(plain.status).toBe(200);
    await expectAlarmInvariant(c.id);
    const again = await until(t, c.id, bad, (p) => p?.status === "pending");
    expect(again.reason).toBe("validation_failed");

    const bypass = await t.call("POST", `/api/v1/email-log/${held.id}/retry`, {
      bypassValidation: true,
    });
    expect(bypass.status, bypass.text).toBe(200);
    expect(EmailLogRow.parse(bypass.json)).toMatchObject({ personId: bad });
    await expectAlarmInvariant(c.id);
    const done = await until(t, c.id, bad, (p) => p?.status === "complete");
    expect(done.reason).toBe("completed");
    const sent = await emailLogOf(t, c.id, "status=sent");
    expect(sent.map((m) => m.to)).toEqual(["val@nowhere.invalid"]);
    expect((await sinkMessages(t.teamId)).map((m) => m.to)).toEqual(["val@nowhere.invalid"]);
  });

  it("a body merging {{lastName}} for a person without one holds them Pending (missing_merge_field) and sends nothing", async () => {
    const t = await engineTeam("st-merge");
    const noLast = await createPerson(t, {
      firstName: "Mo",
      emails: [{ address: "mo@example.org", type: "personal" }],
    });
    const c = await createCampaign(t, {
      name: "Formal",
      stages: [
        emailStage(t.mailboxId, 0, {
          subject: "Hello",
          body: "Hi {{firstName}} {{lastName}}, a role for you.",
        }),
      ],
    });
    await enroll(t, c.id, [noLast]);
    const row = await until(t, c.id, noLast, (p) => p?.status === "pending");
    expect(row).toMatchObject({ status: "pending", reason: "missing_merge_field" });
    expectHumanLabel(row.reasonLabel, /lacks data/);
    expect(row.reasonLabel).toMatch(/lastName/);
    expect(await sinkMessages(t.teamId)).toHaveLength(0);

    // Filled in, then Retry: the stage renders with the data read now.
    const patched = await t.call("PATCH", `/api/v1/people/${noLast}`, { lastName: "Reyes" });
    expect(patched.status).toBe(200);
    const retried = await act(t, c.id, { action: "retry", personIds: [noLast] });
    expect(retried.status, retried.text).toBe(200);
    await until(t, c.id, noLast, (p) => p?.status === "complete");
    const texts = (await sinkMessages(t.teamId)).map((m) => m.text);
    expect(texts).toHaveLength(1);
    expect(texts[0].startsWith("Hi Mo Reyes, a role for you.")).toBe(true);
  });

  it("user actions produce Paused (paused_by_user), Replied (marked_replied) and Complete (marked_finished)", async () => {
    const t = await engineTeam("st-user");
    const [a, b, c3] = await t.people([
      { firstName: "A", emails: [{ address: "a@example.org", type: "personal" }] },
      { firstName: "B", emails: [{ address: "b@example.org", type: "personal" }] },
      { firstName: "C", emails: [{ address: "c@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [a, b, c3]);
    for (const [action, id] of [
      ["pause", a],
      ["mark_replied", b],
      ["finish", c3],
    ] as const) {
      const res = await act(t, c.id, { action, personIds: [id] });
      expect(res.status, res.text).toBe(200);
    }
    const rows = new Map((await listProspects(t, c.id)).map((p) => [p.personId, p]));
    expect(rows.get(a)).toMatchObject({ status: "paused", reason: "paused_by_user" });
    expectHumanLabel(rows.get(a)?.reasonLabel, /Paused/);
    expect(rows.get(b)).toMatchObject({ status: "replied", reason: "marked_replied" });
    expectHumanLabel(rows.get(b)?.reasonLabel, /replied/);
    expect(rows.get(c3)).toMatchObject({ status: "complete", reason: "marked_finished" });
    expectHumanLabel(rows.get(c3)?.reasonLabel, /finished/);
    // None of them is scheduled any more: their Waiting messages were canceled.
    const log = await emailLogOf(t, c.id);
    expect(log.map((m) => m.status)).toEqual(["canceled", "canceled", "canceled"]);
  });

  it("sending the last stage makes the prospect Complete (completed)", async () => {
    const t = await engineTeam("st-complete");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, { name: "One", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [ann]);
    const row = await until(t, c.id, ann, (p) => p?.status === "complete");
    expect(row).toMatchObject({ status: "complete", reason: "completed", stageIndex: 1 });
    expect(row.nextAt).toBeUndefined();
    expectHumanLabel(row.reasonLabel, /every stage/);
  });

  it("canceling a Waiting message makes the prospect Not Delivered (canceled)", async () => {
    const t = await engineTeam("st-cancel");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, { name: "Later", stages: [emailStage(t.mailboxId, 60)] });
    await enroll(t, c.id, [ann]);
    const [waiting] = await emailLogOf(t, c.id, "status=waiting");
    const res = await t.call("POST", `/api/v1/email-log/${waiting.id}/cancel`);
    expect(res.status, res.text).toBe(200);
    await expectAlarmInvariant(c.id);
    const row = await prospectOf(t, c.id, ann);
    expect(row).toMatchObject({ status: "not_delivered", reason: "canceled" });
    expectHumanLabel(row?.reasonLabel, /canceled/);
    expect((await emailLogOf(t, c.id)).map((m) => m.status)).toEqual(["canceled"]);
  });

  it("a person without any email address fails null_email", async () => {
    const t = await engineTeam("st-null");
    const [dee] = await t.people([{ firstName: "Dee" }]);
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [dee]);
    const row = await until(t, c.id, dee, settled);
    expect(row).toMatchObject({ status: "failed", reason: "null_email", stageIndex: 0 });
    expectHumanLabel(row.reasonLabel, /No email address/);
  });

  it.each([
    ["personal_only", "work"],
    ["work_only", "personal"],
  ] as const)(
    "a person with only the other type of address fails null_email at a %s stage",
    async (priority, has) => {
      const t = await engineTeam(`st-null-${priority}`);
      const [eve] = await t.people([
        { firstName: "Eve", emails: [{ address: "eve@example.org", type: has }] },
      ]);
      const c = await createCampaign(t, {
        name: "Only one kind",
        stages: [emailStage(t.mailboxId, 0, { emailPriority: priority })],
      });
      await enroll(t, c.id, [eve]);
      const row = await until(t, c.id, eve, settled);
      expect(row).toMatchObject({ status: "failed", reason: "null_email" });
      expect(await sinkMessages(t.teamId)).toHaveLength(0);
    },
  );

  it("an email stage without a mailbox fails no_account_selected", async () => {
    const t = await engineTeam("st-nobox");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, { name: "No box", stages: [emailStage(undefined, 0)] });
    await enroll(t, c.id, [ann]);
    const row = await until(t, c.id, ann, settled);
    expect(row).toMatchObject({ status: "failed", reason: "no_account_selected" });
    expectHumanLabel(row.reasonLabel, /mailbox/);
  });

  it("a mailbox that cannot send fails email_not_synced", async () => {
    const t = await engineTeam("st-unsynced");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
    ]);
    // Arranged: the mailbox's domain is not verified (it cannot send).
    await db(env)
      .update(schema.mailbox)
      .set({ canSend: false })
      .where(eq(schema.mailbox.id, t.mailboxId));
    const c = await createCampaign(t, { name: "Now", stages: [emailStage(t.mailboxId, 0)] });
    await enroll(t, c.id, [ann]);
    const row = await until(t, c.id, ann, settled);
    expect(row).toMatchObject({ status: "failed", reason: "email_not_synced" });
    expectHumanLabel(row.reasonLabel, /cannot send/);
    expect(row.reasonLabel).toContain("st-unsynced@beacon.test");
    expect(await sinkMessages(t.teamId)).toHaveLength(0);
  });

  it("an SMS stage for a person without a phone fails no_phone; with one it goes to the sink", async () => {
    const t = await engineTeam("st-sms");
    const [nophone, phone] = await t.people([
      { firstName: "Nia" },
      { firstName: "Pat", phones: [{ number: "+1 555 010 2030", type: "mobile" }] },
    ]);
    const c = await createCampaign(t, {
      name: "Texts",
      stages: [{ type: "sms", delayMinutes: 0, body: "Hi {{firstName}}, call me?" }],
    });
    await enroll(t, c.id, [nophone, phone]);
    const row = await until(t, c.id, nophone, settled);
    expect(row).toMatchObject({ status: "failed", reason: "no_phone" });
    expectHumanLabel(row.reasonLabel, /phone/);
    const other = await until(t, c.id, phone, (p) => p?.status === "complete");
    expect(other.reason).toBe("completed");
    const sms = (await sinkMessages(t.teamId)).filter((m) => m.channel === "sms");
    expect(sms.map((m) => [m.to, m.text])).toEqual([["+1 555 010 2030", "Hi Pat, call me?"]]);
  });

  it("call and task stages wait for complete_task: alarms do not move them on", async () => {
    const t = await engineTeam("st-task");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "ann@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, {
      name: "Calls",
      stages: [
        { type: "call", delayMinutes: 0, title: "Call Ann" },
        { type: "task", delayMinutes: 0, title: "Check LinkedIn" },
      ],
    });
    await enroll(t, c.id, [ann]);
    await runAlarm(c.id);
    await runAlarm(c.id);
    const atCall = await prospectOf(t, c.id, ann);
    expect(atCall).toMatchObject({ status: "active", stageIndex: 0, stageId: c.stages[0].id });
    // The call is due (shown), but nothing is sent for it.
    expect(atCall?.nextAt).toBeDefined();
    expect(await emailLogOf(t, c.id)).toHaveLength(0);

    expect((await act(t, c.id, { action: "complete_task", personIds: [ann] })).status).toBe(200);
    await runAlarm(c.id);
    expect(await prospectOf(t, c.id, ann)).toMatchObject({ status: "active", stageIndex: 1 });
    expect((await act(t, c.id, { action: "complete_task", personIds: [ann] })).status).toBe(200);
    expect(await prospectOf(t, c.id, ann)).toMatchObject({
      status: "complete",
      reason: "completed",
    });
    expect(await sinkMessages(t.teamId)).toHaveLength(0);
  });

  it("an address suppressed after enrolment makes the prospect Unsubscribed when its email stage comes", async () => {
    const t = await engineTeam("st-unsub");
    const [ann] = await t.people([
      { firstName: "Ann", emails: [{ address: "Ann@Example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(t, {
      name: "Call first",
      stages: [{ type: "call", delayMinutes: 0, title: "Call Ann" }, emailStage(t.mailboxId, 0)],
    });
    await enroll(t, c.id, [ann]);
    // Arranged: the address opted out after enrolment (the unsubscribe page comes later).
    await db(env).insert(schema.suppression).values({
      teamId: t.teamId,
      normalized: "ann@example.org",
      personId: null,
      reason: "unsubscribed",
      createdAt: Date.now(),
    });
    expect((await act(t, c.id, { action: "complete_task", personIds: [ann] })).status).toBe(200);
    const row = await until(t, c.id, ann, (p) => p?.status !== "active");
    expect(row).toMatchObject({ status: "unsubscribed", reason: "unsubscribed", stageIndex: 1 });
    expectHumanLabel(row.reasonLabel, /never contacted again/);
    expect(await sinkMessages(t.teamId)).toHaveLength(0);

    const again = await createCampaign(t, { name: "Again", stages: [emailStage(t.mailboxId, 0)] });
    const refused = await enroll(t, again.id, [ann]);
    expect(refused).toMatchObject({
      enrolled: 0,
      refused: [{ personId: ann, reason: "unsubscribed" }],
    });
  });
});
