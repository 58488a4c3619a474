/**
 * Twilio's inbound SMS webhook (POST /webhooks/twilio) and the /webhooks/* router: a
 * signed reply makes the prospect Replied, a STOP keyword Unsubscribed in every campaign
 * of the team; forged, unsigned and oversized requests change nothing. Texts go out
 * through the fake Twilio, so the Email Log holds what a real send leaves there.
 */

import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { createHmac } from "node:crypto";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { db, schema } from "@workers/db/client";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { webhooks } from "@workers/webhooks/index";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { type TwilioAccount, twilioStats } from "./fakes/twilio-control";
import {
  act,
  alarmUntil,
  campaignNamespaceStub,
  createCampaign,
  type EngineTeam,
  ErrorBody,
  emailLogOf,
  engineTeam,
  enroll,
  listProspects,
  outreachOf,
} from "./helpers/engine";

const twilioUrl = inject("twilioFakeUrl");
const OUR_NUMBER = "+15005550006";
/** The URL Twilio is configured to call: PUBLIC_URL (http://localhost in the tests) + path. */
const WEBHOOK_URL = "http://localhost/webhooks/twilio";
const DAY = 24 * 60 * 60 * 1000;

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

let sequence = 0;
/** A number no other test uses (the D1 of this file is shared), in E.164 and as a profile writes it. */
function newNumber() {
  const n = String(++sequence).padStart(4, "0");
  return { e164: `+1555201${n}`, profile: `+1 (555) 201-${n}` };
}

/** Sends SMS through the fake Twilio under an account of its own; its token signs webhooks. */
function throughFakeTwilio(): TwilioAccount {
  const account = {
    accountSid: `AC${crypto.randomUUID().replaceAll("-", "")}`,
    authToken: crypto.randomUUID(),
  };
  engineHooks.twilio = { ...account, from: OUR_NUMBER, baseUrl: twilioUrl, timeoutMs: 2_000 };
  return account;
}

/** Twilio's signature, computed here from its documentation (not with Beacon's code). */
function twilioSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", token).update(data, "utf8").digest("base64");
}

/** The form Twilio posts for an inbound SMS. */
function inboundForm(account: TwilioAccount, from: string, body: string, sid = newSid()) {
  return {
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: sid,
    NumMedia: "0",
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: body,
    FromCountry: "US",
    To: OUR_NUMBER,
    ToZip: "",
    NumSegments: "1",
    MessageSid: sid,
    AccountSid: account.accountSid,
    From: from,
    ApiVersion: "2010-04-01",
  };
}
const newSid = () => `SM${crypto.randomUUID().replaceAll("-", "")}`;

type PostOptions = {
  /** The signature header; null sends none. Default: Twilio's, for WEBHOOK_URL. */
  signature?: string | null;
  /** Where the request arrives (a proxy may change the host). */
  url?: string;
  rawBody?: string;
};

function post(account: TwilioAccount, params: Record<string, string>, o: PostOptions = {}) {
  const signature =
    o.signature === undefined
      ? twilioSignature(account.authToken, WEBHOOK_URL, params)
      : o.signature;
  return exports.default.fetch(o.url ?? WEBHOOK_URL, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "X-Twilio-Signature": signature }),
    },
    body: o.rawBody ?? new URLSearchParams(params).toString(),
  });
}

/** Twilio's answer to a message it delivered: 200 and an empty TwiML response. */
async function expectEmptyTwiml(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/xml/);
  expect(await res.text()).toMatch(/^<\?xml[^>]*\?><Response\/>$/);
}

function smsStages(delays: number[]) {
  return delays.map((delayMinutes, i) => ({
    type: "sms",
    delayMinutes,
    body: `Text ${i + 1}: hi {{firstName}}, a role for you`,
  }));
}

async function statusOf(t: EngineTeam, campaignId: string, personId: string) {
  const p = (await listProspects(t, campaignId)).find((r) => r.personId === personId);
  return p ? { status: p.status, reason: p.reason } : null;
}

async function suppressionOf(teamId: string) {
  const rows = await db(env)
    .select()
    .from(schema.suppression)
    .where(eq(schema.suppression.teamId, teamId));
  return rows.map((r) => ({ normalized: r.normalized, personId: r.personId, reason: r.reason }));
}

async function inboundRow(sid: string) {
  return db(env).query.smsInbound.findFirst({ where: eq(schema.smsInbound.messageSid, sid) });
}

/**
 * A team whose campaign `texts` (two SMS stages, a day apart) has sent its first text to
 * each of `texted`, and whose campaign `later` (one SMS stage, an hour in) has not texted
 * anyone yet; `untexted` are only in `later`.
 */
