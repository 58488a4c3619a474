import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { MIRROR_DEFER_MS } from "@workers/campaign/after-change";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { getServerByName } from "partyserver";
import { afterEach, describe, expect, it } from "vitest";
import {
  alarmUntil,
  CampaignBody,
  campaignNamespaceStub,
  EmailLogPage,
  engineTeam,
  ProspectPage,
} from "../helpers/engine";

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sinkCount(teamId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM sink_message WHERE team_id = ?")
    .bind(teamId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

type Team = Awaited<ReturnType<typeof engineTeam>>;

async function twoStageCampaign(t: Team, extra: Record<string, unknown> = {}) {
  const res = await t.call("POST", "/api/v1/campaigns", {
    name: `Campaign ${crypto.randomUUID().slice(0, 6)}`,
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: t.mailboxId,
        subject: "Hi {{firstName}}",
        body: "Hello {{firstName}}",
      },
      {
        type: "email",
        delayMinutes: 60,
        mailboxId: t.mailboxId,
        subject: "Again",
        body: "Still there, {{firstName}}?",
      },
    ],
    ...extra,
  });
  expect(res.status).toBe(201);
  return CampaignBody.parse(res.json);
}

function person(i: number) {
  return {
    firstName: `P${i}`,
    lastName: "Test",
    emails: [
      {
        address: `p${i}-${crypto.randomUUID().slice(0, 6)}@example.org`,
        type: "personal" as const,
      },
    ],
  };
}

