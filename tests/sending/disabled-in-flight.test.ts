// Issue #7 hole 4: committed sends keep their retry alarm until settled whatever the
// campaign's status, and no request is ever made under an idempotency key whose first try
// is older than 23 h.

import { runDurableObjectAlarm } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import {
  campaignNamespaceStub,
  createCampaign,
  emailLogOf,
  emailStage,
  engineTeam,
  enroll,
  expectAlarmInvariant,
  prospectOf,
} from "../helpers/engine";

const fakeUrl = inject("resendFakeUrl");

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

/** One prospect whose stage 1 is committed and waiting out a provider 500. */
async function inFlight(label: string) {
  const t = await engineTeam(label);
  const key = `re_test_${crypto.randomUUID()}`;
  engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
  await fakeControl(fakeUrl, key, { failNext: [{ status: 500 }] });
  const [personId] = await t.people([
    { firstName: "Ada", emails: [{ address: `ada@${label}.example.org`, type: "personal" }] },
  ]);
  const c = await createCampaign(t, {
    name: label,
    stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 3 * 24 * 60)],
  });
  await enroll(t, c.id, [personId]);
  await runDurableObjectAlarm(campaignNamespaceStub(c.id));
  const stats = await fakeStats(fakeUrl, key);
  expect(stats.sendRequests).toBe(1);
  expect(stats.accepted).toBe(0);
  return { t, c, personId, key };
}

describe("a disabled campaign with a send in flight", () => {
  it("keeps the retry alarm and settles the committed send", async () => {
    const s = await inFlight("disabled-settles");
    const res = await s.t.call("POST", `/api/v1/campaigns/${s.c.id}/disable`);
    expect(res.status, res.text).toBe(200);
    await expectAlarmInvariant(s.c.id);
    const alarm = await runDurableObjectAlarm(campaignNamespaceStub(s.c.id));
    expect(alarm, "the retry alarm is still set while disabled").toBe(true);
    setClockForTest(clock.now() + 60_000);
    await runDurableObjectAlarm(campaignNamespaceStub(s.c.id));
    expect((await fakeStats(fakeUrl, s.key)).accepted).toBe(1);
    // Stage 2 is not due while disabled: nothing more is pending but the mirror.
    await expectAlarmInvariant(s.c.id);
    const p = await prospectOf(s.t, s.c.id, s.personId);
    expect(p).toMatchObject({ status: "active", stageIndex: 1 });
  });

  it("re-activated a day later: no request under the day-old key; Failed too_many_retries, saying it may or may not have been delivered", async () => {
    const s = await inFlight("disabled-a-day");
    expect((await s.t.call("POST", `/api/v1/campaigns/${s.c.id}/disable`)).status).toBe(200);
    // The alarm does not run for a day (an outage, an eviction): the engine's clock moves on.
    setClockForTest(clock.now() + 24 * 60 * 60_000);
    expect((await s.t.call("POST", `/api/v1/campaigns/${s.c.id}/activate`)).status).toBe(200);
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(campaignNamespaceStub(s.c.id));
    const stats = await fakeStats(fakeUrl, s.key);
    expect(stats.sendRequests, "no request after 23 h").toBe(1);
    expect(stats.accepted).toBe(0);
    const p = await prospectOf(s.t, s.c.id, s.personId);
    expect(p).toMatchObject({ status: "failed", reason: "too_many_retries" });
    expect(p?.reasonLabel ?? "").not.toBe("");
    const [row] = (await emailLogOf(s.t, s.c.id)).filter((r) => r.stageIndex === 0);
    expect(row.status).toBe("failed");
    expect(row.reason).toMatch(/may or may not have been delivered/);
    await expectAlarmInvariant(s.c.id);
  });
});
