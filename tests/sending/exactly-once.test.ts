import { runDurableObjectAlarm } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks, type FaultStep, resetEngineHooks } from "@workers/testing/hooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { fakeControl, fakeStats } from "../fakes/resend-control";
import {
  CampaignBody,
  campaignNamespaceStub,
  engineTeam,
  expectAlarmInvariant,
  ProspectPage,
} from "../helpers/engine";

const fakeUrl = inject("resendFakeUrl");
const N = 1_000;

afterEach(() => {
  resetEngineHooks();
  resetClockForTest();
});

type Setup = Awaited<ReturnType<typeof setup>>;

/** A team sending through the fake Resend: N people, a two-stage same-thread campaign. */
async function setup(label: string) {
  const t = await engineTeam(label);
  const key = `re_test_${crypto.randomUUID()}`;
  engineHooks.resend = { apiKey: key, baseUrl: fakeUrl, ratePerSecond: 1_000 };
  engineHooks.providerTimeoutMs = 150;
  const ids = await t.people(
    Array.from({ length: N }, (_, i) => ({
      firstName: `P${i}`,
      emails: [{ address: `p${i}@${label}.example.org`, type: "personal" as const }],
    })),
  );
  const res = await t.call("POST", "/api/v1/campaigns", {
    name: "Exactly once",
    stages: [
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: t.mailboxId,
        subject: "Role for {{firstName}}",
        body: "Hi {{firstName}}",
      },
      {
        type: "email",
        delayMinutes: 0,
        mailboxId: t.mailboxId,
        subject: "Again",
        body: "Bump, {{firstName}}",
        sameThread: true,
      },
    ],
  });
  const campaign = CampaignBody.parse(res.json);
  const enrolled = await t.call("POST", `/api/v1/campaigns/${campaign.id}/prospects`, {
    personIds: ids,
  });
  expect(enrolled.json).toMatchObject({ enrolled: N });
  return { t, key, campaign, ids };
}

async function statuses(s: Setup) {
  const counts: Record<string, number> = {};
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = ProspectPage.parse(
      (
        await s.t.call(
          "GET",
          `/api/v1/campaigns/${s.campaign.id}/prospects?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
        )
      ).json,
    );
    for (const r of page.items) {
      const k = r.reason ? `${r.status}:${r.reason}` : r.status;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return counts;
}

/**
 * Runs alarms (moving the clock 10 minutes each round, past any backoff) until `done`,
 * checking the alarm invariant after each round. Crashes surface as rejected alarms.
 */
async function drive(s: Setup, done: (c: Record<string, number>) => boolean, rounds = 120) {
  let now = clock.now();
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (let i = 0; i < rounds; i++) {
      const c = await statuses(s);
      if (done(c)) return c;
      now += 10 * 60_000;
      setClockForTest(now);
      await runDurableObjectAlarm(campaignNamespaceStub(s.campaign.id)).catch(() => false);
      await statuses(s); // wakes a crashed object, which re-arms itself
      await expectAlarmInvariant(s.campaign.id);
    }
  } finally {
    console.warn = warn;
  }
  return statuses(s);
}

const allComplete = (c: Record<string, number>) => c["complete:completed"] === N;

async function expectExactlyOnce(s: Setup) {
  const stats = await fakeStats(fakeUrl, s.key);
  expect(stats.accepted).toBe(2 * N);
  const counts = Object.values(stats.byTo);
  expect(counts.length).toBe(N);
  expect(counts.every((n) => n === 2)).toBe(true);
  return stats;
}

describe("exactly one email per prospect and stage, whatever fails", () => {
  for (const step of [
    "after_reserve",
    "before_send",
    "after_send",
    "before_record",
  ] as FaultStep[]) {
    for (const how of ["throw", "crash"] as const) {
      it(`survives a ${how} at ${step}`, async () => {
        const s = await setup(`${how}-${step.replace("_", "-")}`);
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
        const end = await drive(s, allComplete);
        expect(end).toEqual({ "complete:completed": N });
        expect(injected).toBeGreaterThan(0);
        await expectExactlyOnce(s);
      });
    }
  }

  it("survives a seeded mix of 429s, 500s, timeouts and accepted-but-failed answers", async () => {
    const s = await setup("random-mix");
    await fakeControl(fakeUrl, s.key, {
      randomFailureRate: 0.25,
      seed: 7,
      randomFailureKinds: ["500", "429", "timeout", "acceptThenFail"],
      randomTimeoutMs: 400,
    });
    const end = await drive(s, allComplete);
    expect(end).toEqual({ "complete:completed": N });
    const stats = await expectExactlyOnce(s);
    expect(stats.failuresInjected).toBeGreaterThan(0);
    expect(stats.idempotentReplays + stats.conflicts409).toBeGreaterThan(0);
  });

  it("gives up with Failed too_many_retries when the provider fails forever, and sends nothing", async () => {
    const s = await setup("forever");
    await fakeControl(fakeUrl, s.key, { failForever: true });
    const end = await drive(s, (c) => c["failed:too_many_retries"] === N);
    expect(end).toEqual({ "failed:too_many_retries": N });
    expect((await fakeStats(fakeUrl, s.key)).accepted).toBe(0);
    await expectAlarmInvariant(s.campaign.id);
  });
});

describe("headers", () => {
  it("every email carries the idempotency key, reply token, one-click unsubscribe and our id in References; stage 2 threads on stage 1", async () => {
    const s = await setup("headers");
    await drive(s, allComplete);
    const stats = await fakeStats(fakeUrl, s.key, { emails: 2 * N });
    expect(stats.emails.length).toBe(2 * N);
    const byTo = new Map<string, typeof stats.emails>();
    for (const e of stats.emails) byTo.set(e.to[0], [...(byTo.get(e.to[0]) ?? []), e]);
    for (const e of stats.emails) {
      expect(e.idempotencyKey).toBeTruthy();
      expect(e.replyTo[0]).toMatch(/^reply\+[0-9a-f]{48}@inbound\.test$/);
      expect(e.headers["List-Unsubscribe"]).toMatch(
        /^<http:\/\/localhost\/u\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>$/,
      );
      expect(e.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
      expect(e.headers.References).toContain(e.headers["Message-ID"]);
      expect(e.text).toContain("Unsubscribe:");
    }
    for (const [, pair] of byTo) {
      const first = pair.find((e) => !e.headers["In-Reply-To"]);
      const second = pair.find((e) => e.headers["In-Reply-To"]);
      expect(second?.headers["In-Reply-To"]).toBe(first?.headers["Message-ID"]);
      expect(second?.subject).toBe(`Re: ${first?.subject}`);
    }
  });
});
