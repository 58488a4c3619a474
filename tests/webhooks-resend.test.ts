/**
 * Resend's delivery webhook (POST /webhooks/resend): Svix-signed events, signed here with
 * svix's own signer and the test secret (vitest.config.ts). Forged, stale and replayed
 * requests change nothing; each event applies once, in any order; bounces and complaints
 * move the prospect and the Email Log as the inbound classifier's mapping does.
 */

import { env, exports } from "cloudflare:workers";
import { resetClockForTest } from "@workers/clock";
import { db, schema } from "@workers/db/client";
import { eq } from "drizzle-orm";
import { Webhook } from "svix";
import { afterEach, describe, expect, it } from "vitest";
import {
  createCampaign,
  type EngineTeam,
  emailStage,
  engineTeam,
  enroll,
  listProspects,
  runAlarm,
} from "./helpers/engine";

const SECRET = env.RESEND_WEBHOOK_SECRET;
const URL_ = "http://localhost/webhooks/resend";

afterEach(() => resetClockForTest());

type Signed = { id?: string; at?: Date; secret?: string };

function signedHeaders(payload: string, o: Signed = {}) {
  const id = o.id ?? `msg_${crypto.randomUUID()}`;
  const at = o.at ?? new Date();
  return {
    "Content-Type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(o.secret ?? SECRET).sign(id, at, payload),
  };
}

function post(payload: string, headers: Record<string, string>) {
  return exports.default.fetch(URL_, { method: "POST", headers, body: payload });
}

function event(type: string, data: Record<string, unknown>) {
  return JSON.stringify({ type, created_at: new Date().toISOString(), data });
}

/** A campaign that has sent its first email to each of `n` people through the sink. */
async function sent(label: string, n = 1) {
  const t = await engineTeam(label);
  const ids = await t.people(
    Array.from({ length: n }, (_, i) => ({
      firstName: `P${i}`,
      emails: [{ address: `${label}-${i}@example.org`, type: "personal" as const }],
    })),
  );
  const c = await createCampaign(t, {
    name: label,
    stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 3 * 24 * 60)],
  });
  await enroll(t, c.id, ids);
  await runAlarm(c.id);
  const rows = await db(env)
    .select()
    .from(schema.emailLog)
    .where(eq(schema.emailLog.campaignId, c.id));
  const sentRows = rows.filter((r) => r.status === "sent");
  expect(sentRows).toHaveLength(n);
  return { t, campaignId: c.id, ids, rows: sentRows };
}

async function logStatus(rowId: string) {
  const row = await db(env).query.emailLog.findFirst({ where: eq(schema.emailLog.id, rowId) });
  return row?.status;
}

async function prospect(t: EngineTeam, campaignId: string, personId: string) {
  const p = (await listProspects(t, campaignId)).find((r) => r.personId === personId);
  return { status: p?.status, reason: p?.reason };
}

async function suppressed(teamId: string) {
  return db(env).select().from(schema.suppression).where(eq(schema.suppression.teamId, teamId));
}

describe("POST /webhooks/resend: authenticity", () => {
  it("refuses a forged signature, a stale timestamp and missing headers with 401, changing nothing", async () => {
    const { rows } = await sent("rw-forged");
    const row = rows[0];
    const payload = event("email.bounced", {
      email_id: row.providerId,
      bounce: { type: "Permanent", subType: "General", message: "gone" },
    });
    const forged = await post(
      payload,
      signedHeaders(payload, { secret: "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY" }),
    );
    expect(forged.status).toBe(401);
    const stale = await post(
      payload,
      signedHeaders(payload, { at: new Date(Date.now() - 6 * 60 * 1000) }),
    );
    expect(stale.status).toBe(401);
    const bare = await post(payload, { "Content-Type": "application/json" });
    expect(bare.status).toBe(401);
    const tampered = signedHeaders(payload);
    const changed = await post(payload.replace("Permanent", "Transient"), tampered);
    expect(changed.status).toBe(401);
    expect(await logStatus(row.id)).toBe("sent");
  });

  it("refuses the same signed request replayed, and applies a redelivered event once", async () => {
    const { rows } = await sent("rw-replay");
    const row = rows[0];
    const payload = event("email.delivered", { email_id: row.providerId });
    const headers = signedHeaders(payload);
    const first = await post(payload, headers);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(await logStatus(row.id)).toBe("delivered");
    const replayed = await post(payload, headers);
    expect(replayed.status).toBe(401);
    // Svix's retry: the same svix-id, signed again at a later time.
    const retry = await post(
      payload,
      signedHeaders(payload, {
        id: headers["svix-id"],
        at: new Date(Date.now() + 2_000),
      }),
    );
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { outcome: string }).outcome).toBe("duplicate");
  });
});

