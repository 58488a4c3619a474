import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { clock, realTimeFor } from "@workers/clock";
import type { PersonInput } from "@workers/core/people";
import { createMailbox } from "@workers/data/mailboxes";
import { insertPeople } from "@workers/data/people";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { getServerByName } from "partyserver";
import { expect } from "vitest";
import { z } from "zod";
import { makeTeam } from "./teams";

/** A team with an API key, a mailbox that can send (the sink) and helpers to call the API. */
export async function engineTeam(label: string) {
  const user = await makeTeam(label);
  const created = await createMailbox(env, user, {
    address: `${label}@beacon.test`,
    name: `${label} Sender`,
  });
  if (!created.ok) throw new Error(created.message);
  const mailboxId = created.mailbox.id;
  if (!created.mailbox.canSend) {
    // With a Resend hook on, the address would need a verified domain of the team and a
    // confirmed link first (tests/sending/identity.test.ts covers that); the engine's tests
    // get a mailbox that can send by fiat, as the demo seed does.
    await db(env)
      .update(schema.mailbox)
      .set({ canSend: true, confirmedAt: new Date(), problem: null })
      .where(eq(schema.mailbox.id, mailboxId));
  }

  async function call(method: string, path: string, body?: unknown) {
    const res = await exports.default.fetch(`http://localhost${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${user.key}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, text };
  }

  async function people(list: PersonInput[]): Promise<string[]> {
    return insertPeople(db(env), user.teamId, user.userId, list);
  }

  return { ...user, mailboxId, call, people };
}

export function campaignNamespaceStub(campaignId: string) {
  return env.Campaign.get(env.Campaign.idFromName(campaignId));
}

/** Runs the campaign's alarm until `done` holds (bounded); alarms may also fire by themselves. */
export async function alarmUntil(campaignId: string, done: () => Promise<boolean>, rounds = 30) {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    await runDurableObjectAlarm(campaignNamespaceStub(campaignId));
  }
  expect(await done()).toBe(true);
}

export const ProspectRow = z.object({
  personId: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  reasonLabel: z.string().optional(),
  stageIndex: z.number(),
  stageId: z.string().nullable(),
  nextAt: z.string().optional(),
  updatedAt: z.string().nullable(),
});
export const ProspectPage = z.object({
  items: z.array(ProspectRow),
  nextCursor: z.string().optional(),
});

export const EmailLogRow = z.object({
  id: z.string(),
  campaignId: z.string(),
  personId: z.string(),
  stageIndex: z.number(),
  stageId: z.string(),
  mailboxId: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  status: z.string(),
  scheduledAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  messageId: z.string().nullable(),
  providerId: z.string().nullable(),
  reason: z.string().optional(),
});
export const EmailLogPage = z.object({
  items: z.array(EmailLogRow),
  nextCursor: z.string().optional(),
});
export const CampaignBody = z.object({
  id: z.string(),
  status: z.string(),
  version: z.number(),
  stages: z.array(z.object({ id: z.string(), type: z.string() })),
});

// ── Helpers of the engine's behaviour tests (actions, statuses, timing, limits)

export type EngineTeam = Awaited<ReturnType<typeof engineTeam>>;

/** A prospect row of the API with the fields the behaviour tests read. */
export const ProspectRowFull = ProspectRow.extend({
  name: z.string(),
  reasonDetail: z.string().optional(),
  enrolledAt: z.string().nullable(),
});
export type ProspectRowFull = z.infer<typeof ProspectRowFull>;
const ProspectPageFull = z.object({
  items: z.array(ProspectRowFull),
  nextCursor: z.string().optional(),
});

export const BulkAnswer = z.object({
  applied: z.number(),
  appliedIds: z.array(z.string()),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
});

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/**
 * What the alarm is and what the rule says it must be, read in one turn of the DO straight
 * from its SQLite tables (not through the engine's code): the earliest of the next due
 * prospect (only while the campaign is active, and not before a paced batch's preparation
 * time), the outbox's retry (or now), a committed
 * send's provider retry (whatever the campaign's status; unscheduled = now) and an open
 * quota reservation (now); none when there is no such work.
 */
async function alarmSnapshot(campaignId: string) {
  return runInDurableObject(campaignNamespaceStub(campaignId), async (_instance, state) => {
    const sql = state.storage.sql;
    const actual = await state.storage.getAlarm();
    const now = clock.now();
    const one = (query: string, ...args: SqlStorageValue[]) =>
      sql.exec(query, ...args).toArray()[0] ?? {};
    const raw = one("SELECT value FROM meta WHERE key = 'campaign'").value;
    const active = raw
      ? z.object({ status: z.string() }).parse(JSON.parse(String(raw))).status === "active"
      : false;
    const deadlines: number[] = [];
    const due = one("SELECT MIN(next_at) AS t FROM prospect WHERE next_at IS NOT NULL").t;
    // A paced batch is prepared shortly before its turn at the provider: due work waits for it.
    const prepares = one("SELECT value FROM meta WHERE key = 'prepare_at'").value;
    if (active && due !== null && due !== undefined) {
      deadlines.push(
        Math.max(Number(due), prepares === undefined ? Number(due) : Number(prepares)),
      );
    }
    if (Number(one("SELECT COUNT(*) AS n FROM dirty").n) > 0) {
      // The outbox is flushed at once, or at its retry time after a failure, or — after a
      // call too big to flush before answering — a moment later (mirror_at).
      const retry =
        one("SELECT value FROM meta WHERE key = 'outbox_retry_at'").value ??
        one("SELECT value FROM meta WHERE key = 'mirror_at'").value;
      deadlines.push(retry === undefined ? now : Number(retry));
    }
    const sending = one(
      "SELECT COUNT(*) AS n, MIN(COALESCE(retry_at, ?)) AS t FROM message WHERE status = 'sending'",
      now,
    );
    if (Number(sending.n) > 0) deadlines.push(Number(sending.t));
    const open = one(
      "SELECT COUNT(*) AS n FROM reservation WHERE state IN ('reserving','granted','releasing')",
    );
    if (Number(open.n) > 0) deadlines.push(now);
    const expected = deadlines.length === 0 ? null : Math.max(now + 1, Math.min(...deadlines));
    return { actual, expected, now, realNow: Date.now() };
  });
}

/**
 * The alarm invariant: the DO's alarm is max(now + 1 ms, earliest deadline) — at its real
 * time, since alarms run on real time — and absent when nothing is pending. A deadline
 * already due may only be "at once" (≤ now + 1 ms). An alarm handler that is running
 * hides the alarm (getAlarm() is null until it re-arms), so a missing alarm is looked at
 * again for up to ~5 s before it counts as missing: under the whole suite's load, an alarm
 * waiting out provider timeouts (the SMS suite's seeded faults) ran past ~1 s.
 */
export async function expectAlarmInvariant(campaignId: string) {
  let snap = await alarmSnapshot(campaignId);
  for (let i = 0; i < 500 && snap.actual === null && snap.expected !== null; i++) {
    await scheduler.wait(10);
    snap = await alarmSnapshot(campaignId);
  }
  const where = `campaign ${campaignId}: ${JSON.stringify(snap)}`;
  if (snap.expected === null) {
    expect(snap.actual, where).toBeNull();
  } else if (snap.expected > snap.now + 1) {
    expect(snap.actual, where).toBe(realTimeFor(snap.expected));
  } else {
    expect(snap.actual, where).not.toBeNull();
    expect(snap.actual ?? Number.POSITIVE_INFINITY, where).toBeLessThanOrEqual(snap.realNow + 1);
  }
}

/** Runs the campaign's alarm now (if one is set), then checks the invariant. */
export async function runAlarm(campaignId: string): Promise<boolean> {
  const ran = await runDurableObjectAlarm(campaignNamespaceStub(campaignId));
  await expectAlarmInvariant(campaignId);
  return ran;
}

/** POST /api/v1/campaigns; expects 201. */
export async function createCampaign(t: EngineTeam, input: Record<string, unknown>) {
  const res = await t.call("POST", "/api/v1/campaigns", input);
  expect(res.status, res.text).toBe(201);
  const campaign = CampaignBody.parse(res.json);
  await expectAlarmInvariant(campaign.id);
  return campaign;
}

/** POST /api/v1/campaigns/:id/prospects; expects 200. */
export async function enroll(t: EngineTeam, campaignId: string, personIds: string[]) {
  // Engine tests put people in several campaigns on purpose: past the collision guard
  // (tests/enroll-conflicts.test.ts covers the guard itself).
  const res = await t.call("POST", `/api/v1/campaigns/${campaignId}/prospects`, {
    personIds,
    force: true,
  });
  expect(res.status, res.text).toBe(200);
  await expectAlarmInvariant(campaignId);
  return z
    .object({
      enrolled: z.number(),
      refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
    })
    .parse(res.json);
}

/** POST /api/v1/campaigns/:id/prospects/actions, then the alarm invariant. */
export async function act(t: EngineTeam, campaignId: string, body: Record<string, unknown>) {
  const res = await t.call("POST", `/api/v1/campaigns/${campaignId}/prospects/actions`, body);
  await expectAlarmInvariant(campaignId);
  return res;
}

/** GET /api/v1/campaigns/:id/prospects (every page is one page here: ≤ 500). */
export async function listProspects(t: EngineTeam, campaignId: string, query = "") {
  const res = await t.call(
    "GET",
    `/api/v1/campaigns/${campaignId}/prospects?limit=500${query ? `&${query}` : ""}`,
  );
  expect(res.status, res.text).toBe(200);
  return ProspectPageFull.parse(res.json).items;
}

export async function prospectOf(t: EngineTeam, campaignId: string, personId: string) {
  return (await listProspects(t, campaignId)).find((p) => p.personId === personId);
}

/** GET /api/v1/email-log for one campaign (newest first). */
export async function emailLogOf(t: EngineTeam, campaignId: string, query = "") {
  const res = await t.call(
    "GET",
    `/api/v1/email-log?campaignId=${campaignId}&limit=500${query ? `&${query}` : ""}`,
  );
  expect(res.status, res.text).toBe(200);
  return EmailLogPage.parse(res.json).items;
}

/** The Campaign DO's public read of one person: their row, history (with actors) and messages. */
export async function outreachOf(campaignId: string, personId: string) {
  return (await getServerByName(env.Campaign, campaignId)).outreach(personId);
}

/** What the sink transport accepted for the team (its answer to the send path). */
export async function sinkMessages(teamId: string) {
  const rows = await db(env)
    .select()
    .from(schema.sinkMessage)
    .where(eq(schema.sinkMessage.teamId, teamId));
  return rows;
}

/** The id of the team's first API key (the actor the API records). */
export async function apiKeyIdOf(teamId: string): Promise<string> {
  const row = await db(env).query.apiKey.findFirst({
    where: eq(schema.apiKey.teamId, teamId),
  });
  if (!row) throw new Error(`team ${teamId} has no API key`);
  return row.id;
}

/**
 * Arranges a prospect's status inside the DO's storage, for statuses the sink cannot
 * produce yet (bounces, spam). Only a situation for the behaviour under test; it bumps no
 * rev and writes no history, as a hand-made row would not.
 */
export async function arrangeStatus(
  campaignId: string,
  personId: string,
  status: "bounced" | "spam",
  reason: "hard_bounce" | "refused_as_spam" | "complaint",
) {
  await runInDurableObject(campaignNamespaceStub(campaignId), async (instance, state) => {
    // Written behind the object's back: it drops its store (and the store's caches, such as
    // the status counts) as a restart would, and reads storage afresh.
    Reflect.set(instance, "cachedStore", null);
    state.storage.sql.exec(
      "UPDATE prospect SET status = ?, reason = ?, next_at = NULL, due_at = NULL WHERE person_id = ?",
      status,
      reason,
      personId,
    );
    state.storage.sql.exec(
      "UPDATE message SET status = 'canceled', reason = ? WHERE person_id = ? AND status = 'waiting'",
      reason,
      personId,
    );
  });
}

/** A plain-words label: a capitalised sentence, no reason codes such as null_email. */
export function expectHumanLabel(label: string | undefined, mentions: RegExp) {
  expect(label).toBeDefined();
  const text = label ?? "";
  expect(text).toMatch(/^[A-Z]/);
  expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
  expect(text.split(" ").length).toBeGreaterThanOrEqual(4);
  expect(text).toMatch(mentions);
}

/** An email stage sending from `mailboxId`. */
export function emailStage(
  mailboxId: string | undefined,
  delayMinutes: number,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "email",
    delayMinutes,
    ...(mailboxId ? { mailboxId } : {}),
    subject: "Hello {{firstName}}",
    body: "Hi {{firstName}}, a role for you.",
    emailPriority: "personal_first",
    ...extra,
  };
}
