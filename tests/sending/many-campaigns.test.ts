// Issue #7 hole 3, end to end: 40 campaigns of 15 people, created as drafts, enrolled,
// then activated at the same moment on one key the provider limits to 5 requests/s. The
// alarms run by themselves on real time; the Pacer must not livelock.

import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import { CampaignBody, engineTeam, ProspectPage } from "../helpers/engine";

const fakeUrl = inject("resendFakeUrl");
const CAMPAIGNS = 40;
const PEOPLE = 15;
const RATE = 5;

afterEach(() => resetEngineHooks());

describe("one provider key shared by many campaigns at once", () => {
  it("40 campaigns × 15 activated together on a 5 req/s key: all 600 accepted exactly once within 90 s, at least half the key's rate", async () => {
    const key = `re_test_${crypto.randomUUID()}`;
    engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: RATE };
    await fakeControl(fakeUrl, key, { rateLimitPerSecond: RATE });
    const t = await engineTeam("many-campaigns");
    const ids: string[] = [];
    for (let c = 0; c < CAMPAIGNS; c++) {
      const people = await t.people(
        Array.from({ length: PEOPLE }, (_, i) => ({
          firstName: `P${c}-${i}`,
          emails: [{ address: `p${c}-${i}@many.example.org`, type: "personal" as const }],
        })),
      );
      const res = await t.call("POST", "/api/v1/campaigns", {
        name: `Campaign ${c}`,
        status: "draft",
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
      const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
        personIds: people,
      });
      expect(enrolled.status, enrolled.text).toBe(200);
      ids.push(campaign.id);
    }
    const started = Date.now();
    const activated = await Promise.all(
      ids.map((id) => t.call("POST", `/api/v1/campaigns/${id}/activate`)),
    );
    expect(activated.every((r) => r.status === 200)).toBe(true);
    let stats = await fakeStats(fakeUrl, key, { emails: 0 });
    while (stats.accepted < CAMPAIGNS * PEOPLE && Date.now() - started < 90_000) {
      await scheduler.wait(500);
      stats = await fakeStats(fakeUrl, key, { emails: 0 });
    }
    const elapsedS = (Date.now() - started) / 1000;
    expect(stats.accepted).toBe(CAMPAIGNS * PEOPLE);
    expect(Object.values(stats.byTo).every((n) => n === 1)).toBe(true);
    expect(elapsedS).toBeLessThan(90);
    // 40 batch requests; at least half of 5 req/s means within 16 s of the first.
    expect(stats.sendRequests / elapsedS).toBeGreaterThanOrEqual(RATE / 2);
    for (const id of ids) {
      const page = ProspectPage.parse(
        (await t.call("GET", `/api/v1/campaigns/${id}/prospects?limit=100`)).json,
      );
      expect(page.items.every((p) => p.status === "complete")).toBe(true);
    }
  }, 120_000);
});