async function smsTeam(label: string, texted: number, untexted = 0) {
  const t = await engineTeam(label);
  const numbers = Array.from({ length: texted + untexted }, newNumber);
  const ids = await t.people(
    numbers.map((n, i) => ({
      firstName: `P${i}`,
      phones: [{ number: n.profile, type: "mobile" as const }],
    })),
  );
  const textedIds = ids.slice(0, texted);
  const texts = await createCampaign(t, { name: "Texts", stages: smsStages([0, 24 * 60]) });
  const later = await createCampaign(t, { name: "Later", stages: smsStages([60]) });
  if (textedIds.length > 0) await enroll(t, texts.id, textedIds);
  await enroll(t, later.id, ids);
  await alarmUntil(texts.id, async () => {
    const sent = (await emailLogOf(t, texts.id)).filter((m) => m.status === "sent");
    return sent.length === textedIds.length;
  });
  const people = ids.map((id, i) => ({ id, ...numbers[i] }));
  return { t, texts: texts.id, later: later.id, people };
}

/** Every prospect's status in the team's two campaigns, and its suppression list. */
async function teamState(w: Awaited<ReturnType<typeof smsTeam>>) {
  return {
    texts: await listProspects(w.t, w.texts),
    later: await listProspects(w.t, w.later),
    suppressed: await suppressionOf(w.t.teamId),
  };
}

/** Moves the engine's clock a day at a time and runs the campaigns' alarms each time. */
async function runDays(days: number, campaignIds: string[]) {
  for (let i = 0; i < days; i++) {
    setClockForTest(clock.now() + DAY);
    for (const id of campaignIds) await runDurableObjectAlarm(campaignNamespaceStub(id));
  }
}

/** runDays until `done` holds (bounded). */
async function runUntil(campaignIds: string[], done: () => Promise<boolean>, days = 10) {
  for (let i = 0; i < days && !(await done()); i++) await runDays(1, campaignIds);
  expect(await done()).toBe(true);
}

describe("POST /webhooks/twilio: replies", () => {
  it("a signed reply makes the prospect Replied (replied_sms) where they were texted, with the text in their history", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-reply", 2);
    const [ann, bo] = w.people;
    const text = `Yes — tell me more about the role. ${"x".repeat(300)}`;

    await expectEmptyTwiml(await post(account, inboundForm(account, ann.e164, text)));

    expect(await statusOf(w.t, w.texts, ann.id)).toEqual({
      status: "replied",
      reason: "replied_sms",
    });
    // The campaign that has not texted her yet is not what she answered.
    expect(await statusOf(w.t, w.later, ann.id)).toEqual({ status: "active", reason: undefined });
    expect(await statusOf(w.t, w.texts, bo.id)).toEqual({ status: "active", reason: undefined });
    const history = (await outreachOf(w.texts, ann.id))?.history ?? [];
    const details = history.map((h) => h.detail);
    expect(details).toContain(`SMS reply: ${text.slice(0, 200)}…`);
    expect(history.find((h) => h.detail?.startsWith("SMS reply"))?.actor).toBe("system:twilio");
    expect(await suppressionOf(w.t.teamId)).toEqual([]);
    // It counts as a Reply in the campaign's metrics, at the stage that texted her.
    const metrics = await w.t.call("GET", `/api/v1/campaigns/${w.texts}/metrics`);
    expect(metrics.json).toMatchObject({ totals: { replied: { people: 1 } } });
  });

  it("a reply from a prospect no campaign texted yet is their reply in the campaigns they are in", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-reply-first", 0, 1);
    const [zed] = w.people;
    await expectEmptyTwiml(await post(account, inboundForm(account, zed.e164, "Hi, saw the ad")));
    expect(await statusOf(w.t, w.later, zed.id)).toEqual({
      status: "replied",
      reason: "replied_sms",
    });
  });

  it("the same MessageSid delivered again is applied once", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-redelivery", 1);
    const [ann] = w.people;
    const form = inboundForm(account, ann.e164, "Interested");
    await expectEmptyTwiml(await post(account, form));
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "replied" });
    expect((await inboundRow(form.MessageSid))?.appliedAt).not.toBeNull();

    const unpaused = await act(w.t, w.texts, { action: "unpause", personIds: [ann.id] });
    expect(unpaused.status, unpaused.text).toBe(200);
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "active" });

    await expectEmptyTwiml(await post(account, form));
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "active" });

    // A new message is a new reply.
    await expectEmptyTwiml(await post(account, inboundForm(account, ann.e164, "Still keen")));
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "replied" });
  });

  it("is verified against PUBLIC_URL, not the host the request reached", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-public-url", 1);
    const [ann] = w.people;
    const internal = "http://beacon-internal.example/webhooks/twilio";
    const form = inboundForm(account, ann.e164, "Hello");
    const ownHost = await post(account, form, {
      url: internal,
      signature: twilioSignature(account.authToken, internal, form),
    });
    expect(ownHost.status).toBe(403);
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "active" });
    await expectEmptyTwiml(await post(account, form, { url: internal }));
    expect(await statusOf(w.t, w.texts, ann.id)).toMatchObject({ status: "replied" });
  });
});