describe("POST /webhooks/resend: events", () => {
  it("a permanent bounce → Email Log Bounced, prospect Bounced (hard_bounce), address suppressed; a late delivered keeps Bounced", async () => {
    const { t, campaignId, ids, rows } = await sent("rw-hard");
    const row = rows[0];
    const bounced = event("email.bounced", {
      email_id: row.providerId,
      to: [row.to],
      bounce: { type: "Permanent", subType: "NoEmail", message: "550 5.1.1 user unknown" },
    });
    expect((await post(bounced, signedHeaders(bounced))).status).toBe(200);
    expect(await logStatus(row.id)).toBe("bounced");
    expect(await prospect(t, campaignId, ids[0])).toEqual({
      status: "bounced",
      reason: "hard_bounce",
    });
    expect((await suppressed(t.teamId)).map((s) => s.normalized)).toContain(row.to);

    const late = event("email.delivered", { email_id: row.providerId });
    expect((await post(late, signedHeaders(late))).status).toBe(200);
    expect(await logStatus(row.id)).toBe("bounced");
    expect((await prospect(t, campaignId, ids[0])).status).toBe("bounced");
  });

  it("a transient bounce → Not Delivered (soft_bounce), not suppressed", async () => {
    const { t, campaignId, ids, rows } = await sent("rw-soft");
    const row = rows[0];
    const payload = event("email.bounced", {
      email_id: row.providerId,
      bounce: { type: "Transient", subType: "MailboxFull", message: "mailbox full" },
    });
    expect((await post(payload, signedHeaders(payload))).status).toBe(200);
    expect(await logStatus(row.id)).toBe("not_delivered");
    expect(await prospect(t, campaignId, ids[0])).toEqual({
      status: "not_delivered",
      reason: "soft_bounce",
    });
    expect(await suppressed(t.teamId)).toHaveLength(0);
  });

  it("a complaint → Spam (complaint) and suppression", async () => {
    const { t, campaignId, ids, rows } = await sent("rw-spam");
    const row = rows[0];
    const payload = event("email.complained", { email_id: row.providerId, to: [row.to] });
    expect((await post(payload, signedHeaders(payload))).status).toBe(200);
    expect(await logStatus(row.id)).toBe("spam");
    expect(await prospect(t, campaignId, ids[0])).toEqual({ status: "spam", reason: "complaint" });
    expect((await suppressed(t.teamId)).map((s) => s.normalized)).toContain(row.to);
  });

  it("matches by our Message-ID in the event's headers when the provider id is unknown", async () => {
    const { rows } = await sent("rw-header", 2);
    const [a, b] = rows;
    const payload = event("email.delivered", {
      email_id: "re_not_ours_0001",
      headers: [{ name: "Message-ID", value: `<${b.id}@localhost>` }],
    });
    expect((await post(payload, signedHeaders(payload))).status).toBe(200);
    expect(await logStatus(b.id)).toBe("delivered");
    expect(await logStatus(a.id)).toBe("sent");
  });

  it("a delay warning changes nothing; an event for no message of ours is answered and ignored", async () => {
    const { rows } = await sent("rw-delay");
    const row = rows[0];
    const delayed = event("email.delivery_delayed", { email_id: row.providerId });
    expect((await post(delayed, signedHeaders(delayed))).status).toBe(200);
    expect(await logStatus(row.id)).toBe("sent");
    const stranger = event("email.delivered", { email_id: "re_unknown" });
    const res = await post(stranger, signedHeaders(stranger));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe("unmatched");
  });
});

describe("POST /webhooks/resend: teams", () => {
  it("a bounce of another team's message to the same address does not touch this team's person or suppression list", async () => {
    const a = await sent("rw-team-a");
    const b = await engineTeam("rw-team-b");
    const [bob] = await b.people([
      { firstName: "Same", emails: [{ address: "rw-team-a-0@example.org", type: "personal" }] },
    ]);
    const c = await createCampaign(b, { name: "B", stages: [emailStage(b.mailboxId, 0)] });
    await enroll(b, c.id, [bob]);
    await runAlarm(c.id);
    const [bRow] = await db(env)
      .select()
      .from(schema.emailLog)
      .where(eq(schema.emailLog.campaignId, c.id));
    const payload = event("email.bounced", {
      email_id: bRow.providerId,
      to: [bRow.to],
      bounce: { type: "Permanent", subType: "General", message: "gone" },
    });
    expect((await post(payload, signedHeaders(payload))).status).toBe(200);
    expect(await logStatus(bRow.id)).toBe("bounced");
    expect(await logStatus(a.rows[0].id)).toBe("sent");
    expect((await prospect(a.t, a.campaignId, a.ids[0])).status).toBe("active");
    expect(await suppressed(a.t.teamId)).toHaveLength(0);
    expect(await suppressed(b.teamId)).toHaveLength(1);
  });
});