describe("a send in flight", () => {
  it("lets a pause and a cancel arrive while the transport is awaited: the pause applies from the next stage, the cancel answers 409", async () => {
    const t = await engineTeam("inflight");
    const [paused, canceled] = await t.people([person(1), person(2)]);
    const campaign = await twoStageCampaign(t);
    await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
      personIds: [paused, canceled],
    });
    const waiting = EmailLogPage.parse(
      (await t.call("GET", `/api/v1/email-log?campaignId=${campaign.id}`)).json,
    ).items;
    const toCancel = waiting.find((m) => m.personId === canceled);
    expect(toCancel?.status).toBe("waiting");

    let entered = false;
    let release = false;
    engineHooks.transport = (base) => ({
      ...base,
      async sendEmails(emails, key) {
        entered = true;
        for (let i = 0; i < 500 && !release; i++) await wait(5);
        return base.sendEmails(emails, key);
      },
    });
    const alarm = runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
    for (let i = 0; i < 500 && !entered; i++) await wait(5);
    expect(entered).toBe(true);

    const pause = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects/actions`, {
      action: "pause",
      personIds: [paused],
    });
    expect(pause.status).toBe(200);
    const cancel = await t.call("POST", `/api/v1/email-log/${toCancel?.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(JSON.stringify(cancel.json)).toMatch(/already sending/i);
    const skip = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects/actions`, {
      action: "skip",
      personIds: [canceled],
    });
    expect(skip.status).toBe(409);

    release = true;
    await alarm;
    const rows = ProspectPage.parse(
      (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
    ).items;
    expect(rows.find((r) => r.personId === paused)).toMatchObject({
      status: "paused",
      reason: "paused_by_user",
      stageIndex: 1,
    });
    expect(rows.find((r) => r.personId === canceled)).toMatchObject({
      status: "active",
      stageIndex: 1,
    });
    expect(await sinkCount(t.teamId)).toBe(2);
    const log = EmailLogPage.parse(
      (await t.call("GET", `/api/v1/email-log?campaignId=${campaign.id}`)).json,
    ).items;
    // The paused prospect has no Waiting message for stage 2; the other has one.
    expect(
      log.filter((m) => m.stageIndex === 1 && m.status === "waiting").map((m) => m.personId),
    ).toEqual([canceled]);
  });
});

describe("the daily limit under concurrency", () => {
  for (const onLimit of ["defer", "fail"] as const) {
    it(`50 Campaign DOs whose alarms fire at once send exactly the limit (policy ${onLimit})`, async () => {
      const t = await engineTeam(`fifty-${onLimit}`);
      const limit = 37;
      expect(
        (
          await t.call("PUT", "/api/v1/account/limits", {
            dailyEmailLimit: limit,
            onLimit,
            timeZone: "UTC",
          })
        ).status,
      ).toBe(200);
      const ids = await t.people(Array.from({ length: 100 }, (_, i) => person(i)));
      const campaigns: string[] = [];
      for (let i = 0; i < 50; i++) {
        const c = await twoStageCampaign(t);
        await t.call("POST", `/api/v1/campaigns/${c.id}/prospects`, {
          personIds: ids.slice(i * 2, i * 2 + 2),
        });
        campaigns.push(c.id);
      }
      await Promise.all(campaigns.map((id) => runDurableObjectAlarm(campaignNamespaceStub(id))));
      // Alarms may also have fired by themselves; every campaign has settled once none is due now.
      for (const id of campaigns) {
        await alarmUntil(id, async () => {
          const rows = ProspectPage.parse(
            (await t.call("GET", `/api/v1/campaigns/${id}/prospects`)).json,
          ).items;
          return rows.every((r) => r.stageIndex === 1 || r.status !== "active");
        });
      }
      expect(await sinkCount(t.teamId)).toBe(limit);
      const usage = await t.call("GET", "/api/v1/account/usage");
      expect(usage.json).toMatchObject({ sentToday: limit, remaining: 0 });
      let held = 0;
      for (const id of campaigns) {
        const rows = ProspectPage.parse(
          (await t.call("GET", `/api/v1/campaigns/${id}/prospects`)).json,
        ).items;
        held += rows.filter((r) =>
          onLimit === "defer"
            ? r.status === "pending" && r.reason === "throttled"
            : r.status === "failed" && r.reason === "email_limit",
        ).length;
      }
      expect(held).toBe(100 - limit);
    });
  }
});

describe("crashes", () => {
  it("a crash between the quota reservation and the send neither leaks nor double-counts quota", async () => {
    const t = await engineTeam("crash-reserve");
    const ids = await t.people([person(1), person(2), person(3)]);
    const campaign = await twoStageCampaign(t);
    await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: ids });
    let crashes = 0;
    engineHooks.fault = (step) => {
      if (step === "after_reserve" && crashes === 0) {
        crashes++;
        throw new Error("simulated crash after reserve");
      }
    };
    const warn = console.warn;
    console.warn = () => {};
    try {
      await alarmUntil(campaign.id, async () => (await sinkCount(t.teamId)) === 3);
    } finally {
      console.warn = warn;
    }
    expect(crashes).toBe(1);
    const usage = await t.call("GET", "/api/v1/account/usage");
    expect(usage.json).toMatchObject({ sentToday: 3 });
  });

  it("a crash after the attempt is persisted re-sends the same message once, with the same key", async () => {
    const t = await engineTeam("crash-send");
    const ids = await t.people([person(1), person(2)]);
    const campaign = await twoStageCampaign(t);
    await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: ids });
    const keys: string[] = [];
    let crashed = false;
    engineHooks.transport = (base) => ({
      ...base,
      async sendEmails(emails, batchKey) {
        keys.push(...emails.map((e) => e.idempotencyKey));
        const res = await base.sendEmails(emails, batchKey);
        if (!crashed) {
          crashed = true;
          throw new Error("simulated crash after the provider accepted");
        }
        return res;
      },
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      await alarmUntil(campaign.id, async () => {
        const rows = ProspectPage.parse(
          (await t.call("GET", `/api/v1/campaigns/${campaign.id}/prospects`)).json,
        ).items;
        return rows.every((r) => r.stageIndex === 1);
      });
    } finally {
      console.warn = warn;
    }
    expect(await sinkCount(t.teamId)).toBe(2);
    // Sent twice to the transport, with the same idempotency keys both times.
    expect(keys.length).toBe(4);
    expect(new Set(keys).size).toBe(2);
    expect((await t.call("GET", "/api/v1/account/usage")).json).toMatchObject({ sentToday: 2 });
  });
});

describe("the D1 mirror", () => {
  it("a D1 failure during a mirror write loses nothing: the outbox retries by itself", async () => {
    const t = await engineTeam("mirror");
    const ids = await t.people([person(1), person(2)]);
    const campaign = await twoStageCampaign(t);
    let failures = 0;
    engineHooks.beforeMirrorWrite = () => {
      if (failures < 2) {
        failures++;
        throw new Error("D1 unavailable");
      }
    };
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(
        (await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: ids }))
          .status,
      ).toBe(200);
      // The DO has the prospects; the mirror does not yet.
      const before = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM campaign_member WHERE campaign_id = ?",
      )
        .bind(campaign.id)
        .first<{ n: number }>();
      expect(before?.n).toBe(0);
      const state = await getServerByName(env.Campaign, campaign.id);
      expect((await state.alarmState()).dirty).toBeGreaterThan(0);
      await alarmUntil(campaign.id, async () => {
        const row = await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM email_log WHERE campaign_id = ? AND status = 'sent'",
        )
          .bind(campaign.id)
          .first<{ n: number }>();
        return row?.n === 2;
      });
    } finally {
      console.warn = warn;
    }
    const members = await env.DB.prepare(
      "SELECT person_id, stage_index FROM campaign_member WHERE campaign_id = ?",
    )
      .bind(campaign.id)
      .all<{ person_id: string; stage_index: number }>();
    expect(members.results.map((m) => m.person_id).sort()).toEqual([...ids].sort());
    expect(members.results.every((m) => m.stage_index === 1)).toBe(true);
  });
});

describe("size", () => {
  it("enrolls 10,000 people in one call within D1's statement and parameter limits, and mirrors them all", async () => {
    const t = await engineTeam("tenk");
    const ids = await t.people(Array.from({ length: 10_000 }, (_, i) => person(i)));
    const res = await t.call("POST", "/api/v1/campaigns", {
      name: "Big",
      stages: [
        {
          type: "email",
          delayMinutes: 1440,
          mailboxId: t.mailboxId,
          subject: "Hi",
          body: "Hello {{firstName}}",
        },
      ],
    });
    const campaign = CampaignBody.parse(res.json);
    const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
      personIds: ids,
    });
    expect(enrolled.status).toBe(200);
    expect(enrolled.json).toMatchObject({ enrolled: 10_000, refused: [] });
    // The call left the mirror to its alarm, MIRROR_DEFER_MS later (ADR 0029): that time comes.
    setClockForTest(clock.now() + MIRROR_DEFER_MS + 1);
    await alarmUntil(
      campaign.id,
      async () => {
        const row = await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM email_log WHERE campaign_id = ?",
        )
          .bind(campaign.id)
          .first<{ n: number }>();
        return row?.n === 10_000;
      },
      40,
    );
    const members = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM campaign_member WHERE campaign_id = ?",
    )
      .bind(campaign.id)
      .first<{ n: number }>();
    expect(members?.n).toBe(10_000);
    const index = await env.DB.prepare("SELECT prospect_count FROM campaign WHERE id = ?")
      .bind(campaign.id)
      .first<{ prospect_count: number }>();
    expect(index?.prospect_count).toBe(10_000);
  });
});
