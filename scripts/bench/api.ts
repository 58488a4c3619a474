import { randomBytes } from "node:crypto";
import { createApiKey } from "@workers/auth/api-keys";
import { newSyncToken } from "@workers/core/mailboxes";
import type { PersonInput } from "@workers/core/people";
import { insertPeople } from "@workers/data/people";
import { db, schema } from "@workers/db/client";
import { z } from "zod";

import { type Bench, check, LIMITS, waitFor } from "./harness";

// ── seed: teams, keys, a mailbox, people (through the project's own data layer)

export type Team = {
  label: string;
  teamId: string;
  userId: string;
  key: string;
  mailboxId: string;
  people: string[];
};

/** The address seedTeam gives the i-th person of a team. */
export const personAddress = (label: string, i: number) => `person.${i}@${label}.example.test`;

export async function seedTeam(
  d1: D1Database,
  label: string,
  limits: { dailyEmailLimit: number; onLimit: "defer" | "fail" },
  peopleCount: number,
): Promise<Team> {
  const d = db({ DB: d1 });
  const teamId = `team_${label}`;
  const userId = `user_${label}`;
  await d
    .insert(schema.user)
    .values({ id: userId, name: `Bench ${label}`, email: `${label}@beacon.test` });
  await d
    .insert(schema.organization)
    .values({ id: teamId, name: `Bench ${label}`, slug: `bench-${label}` });
  await d
    .insert(schema.member)
    .values({ id: `member_${label}`, organizationId: teamId, userId, role: "owner" });
  await d.insert(schema.teamSettings).values({ teamId, timeZone: "UTC", ...limits });
  const { key } = await createApiKey(d, { teamId, userId, name: "bench" });
  const mailboxId = await addMailbox(d1, { teamId, userId }, label);
  const inputs: PersonInput[] = Array.from({ length: peopleCount }, (_, i) => ({
    firstName: `Person${i}`,
    lastName: label,
    emails: [{ address: personAddress(label, i), type: "personal" }],
  }));
  const people = await insertPeople(d, teamId, userId, inputs);
  return { label, teamId, userId, key, mailboxId, people };
}

/** A mailbox allowed to send (canSend), as one whose address was confirmed. */
export async function addMailbox(
  d1: D1Database,
  owner: { teamId: string; userId: string },
  label: string,
): Promise<string> {
  const id = `mailbox_${label}`;
  await db({ DB: d1 })
    .insert(schema.mailbox)
    .values({
      id,
      teamId: owner.teamId,
      userId: owner.userId,
      address: `sender.${label}@beacon.test`,
      name: "Bench Sender",
      canSend: true,
      syncToken: newSyncToken((bytes) => new Uint8Array(randomBytes(bytes.length))),
    });
  return id;
}

// ── API shapes the bench reads

