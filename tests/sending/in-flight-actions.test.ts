// Issue #7 hole 1: a committed send is the prospect's send for that stage until it settles.
// Every action a teammate can take while stage 1 waits out a provider 5xx, for email and
// SMS: whatever they do, the provider accepts at most one message for (prospect, stage 1),
// and nothing is sent twice later.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import { twilioControl, twilioStats } from "../fakes/twilio-control";
import {
  act,
  CampaignBody,
  campaignNamespaceStub,
  emailLogOf,
  engineTeam,
  expectAlarmInvariant,
  prospectOf,
} from "../helpers/engine";

const resendUrl = inject("resendFakeUrl");
const twilioUrl = inject("twilioFakeUrl");

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

type Channel = "email" | "sms";
type Team = Awaited<ReturnType<typeof engineTeam>>;

const ActAnswer = z.object({
  applied: z.number(),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
  notes: z.array(z.object({ personId: z.string(), note: z.string() })).optional(),
});

/** A one-person campaign whose stage 1 is committed and waiting out a provider 500. */
async function inFlight(label: string, channel: Channel) {
  const t = await engineTeam(label);
  const key = `re_test_${crypto.randomUUID()}`;
  const account = {
    accountSid: `AC${crypto.randomUUID().replaceAll("-", "")}`,
    authToken: crypto.randomUUID(),
  };
  if (channel === "email") {
    engineHooks.resend = { apiKey: key, baseUrl: resendUrl, ratePerSecond: 1_000 };
    await fakeControl(resendUrl, key, { failNext: [{ status: 500 }] });
  } else {
    engineHooks.twilio = { ...account, from: "+15005550006", baseUrl: twilioUrl, timeoutMs: 150 };
    await twilioControl(twilioUrl, account, { failNext: [{ status: 500 }] });
  }
  const [personId] = await t.people([
    {
      firstName: "Ada",
      emails: [{ address: `ada@${label}.example.org`, type: "personal" }],
      phones: [{ number: "+1 555 0100100", type: "mobile" }],
    },
  ]);
  const stage = (delayMinutes: number, n: number) =>
    channel === "email"
      ? {
          type: "email",
          delayMinutes,
          mailboxId: t.mailboxId,
          subject: `Stage ${n}`,
          body: "Hi {{firstName}}",
        }
      : { type: "sms", delayMinutes, body: `Stage ${n} for {{firstName}}` };
  const res = await t.call("POST", "/api/v1/campaigns", {
    name: `In flight ${label}`,
    stages: [stage(0, 1), stage(3 * 24 * 60, 2)],
  });
  expect(res.status, res.text).toBe(201);
  const campaign = CampaignBody.parse(res.json);
  await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: [personId] });
  await runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
  const sending = await runInDurableObject(campaignNamespaceStub(campaign.id), (_o, state) =>
    state.storage.sql.exec("SELECT COUNT(*) AS n FROM message WHERE status = 'sending'").one(),
  );
  expect(Number(sending.n), "stage 1 is committed and in flight").toBe(1);
  const accepted = async () =>
    channel === "email"
      ? (await fakeStats(resendUrl, key)).accepted
      : (await twilioStats(twilioUrl, account)).accepted;
  expect(await accepted(), "the provider failed the first try").toBe(0);
  return { t, campaign, personId, accepted };
}

/** Runs the campaign over the next hour of the engine's clock (retries, anything due). */
async function settle(campaignId: string) {
  let now = clock.now();
  for (let i = 0; i < 12; i++) {
    now += 5 * 60_000;
    setClockForTest(now);
    await runDurableObjectAlarm(campaignNamespaceStub(campaignId));
  }
  await expectAlarmInvariant(campaignId);
}

