import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import {
  CampaignBody,
  campaignNamespaceStub,
  EmailLogPage,
  engineTeam,
  expectAlarmInvariant,
  ProspectPage,
} from "../helpers/engine";

const fakeUrl = inject("resendFakeUrl");

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

type Team = Awaited<ReturnType<typeof engineTeam>>;

async function campaignWith(t: Team, addresses: string[]) {
  const ids = await t.people(
    addresses.map((address, i) => ({
      firstName: `P${i}`,
      emails: [{ address, type: "personal" as const }],
    })),
  );
  const res = await t.call("POST", "/api/v1/campaigns", {
    name: "Provider answers",
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: t.mailboxId,
        subject: "Hi {{firstName}}",
        body: "Hello",
      },
    ],
  });
  const campaign = CampaignBody.parse(res.json);
  await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, { personIds: ids });
  return { campaign, ids };
}

async function prospects(t: Team, campaignId: string) {
  return ProspectPage.parse(
    (await t.call("GET", `/api/v1/campaigns/${campaignId}/prospects?limit=500`)).json,
  ).items;
}

describe("the provider's answers", () => {
  it("applies a batch's answers member by member: a refused recipient is Not Delivered, the rest go out", async () => {
    const t = await engineTeam("members");
    const key = `re_test_${crypto.randomUUID()}`;
    engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
    await fakeControl(fakeUrl, key, { rejectDomains: ["refuses.example.org"] });
    const addresses = Array.from({ length: 20 }, (_, i) =>
      i % 5 === 0 ? `p${i}@refuses.example.org` : `p${i}@members.example.org`,
    );
    const { campaign } = await campaignWith(t, addresses);
    for (
      let i = 0;
      i < 10 && (await prospects(t, campaign.id)).some((p) => p.status === "active");
      i++
    ) {
      await runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
    }
    const rows = await prospects(t, campaign.id);
    expect(rows.filter((r) => r.status === "complete").length).toBe(16);
    const refused = rows.filter((r) => r.status === "not_delivered");
    expect(refused.length).toBe(4);
    for (const r of refused) {
      expect(r.reason).toBe("invalid_recipient");
      expect(r.reasonLabel).toMatch(/rejected/i);
    }
    expect((await fakeStats(fakeUrl, key)).accepted).toBe(16);
    const log = EmailLogPage.parse(
      (await t.call("GET", `/api/v1/email-log?campaignId=${campaign.id}&status=not_delivered`))
        .json,
    );
    expect(log.items.length).toBe(4);
    await expectAlarmInvariant(campaign.id);
  });

  it("waits out 429s without counting them toward Too Many Retries", async () => {
    const t = await engineTeam("ratelimited");
    const key = `re_test_${crypto.randomUUID()}`;
    engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
    // More 429s in a row than the retry limit allows for 5xx.
    await fakeControl(fakeUrl, key, {
      failNext: Array.from({ length: 8 }, () => ({ status: 429 as const, retryAfter: 2 })),
    });
    const { campaign } = await campaignWith(t, [
      "a@ratelimited.example.org",
      "b@ratelimited.example.org",
    ]);
    let now = clock.now();
    for (
      let i = 0;
      i < 20 && (await prospects(t, campaign.id)).some((p) => p.status === "active");
      i++
    ) {
      now += 5 * 60_000;
      setClockForTest(now);
      await runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
      await expectAlarmInvariant(campaign.id);
    }
    const rows = await prospects(t, campaign.id);
    expect(rows.map((r) => r.status)).toEqual(["complete", "complete"]);
    const stats = await fakeStats(fakeUrl, key);
    expect(stats.rateLimited429).toBe(8);
    expect(stats.accepted).toBe(2);
  });

  it("sends a failed batch again whole, under its key, even when only part of it has come due", async () => {
    const t = await engineTeam("wholebatch");
    const key = `re_test_${crypto.randomUUID()}`;
    engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
    await fakeControl(fakeUrl, key, { failNext: [{ status: 500 }] });
    const { campaign } = await campaignWith(
      t,
      Array.from({ length: 20 }, (_, i) => `p${i}@wholebatch.example.org`),
    );
    await runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
    // Arrange: one member's retry time has come, the others' has not.
    await runInDurableObject(campaignNamespaceStub(campaign.id), (_obj, state) => {
      const row = state.storage.sql
        .exec("SELECT id FROM message WHERE status = 'sending' ORDER BY id DESC LIMIT 1")
        .one();
      state.storage.sql.exec("UPDATE message SET retry_at = 0 WHERE id = ?", row.id);
    });
    await runDurableObjectAlarm(campaignNamespaceStub(campaign.id));
    const rows = await prospects(t, campaign.id);
    expect(rows.every((r) => r.status === "complete")).toBe(true);
    const stats = await fakeStats(fakeUrl, key);
    expect(stats.accepted).toBe(20);
    expect(stats.conflicts409).toBe(0);
    await expectAlarmInvariant(campaign.id);
  });

  it("paces every campaign of every team sending through one key under its rate: no 429 from a provider enforcing 5 requests/s", async () => {
    const key = `re_test_${crypto.randomUUID()}`;
    // Paced a little under the provider's limit: the fake counts whole-second windows, and
    // on a loaded machine a request can land a few ms late, next to the following one.
    engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 4 };
    await fakeControl(fakeUrl, key, { rateLimitPerSecond: 5 });
    const campaigns: { t: Team; id: string }[] = [];
    for (const label of ["pace-a", "pace-b"]) {
      const t = await engineTeam(label);
      for (let c = 0; c < 3; c++) {
        // Two mailboxes' worth of batches per campaign: small batches, many requests.
        const { campaign } = await campaignWith(
          t,
          Array.from({ length: 4 }, (_, i) => `p${c}-${i}@${label}.example.org`),
        );
        campaigns.push({ t, id: campaign.id });
      }
    }
    for (let round = 0; round < 10; round++) {
      const pending = [];
      for (const c of campaigns) {
        if ((await prospects(c.t, c.id)).some((p) => p.status === "active")) pending.push(c);
      }
      if (pending.length === 0) break;
      await Promise.all(pending.map((c) => runDurableObjectAlarm(campaignNamespaceStub(c.id))));
    }
    for (const c of campaigns) {
      expect((await prospects(c.t, c.id)).every((p) => p.status === "complete")).toBe(true);
    }
    const stats = await fakeStats(fakeUrl, key);
    expect(stats.accepted).toBe(24);
    expect(stats.rateLimited429).toBe(0);
  });
});