const STOP_VARIANTS = [
  "STOP",
  "stop",
  " Stop. ",
  "STOPALL",
  "unsubscribe",
  "Cancel",
  "end",
  "QUIT",
];

describe("POST /webhooks/twilio: STOP", () => {
  it("every opt-out keyword makes the person Unsubscribed (sms_stop) in every campaign of the team, never texted again", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-stop", STOP_VARIANTS.length + 1);
    const stoppers = w.people.slice(0, STOP_VARIANTS.length);
    const control = w.people[STOP_VARIANTS.length];

    for (const [i, body] of STOP_VARIANTS.entries()) {
      await expectEmptyTwiml(await post(account, inboundForm(account, stoppers[i].e164, body)));
    }

    const unsubscribed = { status: "unsubscribed", reason: "sms_stop" };
    for (const [i, p] of stoppers.entries()) {
      expect(await statusOf(w.t, w.texts, p.id), STOP_VARIANTS[i]).toEqual(unsubscribed);
      expect(await statusOf(w.t, w.later, p.id), STOP_VARIANTS[i]).toEqual(unsubscribed);
    }
    expect(await statusOf(w.t, w.texts, control.id)).toEqual({
      status: "active",
      reason: undefined,
    });
    expect(
      (await suppressionOf(w.t.teamId)).sort((a, b) => a.normalized.localeCompare(b.normalized)),
    ).toEqual(stoppers.map((p) => ({ normalized: p.e164, personId: p.id, reason: "sms_stop" })));
    const history = (await outreachOf(w.later, stoppers[2].id))?.history ?? [];
    expect(history.map((h) => h.detail)).toContain(
      `${stoppers[2].e164} texted STOP: no more texts`,
    );

    // Both campaigns' later texts go out to the control only.
    const byTo = async () => (await twilioStats(twilioUrl, account)).byTo;
    await runUntil([w.texts, w.later], async () => (await byTo())[control.e164] === 3);
    await runDays(1, [w.texts, w.later]);
    const sent = await byTo();
    expect(sent[control.e164]).toBe(3);
    for (const p of stoppers) expect(sent[p.e164], p.e164).toBe(1);
  });

  it("a STOP from a number no campaign texted unsubscribes the person holding it", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-stop-first", 0, 1);
    const [zed] = w.people;
    await expectEmptyTwiml(await post(account, inboundForm(account, zed.e164, "stop")));
    expect(await statusOf(w.t, w.later, zed.id)).toEqual({
      status: "unsubscribed",
      reason: "sms_stop",
    });
    await runDays(2, [w.later]);
    expect((await twilioStats(twilioUrl, account)).byTo[zed.e164]).toBeUndefined();
    expect(await statusOf(w.t, w.later, zed.id)).toMatchObject({ reason: "sms_stop" });
  });

  it("a keyword inside a sentence is a reply, not a STOP", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-stop-sentence", 1);
    const [ann] = w.people;
    await expectEmptyTwiml(await post(account, inboundForm(account, ann.e164, "Please stop by")));
    expect(await statusOf(w.t, w.texts, ann.id)).toEqual({
      status: "replied",
      reason: "replied_sms",
    });
    expect(await suppressionOf(w.t.teamId)).toEqual([]);
  });
});

