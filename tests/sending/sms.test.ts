import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import type { PersonInput } from "@workers/core/people";
import { insertPeople } from "@workers/data/people";
import { db } from "@workers/db/client";
import { ConfigSchema } from "@workers/env";
import { engineHooks, type FaultStep, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  type TwilioAccount,
  type TwilioStats,
  twilioControl,
  twilioStats,
} from "../fakes/twilio-control";
import {
  CampaignBody,
  campaignNamespaceStub,
  EmailLogPage,
  expectAlarmInvariant,
  ProspectPage,
  sinkMessages,
} from "../helpers/engine";
import { makeTeam } from "../helpers/teams";

const twilioUrl = inject("twilioFakeUrl");
const N = 200;
const FROM = "+15005550006";
const UNKNOWN = "Unknown whether the SMS was sent; check Twilio before retrying";

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

/** The E.164 number of person i (their profile holds it with spaces). */
const numberOf = (i: number) => `+1555${String(i).padStart(7, "0")}`;
const profileNumberOf = (i: number) => `+1 555 ${String(i).padStart(7, "0")}`;

/** A team (no mailbox: SMS need none) with helpers to call the API and add people. */
async function smsTeam(label: string) {
  const user = await makeTeam(label);
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
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, text };
  }
  const people = (list: PersonInput[]) => insertPeople(db(env), user.teamId, user.userId, list);
  return { ...user, call, people };
}
type Team = Awaited<ReturnType<typeof smsTeam>>;

/**
 * Sends through the fake Twilio under an account of its own, timeouts made quick: 300 ms,
 * below the fake's injected 400 ms holds, with room for an ordinary request on a loaded
 * machine (at 150 ms the whole suite's load turned ordinary answers into timeouts, and a
 * prospect of the seeded mix ran out of attempts).
 */
function throughFakeTwilio(): TwilioAccount {
  const account = {
    accountSid: `AC${crypto.randomUUID().replaceAll("-", "")}`,
    authToken: crypto.randomUUID(),
  };
  engineHooks.twilio = { ...account, from: FROM, baseUrl: twilioUrl, timeoutMs: 300 };
  return account;
}

async function smsCampaign(t: Team, personIds: string[], stages = 2) {
  const bodies = ["Hi {{firstName}}, a role for you", "{{firstName}}, still interested?"];
  const res = await t.call("POST", "/api/v1/campaigns", {
    name: "Texts",
    stages: bodies.slice(0, stages).map((body) => ({ type: "sms", delayMinutes: 0, body })),
  });
  expect(res.status, res.text).toBe(201);
  const campaign = CampaignBody.parse(res.json);
  const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
    personIds,
  });
  expect(enrolled.json).toMatchObject({ enrolled: personIds.length });
  return campaign;
}

/** N people with a mobile number each, in a two-stage SMS campaign. */
async function setup(label: string) {
  const t = await smsTeam(label);
  const account = throughFakeTwilio();
  const ids = await t.people(
    Array.from({ length: N }, (_, i) => ({
      firstName: `P${i}`,
      phones: [{ number: profileNumberOf(i), type: "mobile" as const }],
    })),
  );
  const campaign = await smsCampaign(t, ids);
  return { t, account, campaign, ids };
}

async function prospects(t: Team, campaignId: string) {
  const res = await t.call("GET", `/api/v1/campaigns/${campaignId}/prospects?limit=500`);
  expect(res.status, res.text).toBe(200);
  return ProspectPage.parse(res.json).items;
}