export const CampaignView = z.object({
  id: z.string(),
  status: z.string(),
  prospectCount: z.number(),
  statusCounts: z.record(z.string(), z.number()),
  updatedAt: z.string(),
});
export const EnrollAnswer = z.object({
  enrolled: z.number(),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
});
export const Page = z.object({
  items: z.array(z.object({ personId: z.string() })),
  nextCursor: z.string().optional(),
});
export const LogPage = z.object({
  items: z.array(z.object({ id: z.string(), personId: z.string(), status: z.string() })),
  nextCursor: z.string().optional(),
});
export const Usage = z.object({ sentToday: z.number(), remaining: z.number() });
export const BareStatus = z.object({
  remaining: z.number(),
  complete: z.number(),
  messages: z.number(),
  distinctPeople: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
export const ReserveAnswer = z.object({ granted: z.array(z.array(z.number())) });

export async function createCampaign(
  b: Bench,
  team: Team,
  name: string,
  mailboxId = team.mailboxId,
): Promise<string> {
  const view = CampaignView.parse(
    await b.fetch("/api/v1/campaigns", {
      method: "POST",
      key: team.key,
      body: {
        name,
        status: "draft",
        stages: [
          {
            type: "email",
            delayMinutes: 0,
            mailboxId,
            subject: "Hello {{firstName}}",
            body: "Hi {{firstName}},\n\nThis is the bench's first stage.\n\n{{senderName}}",
          },
        ],
      },
    }),
  );
  return view.id;
}

export async function enroll(b: Bench, team: Team, campaignId: string, personIds = team.people) {
  const started = performance.now();
  const answer = EnrollAnswer.parse(
    await b.fetch(`/api/v1/campaigns/${campaignId}/prospects`, {
      method: "POST",
      key: team.key,
      // The bench enrolls the same people in several campaigns on purpose (no conflict check).
      body: { personIds, force: true },
    }),
  );
  return { ms: performance.now() - started, answer };
}

/** Every prospect through the API's keyset pages (500 a page, bounded). */
export async function listProspects(b: Bench, team: Team, campaignId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const q = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
    const body = Page.parse(
      await b.fetch(`/api/v1/campaigns/${campaignId}/prospects?${q}`, { key: team.key }),
    );
    ids.push(...body.items.map((i) => i.personId));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

export async function listEmailLog(b: Bench, team: Team, campaignId: string) {
  const rows: z.infer<typeof LogPage>["items"] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const q = new URLSearchParams({ campaignId, limit: "500", ...(cursor ? { cursor } : {}) });
    const body = LogPage.parse(await b.fetch(`/api/v1/email-log?${q}`, { key: team.key }));
    rows.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return rows;
}

export async function count(d1: D1Database, sql: string, ...params: unknown[]): Promise<number> {
  const row = await d1
    .prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return Number(row?.n ?? 0);
}

/** `campaign_id IN` a JSON list bound as one parameter: D1 binds at most 100. */
export const IN_CAMPAIGNS = "campaign_id IN (SELECT value FROM json_each(?))";

/**
 * Waits for the D1 mirror of a fresh enrollment of `n` prospects over `campaignIds` (a member
 * row and a Waiting Email Log row per prospect): the enroll call answers after its first
 * outbox flush; alarms write the rest.
 */
export async function waitForEnrollMirror(
  b: Bench,
  campaignIds: string[],
  n: number,
  label: string,
) {
  const started = performance.now();
  const ids = JSON.stringify(campaignIds);
  const probe = async () => ({
    members: await count(
      b.d1,
      `SELECT count(*) AS n FROM campaign_member WHERE ${IN_CAMPAIGNS}`,
      ids,
    ),
    waiting: await count(
      b.d1,
      `SELECT count(*) AS n FROM email_log WHERE ${IN_CAMPAIGNS} AND status = 'waiting'`,
      ids,
    ),
  });
  const done = await waitFor(LIMITS.mirrorMs, async () => {
    const c = await probe();
    return c.members >= n && c.waiting >= n ? c : null;
  });
  const last = done ?? (await probe());
  check(`${label} D1 mirror: campaign_member rows`, last.members, n);
  check(`${label} D1 mirror: Email Log Waiting rows`, last.waiting, n);
  return performance.now() - started;
}

export const CampaignState = z.object({
  sqlStatements: z.number(),
  d1: z.object({ queries: z.number(), roundTrips: z.number() }),
  /** Changes in the Campaign DO's outbox, not yet in D1. */
  dirty: z.number(),
  /** The Campaign DO's SQLite database size, in bytes. */
  bytes: z.number(),
});
export type CampaignCounters = z.infer<typeof CampaignState>;

/**
 * Waits until the campaigns' outboxes are empty (every change is in D1), so a row's
 * mirror work does not run into the next row's measurement: locally every object shares
 * one thread. Answers how long that took; a timeout fails the row's check.
 */
export async function waitForMirrorIdle(b: Bench, campaignIds: string[], label: string) {
  const started = performance.now();
  const idle = await waitFor(LIMITS.mirrorMs, async () => {
    for (const id of campaignIds) {
      if ((await campaignCounters(b, id)).dirty > 0) return null;
    }
    return true;
  });
  check(`${label} D1 mirror caught up (outbox empty)`, idle ?? false, true);
  return performance.now() - started;
}

/** A Campaign DO's profile counters (its SQLite statements; the isolate's D1 traffic). */
export async function campaignCounters(b: Bench, campaignId: string): Promise<CampaignCounters> {
  return CampaignState.parse(await b.fetch(`/bench/campaign-state?id=${campaignId}`));
}

/** The difference of two counter readings. */
export function countersSince(before: CampaignCounters, after: CampaignCounters) {
  return {
    sqlStatements: after.sqlStatements - before.sqlStatements,
    d1Queries: after.d1.queries - before.d1.queries,
    d1RoundTrips: after.d1.roundTrips - before.d1.roundTrips,
  };
}