describe("POST /webhooks/twilio: refused or unmatched", () => {
  it("a forged signature → 403 and nothing changes", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-forged", 1);
    const [ann] = w.people;
    const before = await teamState(w);
    const form = inboundForm(account, ann.e164, "STOP");
    const forgeries = [
      twilioSignature("not-the-token", WEBHOOK_URL, form),
      // Twilio's signature of another text, sent with STOP.
      twilioSignature(account.authToken, WEBHOOK_URL, { ...form, Body: "hello" }),
      twilioSignature(account.authToken, "http://localhost/webhooks/resend", form),
      "not a signature",
    ];
    for (const signature of forgeries) {
      const res = await post(account, form, { signature });
      expect(res.status, signature).toBe(403);
      expect(ErrorBody.parse(await res.json()).error.code).toBe("forbidden");
    }
    expect(await teamState(w)).toEqual(before);
    expect(await inboundRow(form.MessageSid)).toBeUndefined();
  });

  it("a missing signature → 403 and nothing changes", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-unsigned", 1);
    const before = await teamState(w);
    const form = inboundForm(account, w.people[0].e164, "STOP");
    const res = await post(account, form, { signature: null });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/X-Twilio-Signature is missing/);
    expect(await teamState(w)).toEqual(before);
  });

  it("Twilio not configured (no TWILIO_AUTH_TOKEN) → 403: nothing can be verified", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-unconfigured", 1);
    const before = await teamState(w);
    resetEngineHooks();
    const res = await post(account, inboundForm(account, w.people[0].e164, "STOP"));
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(await teamState(w)).toEqual(before);
  });

  it("a body over 64 KiB → 413 and nothing changes", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-too-large", 1);
    const before = await teamState(w);
    const form = inboundForm(account, w.people[0].e164, `STOP${" ".repeat(64 * 1024)}`);
    const res = await post(account, form);
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("payload_too_large");
    expect(await teamState(w)).toEqual(before);
  });

  it("an unknown number → 200, nothing changes, logged (not as an error)", async () => {
    const account = throughFakeTwilio();
    const w = await smsTeam("sms-unknown", 1);
    const before = await teamState(w);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const form = inboundForm(account, newNumber().e164, "STOP");
    await expectEmptyTwiml(await post(account, form));
    expect(log.mock.calls.map((c) => c.join(" ")).join("\n")).toContain(form.MessageSid);
    expect(await teamState(w)).toEqual(before);
    expect((await inboundRow(form.MessageSid))?.outcome).toMatch(/^matched no one/);
  });
});

/**
 * Cross-team cases per webhook route, as tests/isolation.test.ts keeps them for the API:
 * a route added to the router fails "has a case" until it has one here.
 */
const CROSS_TEAM_CASES: Record<string, string> = {
  "POST /webhooks/twilio":
    "a reply or STOP from a number another team texted does not touch this team's person holding it",
  // Its test is in tests/webhooks-resend.test.ts.
  "POST /webhooks/resend":
    "a bounce of another team's message to the same address does not touch this team's person or suppression list",
};

describe("/webhooks/* router", () => {
  it("has a cross-team case for every webhook route", () => {
    const routes = webhooks.list();
    expect(routes).toContain("POST /webhooks/twilio");
    const missing = routes.filter((r) => !(r in CROSS_TEAM_CASES));
    expect(missing, `add cross-team cases for: ${missing.join(", ")}`).toEqual([]);
  });

  it("every webhook route refuses an unsigned request", async () => {
    for (const route of webhooks.list()) {
      const [method, path] = route.split(" ");
      const res = await exports.default.fetch(`http://localhost${path}`, {
        method,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "From=%2B15550100&Body=STOP&MessageSid=SM1",
      });
      expect([401, 403], route).toContain(res.status);
    }
  });

  it("an unknown webhook → 404 JSON; a wrong method → 405 JSON naming the allowed one", async () => {
    const unknown = await exports.default.fetch("http://localhost/webhooks/nope", {
      method: "POST",
    });
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(await unknown.json()).error.code).toBe("not_found");
    const wrong = await exports.default.fetch(WEBHOOK_URL);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("Allow")).toBe("POST");
    expect(ErrorBody.parse(await wrong.json()).error.message).toMatch(/GET is not allowed/);
  });

  it(`POST /webhooks/twilio: ${CROSS_TEAM_CASES["POST /webhooks/twilio"]}`, async () => {
    const account = throughFakeTwilio();
    const b = await smsTeam("sms-team-b", 1);
    const bea = b.people[0];
    // Team A holds the same number for a person of its own, in a campaign not yet texting.
    const a = await engineTeam("sms-team-a");
    const [ann] = await a.people([
      { firstName: "Ann", phones: [{ number: bea.profile, type: "mobile" }] },
    ]);
    const aCampaign = await createCampaign(a, { name: "A's texts", stages: smsStages([60]) });
    await enroll(a, aCampaign.id, [ann]);
    const aBefore = {
      prospects: await listProspects(a, aCampaign.id),
      suppressed: await suppressionOf(a.teamId),
    };

    await expectEmptyTwiml(await post(account, inboundForm(account, bea.e164, "Who is this?")));
    expect(await statusOf(b.t, b.texts, bea.id)).toMatchObject({ reason: "replied_sms" });
    await expectEmptyTwiml(await post(account, inboundForm(account, bea.e164, "STOP")));
    expect(await statusOf(b.t, b.later, bea.id)).toMatchObject({ reason: "sms_stop" });

    expect({
      prospects: await listProspects(a, aCampaign.id),
      suppressed: await suppressionOf(a.teamId),
    }).toEqual(aBefore);
    expect(await outreachOf(aCampaign.id, ann)).toMatchObject({
      history: expect.not.arrayContaining([
        expect.objectContaining({ detail: expect.stringMatching(/SMS reply|texted STOP/) }),
      ]),
    });
  });
});