async function statuses(t: Team, campaignId: string) {
  const counts: Record<string, number> = {};
  for (const r of await prospects(t, campaignId)) {
    const k = r.reason ? `${r.status}:${r.reason}` : r.status;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/**
 * Runs alarms, moving the engine's clock 10 minutes a round (past any backoff and the
 * lookup's settling time), until `done`; the alarm invariant holds after every round.
 */
async function drive(
  t: Team,
  campaignId: string,
  done: (c: Record<string, number>) => boolean,
  rounds = 60,
) {
  let now = clock.now();
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (let i = 0; i < rounds; i++) {
      const c = await statuses(t, campaignId);
      if (done(c)) return c;
      now += 10 * 60_000;
      setClockForTest(now);
      await runDurableObjectAlarm(campaignNamespaceStub(campaignId)).catch(() => false);
      await statuses(t, campaignId); // wakes a crashed object, which re-arms itself
      await expectAlarmInvariant(campaignId);
    }
  } finally {
    console.warn = warn;
  }
  return statuses(t, campaignId);
}

const allComplete = (c: Record<string, number>) => c["complete:completed"] === N;

/** Twilio created exactly one message per person and stage, with that stage's text. */
function expectOnePerStage(stats: TwilioStats, people: number, stages: number) {
  expect(stats.accepted).toBe(people * stages);
  expect(Object.keys(stats.byTo).length).toBe(people);
  expect(Object.values(stats.byTo).every((n) => n === stages)).toBe(true);
  expect(new Set(stats.messages.map((m) => `${m.to}|${m.body}`)).size).toBe(people * stages);
  expect(stats.messages.every((m) => m.from === FROM)).toBe(true);
}

describe("exactly one SMS per prospect and stage, whatever fails", () => {
  for (const step of ["before_send", "after_send", "before_record"] as FaultStep[]) {
    for (const how of ["throw", "crash"] as const) {
      it(`survives a ${how} at ${step}`, async () => {
        const s = await setup(`sms-${how}-${step.replace("_", "-")}`);
        let calls = 0;
        let injected = 0;
        engineHooks.fault = (at, _id, crash) => {
          if (at !== step) return;
          calls++;
          if (calls % 3 !== 1) return;
          injected++;
          if (how === "crash") crash();
          throw new Error(`injected ${how} at ${step}`);
        };
        const end = await drive(s.t, s.campaign.id, allComplete);
        expect(end).toEqual({ "complete:completed": N });
        expect(injected).toBeGreaterThan(0);
        const stats = await twilioStats(twilioUrl, s.account);
        expectOnePerStage(stats, N, 2);
        if (step !== "before_send") {
          // Twilio had accepted those: they were found in its list, not sent again.
          expect(stats.lookupRequests).toBeGreaterThan(0);
        }
      });
    }
  }

  it("survives a seeded mix of 500s, 429s, timeouts and accepted-then-500 answers", async () => {
    const s = await setup("sms-mix");
    await twilioControl(twilioUrl, s.account, {
      randomFailureRate: 0.4,
      seed: 11,
      randomFailureKinds: ["500", "429", "timeout", "acceptThenFail"],
      randomTimeoutMs: 400,
    });
    const end = await drive(s.t, s.campaign.id, allComplete);
    expect(end).toEqual({ "complete:completed": N });
    const stats = await twilioStats(twilioUrl, s.account);
    expectOnePerStage(stats, N, 2);
    expect(stats.failuresInjected).toBeGreaterThan(0);
    expect(stats.lookupRequests).toBeGreaterThan(0);
    expect(stats.sendRequests).toBeGreaterThan(2 * N);
  });

  it("finds a message still in Twilio's queue (no date_sent yet) and does not send it again", async () => {
    const s = await setup("sms-queued");
    await twilioControl(twilioUrl, s.account, { queue: true });
    let crashed = 0;
    engineHooks.fault = (at, _id, crash) => {
      if (at !== "after_send" || crashed > 0) return;
      crashed++;
      crash();
      throw new Error("injected crash after Twilio accepted");
    };
    const end = await drive(s.t, s.campaign.id, allComplete);
    expect(end).toEqual({ "complete:completed": N });
    const stats = await twilioStats(twilioUrl, s.account);
    expectOnePerStage(stats, N, 2);
    expect(stats.messages.every((m) => m.status === "queued" && m.dateSent === null)).toBe(true);
  });

  it("gives up with Failed too_many_retries when Twilio fails forever, having sent nothing", async () => {
    const s = await setup("sms-forever");
    await twilioControl(twilioUrl, s.account, { failForever: true });
    const end = await drive(s.t, s.campaign.id, (c) => c["failed:too_many_retries"] === N);
    expect(end).toEqual({ "failed:too_many_retries": N });
    const stats = await twilioStats(twilioUrl, s.account);
    expect(stats.accepted).toBe(0);
    // Each failed try left the outcome unknown: the list was read before every new try.
    expect(stats.lookupRequests).toBeGreaterThan(0);
  });
});

describe("when Twilio's list cannot be read", () => {
  it("asks the list again later when it failed for a moment, and sends each text once", async () => {
    const t = await smsTeam("sms-lookup-blip");
    const account = throughFakeTwilio();
    const ids = await t.people(
      [0, 1, 2].map((i) => ({
        firstName: `Q${i}`,
        phones: [{ number: profileNumberOf(900 + i), type: "mobile" as const }],
      })),
    );
    // The first three texts are accepted but answered 500 (outcome unknown); the first two
    // reads of the list fail, one with a 500, one by taking longer than the timeout.
    await twilioControl(twilioUrl, account, {
      failNext: [{ acceptThenFail: 500 }, { acceptThenFail: 500 }, { acceptThenFail: 500 }],
      lookupFailNext: [{ status: 500 }, { timeoutMs: 1_000 }],
    });
    const campaign = await smsCampaign(t, ids);
    const done = (c: Record<string, number>) => c["complete:completed"] === ids.length;
    const end = await drive(t, campaign.id, done);
    expect(end).toEqual({ "complete:completed": ids.length });
    const stats = await twilioStats(twilioUrl, account);
    expectOnePerStage(stats, ids.length, 2);
    expect(stats.failuresInjected).toBeGreaterThanOrEqual(5);
  });

  it("leaves a message whose outcome is unknown Failed, says why, and never sends it again", async () => {
    const s = await setup("sms-no-lookup");
    await twilioControl(twilioUrl, s.account, {
      randomFailureRate: 0.3,
      seed: 5,
      randomFailureKinds: ["acceptThenFail", "timeout"],
      randomTimeoutMs: 400,
      failLookups: true,
    });
    const settled = (c: Record<string, number>) =>
      (c["complete:completed"] ?? 0) + (c["failed:too_many_retries"] ?? 0) === N;
    const end = await drive(s.t, s.campaign.id, settled);
    expect(settled(end)).toBe(true);
    const failed = end["failed:too_many_retries"] ?? 0;
    expect(failed).toBeGreaterThan(0);

    const before = await twilioStats(twilioUrl, s.account);
    // Nobody got a stage twice: each unknown one was accepted once and then left alone.
    expect(new Set(before.messages.map((m) => `${m.to}|${m.body}`)).size).toBe(before.accepted);
    const rows = await prospects(s.t, s.campaign.id);
    const expected = rows.reduce((n, r) => n + (r.status === "complete" ? 2 : r.stageIndex + 1), 0);
    expect(before.accepted).toBe(expected);

    const failedRow = rows.find((r) => r.status === "failed");
    expect(failedRow?.reasonLabel).toContain(UNKNOWN);
    const log = await s.t.call(
      "GET",
      `/api/v1/email-log?campaignId=${s.campaign.id}&personId=${failedRow?.personId}`,
    );
    const messages = EmailLogPage.parse(log.json).items;
    const failedMessage = messages.find((m) => m.status === "failed");
    expect(failedMessage?.reason).toContain(UNKNOWN);

    // More alarms send nothing more.
    await drive(s.t, s.campaign.id, () => false, 5);
    const after = await twilioStats(twilioUrl, s.account);
    expect(after.sendRequests).toBe(before.sendRequests);
    expect(after.accepted).toBe(before.accepted);
  });
});

describe("what Twilio refuses, and who cannot get a text", () => {
  it("maps no phone, STOP, invalid numbers and landlines to their statuses", async () => {
    const t = await smsTeam("sms-outcomes");
    const account = throughFakeTwilio();
    await twilioControl(twilioUrl, account, {
      stopNumbers: [numberOf(2)],
      invalidNumbers: [numberOf(3)],
      landlineNumbers: [numberOf(4)],
    });
    const phone = (i: number) => [{ number: profileNumberOf(i), type: "mobile" as const }];
    const [ok, none, stop, invalid, landline, local] = await t.people([
      { firstName: "Ok", phones: phone(1) },
      { firstName: "None" },
      { firstName: "Stop", phones: phone(2) },
      { firstName: "Invalid", phones: phone(3) },
      { firstName: "Landline", phones: phone(4) },
      { firstName: "Local", phones: [{ number: "555 010 2030", type: "mobile" as const }] },
    ]);
    const campaign = await smsCampaign(t, [ok, none, stop, invalid, landline, local], 1);
    await drive(t, campaign.id, (c) => (c.active ?? 0) === 0);
    const rows = new Map((await prospects(t, campaign.id)).map((r) => [r.personId, r]));
    expect(rows.get(ok)).toMatchObject({ status: "complete", reason: "completed" });
    expect(rows.get(none)).toMatchObject({ status: "failed", reason: "no_phone" });
    expect(rows.get(stop)).toMatchObject({ status: "unsubscribed", reason: "sms_stop" });
    expect(rows.get(invalid)).toMatchObject({
      status: "not_delivered",
      reason: "invalid_recipient",
    });
    expect(rows.get(landline)).toMatchObject({
      status: "not_delivered",
      reason: "invalid_recipient",
    });
    expect(rows.get(local)).toMatchObject({ status: "not_delivered", reason: "invalid_recipient" });
    expect(rows.get(local)?.reasonLabel).toMatch(/country code/);

    const stats = await twilioStats(twilioUrl, account);
    expect(stats.accepted).toBe(1);
    expect(stats.messages[0]).toMatchObject({ to: numberOf(1), body: "Hi Ok, a role for you" });
    // The number without a country code never reached Twilio.
    expect(stats.sendRequests).toBe(4);
  });
});

describe("without Twilio", () => {
  it("sends SMS through the local sink when Twilio is not configured", async () => {
    const t = await smsTeam("sms-sink");
    const ids = await t.people([
      { firstName: "Pat", phones: [{ number: "+1 555 010 2030", type: "mobile" }] },
    ]);
    const campaign = await smsCampaign(t, ids, 2);
    const end = await drive(t, campaign.id, (c) => c["complete:completed"] === 1);
    expect(end).toEqual({ "complete:completed": 1 });
    const sms = (await sinkMessages(t.teamId)).filter((m) => m.channel === "sms");
    expect(sms.map((m) => [m.to, m.text]).sort()).toEqual([
      ["+1 555 010 2030", "Hi Pat, a role for you"],
      ["+1 555 010 2030", "Pat, still interested?"],
    ]);
  });

  it("refuses a Twilio configuration missing some of its three variables, naming them", () => {
    const base = { AUTH_SECRET: "x".repeat(32), PUBLIC_URL: "http://localhost" };
    const partial = ConfigSchema.safeParse({ ...base, TWILIO_ACCOUNT_SID: "AC1" });
    expect(partial.success).toBe(false);
    const paths = partial.error?.issues.map((i) => i.path.join(".")).sort();
    expect(paths).toEqual(["TWILIO_AUTH_TOKEN", "TWILIO_FROM"]);
    expect(ConfigSchema.safeParse(base).success).toBe(true);
    const full = ConfigSchema.safeParse({
      ...base,
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_AUTH_TOKEN: "t",
      TWILIO_FROM: FROM,
      TWILIO_BASE_URL: "not a url",
    });
    expect(full.error?.issues.map((i) => i.path.join("."))).toEqual(["TWILIO_BASE_URL"]);
  });
});

describe("the fake Twilio", () => {
  it("lists newest first, filters by To, From and DateSent, and keeps queued messages out of DateSent filters", async () => {
    const account = {
      accountSid: `AC${crypto.randomUUID().replaceAll("-", "")}`,
      authToken: "token",
    };
    const auth = `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`;
    const url = `${twilioUrl}/2010-04-01/Accounts/${account.accountSid}/Messages.json`;
    const send = (to: string, body: string) =>
      fetch(url, {
        method: "POST",
        headers: { Authorization: auth },
        body: new URLSearchParams({ To: to, From: FROM, Body: body }),
      });
    expect((await send("+15550000001", "one")).status).toBe(201);
    expect((await send("+15550000002", "two")).status).toBe(201);
    await twilioControl(twilioUrl, account, { queue: true });
    expect((await send("+15550000001", "three")).status).toBe(201);
    const bad = await send("5550000001", "x");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 21211, status: 400 });

    const list = async (query: string) => {
      const res = await fetch(`${url}?${query}`, { headers: { Authorization: auth } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { messages: { body: string }[] }).messages.map((m) => m.body);
    };
    const today = new Date().toISOString().slice(0, 10);
    expect(await list("To=%2B15550000001")).toEqual(["three", "one"]);
    expect(await list(`To=%2B15550000001&DateSent>=${today}`)).toEqual(["one"]);
    expect(await list("From=%2B15550000009")).toEqual([]);
    const wrong = await fetch(url, {
      headers: { Authorization: `Basic ${btoa(`${account.accountSid}:nope`)}` },
    });
    expect(wrong.status).toBe(401);
  });
});