async function perform(t: Team, campaignId: string, personId: string, what: string) {
  const one = async (action: string, extra: Record<string, unknown> = {}) => {
    const res = await act(t, campaignId, { action, personIds: [personId], ...extra });
    return res;
  };
  switch (what) {
    case "pause then unpause": {
      const paused = await one("pause");
      expect(paused.status, paused.text).toBe(200);
      const unpaused = await one("unpause");
      expect(unpaused.status, unpaused.text).toBe(200);
      const answer = ActAnswer.parse(unpaused.json);
      expect(answer.notes?.[0]?.note).toMatch(/already sending/i);
      return;
    }
    case "mark replied then unpause": {
      const replied = await one("mark_replied");
      expect(replied.status, replied.text).toBe(200);
      expect(ActAnswer.parse(replied.json).notes?.[0]?.note).toMatch(/already sending/i);
      expect((await one("unpause")).status).toBe(200);
      return;
    }
    case "finish":
    case "remove": {
      const res = await one(what);
      expect(res.status, res.text).toBe(200);
      return;
    }
    case "skip":
    case "retry": {
      const res = await one(what);
      expect(res.status, res.text).toBe(409);
      return;
    }
    case "move": {
      const target = await t.call("POST", "/api/v1/campaigns", {
        name: "Elsewhere",
        status: "draft",
        stages: [{ type: "task", delayMinutes: 0, title: "Call them" }],
      });
      const id = CampaignBody.parse(target.json).id;
      const res = await one("move", { toCampaignId: id, moveId: crypto.randomUUID() });
      expect(res.status, res.text).toBe(409);
      return;
    }
    case "cancel": {
      const [row] = (await emailLogOf(t, campaignId)).filter((r) => r.stageIndex === 0);
      const res = await t.call("POST", `/api/v1/email-log/${row.id}/cancel`);
      expect(res.status, res.text).toBe(409);
      return;
    }
  }
}

const ACTIONS = [
  "pause then unpause",
  "mark replied then unpause",
  "finish",
  "remove",
  "skip",
  "retry",
  "move",
  "cancel",
];

describe("a committed send is the only send of its stage", () => {
  for (const channel of ["email", "sms"] as const) {
    for (const what of ACTIONS) {
      it(`${channel}: ${what} during a provider retry → exactly one ${channel} for stage 1`, async () => {
        const label = `${channel}-${what.replaceAll(" ", "-")}`;
        const s = await inFlight(label, channel);
        await perform(s.t, s.campaign.id, s.personId, what);
        await expectAlarmInvariant(s.campaign.id);
        await settle(s.campaign.id);
        expect(await s.accepted(), "accepted by the provider").toBe(1);
        await settle(s.campaign.id);
        expect(await s.accepted(), "nothing more later").toBe(1);
        const p = await prospectOf(s.t, s.campaign.id, s.personId);
        if (what === "pause then unpause" || what === "mark replied then unpause") {
          // The send settled and moved them on: Active at stage 2, due days later.
          expect(p?.status).toBe("active");
          expect(p?.stageIndex).toBe(1);
        }
        if (what === "remove") expect(p).toBeUndefined();
        if (what === "finish") expect(p?.status).toBe("complete");
      });
    }
  }

  it("pause during the retry: the send settles, the prospect stays Paused at the next stage", async () => {
    const s = await inFlight("email-pause-only", "email");
    const res = await act(s.t, s.campaign.id, { action: "pause", personIds: [s.personId] });
    expect(res.status, res.text).toBe(200);
    await settle(s.campaign.id);
    expect(await s.accepted()).toBe(1);
    const p = await prospectOf(s.t, s.campaign.id, s.personId);
    expect(p?.status).toBe("paused");
    expect(p?.stageIndex).toBe(1);
  });

  it("the first automatic retry after a 5xx goes within 60 s", async () => {
    const s = await inFlight("email-retry-soon", "email");
    setClockForTest(clock.now() + 60_000);
    // With the engine's clock still there: a busy isolate that wakes past its request
    // slot's second asks the Pacer again and comes back at once (transport/resend.ts paced).
    for (let i = 0; i < 3 && (await s.accepted()) === 0; i++) {
      await runDurableObjectAlarm(campaignNamespaceStub(s.campaign.id));
    }
    expect(await s.accepted()).toBe(1);
  });
});
