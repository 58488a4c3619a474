import { env } from "cloudflare:workers";
import {
  INLINE_FLUSH_MAX,
  MIRROR_DEFER_MS,
  MIRROR_MAX_TRAIL_MS,
} from "@workers/campaign/after-change";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { afterEach, describe, expect, it } from "vitest";
import {
  act,
  campaignNamespaceStub,
  createCampaign,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
} from "../helpers/engine";

// ADR 0029: a call flushes the D1 mirror before it answers only when its changes are few
// (at most INLINE_FLUSH_MAX outbox markers); a bigger one answers at once and the alarm,
// armed MIRROR_DEFER_MS later, writes D1. Enrolling one person at an email stage marks two
// rows (the prospect and their Waiting message).

const SMALL = 50; // 100 markers: flushed before the answer
const BIG = Math.ceil(INLINE_FLUSH_MAX / 2) + 50; // more than INLINE_FLUSH_MAX markers

async function members(campaignId: string, status?: string) {
  const row = await env.DB.prepare(
    `SELECT count(*) AS n FROM campaign_member WHERE campaign_id = ?${status ? " AND status = ?" : ""}`,
  )
    .bind(...(status ? [campaignId, status] : [campaignId]))
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function waitingRows(campaignId: string) {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM email_log WHERE campaign_id = ? AND status = 'waiting'",
  )
    .bind(campaignId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

afterEach(() => resetClockForTest());

describe("the D1 mirror after a call", () => {
  it("is written before a small change answers, and by the alarm a moment after a big one", async () => {
    const t = await engineTeam("mirror-defer");
    const ids = await t.people(
      Array.from({ length: SMALL + BIG }, (_, i) => ({
        firstName: `M${i}`,
        emails: [{ address: `m${i}@mirror-defer.example.test`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, { name: "Defer", stages: [emailStage(t.mailboxId, 60)] });

    // A small enroll: in D1 when the answer arrives.
    expect((await enroll(t, c.id, ids.slice(0, SMALL))).enrolled).toBe(SMALL);
    expect(await members(c.id)).toBe(SMALL);
    expect(await waitingRows(c.id)).toBe(SMALL);

    // A big one answers before D1 has it; its alarm is due within MIRROR_DEFER_MS (the
    // helper checked the alarm invariant, mirror_at included, after the call).
    const before = Date.now();
    expect((await enroll(t, c.id, ids.slice(SMALL))).enrolled).toBe(BIG);
    expect(await members(c.id)).toBe(SMALL);
    const state = await campaignNamespaceStub(c.id).alarmState();
    expect(state.real).not.toBeNull();
    expect(state.real ?? 0).toBeLessThanOrEqual(Date.now() + MIRROR_DEFER_MS + 1);
    expect(state.real ?? 0).toBeGreaterThanOrEqual(before);

    // An alarm that wakes before then (for anything else) leaves the flush to its time: the
    // calls that follow a big one run first, not behind a flush of its rows.
    await runAlarm(c.id);
    expect(await members(c.id)).toBe(SMALL);

    // At its time, the alarm writes it all; the campaign's own reads never waited for it.
    const passDeferral = () => setClockForTest(clock.now() + MIRROR_DEFER_MS + 1);
    passDeferral();
    await runAlarm(c.id);
    expect(await members(c.id)).toBe(SMALL + BIG);
    expect(await waitingRows(c.id)).toBe(SMALL + BIG);

    // The same for an action: a bulk pause of everyone is in D1 after the alarm.
    const res = await act(t, c.id, { action: "pause", all: true });
    expect(res.status, res.text).toBe(200);
    expect(await members(c.id, "paused")).toBe(0);
    passDeferral();
    await runAlarm(c.id);
    expect(await members(c.id, "paused")).toBe(SMALL + BIG);

    // A single action right after is small: written before it answers.
    const one = await act(t, c.id, { action: "unpause", personIds: [ids[0]] });
    expect(one.status, one.text).toBe(200);
    expect(await members(c.id, "active")).toBe(1);
  });

  it("waits while big calls follow one another, but never longer than MIRROR_MAX_TRAIL_MS", async () => {
    const t = await engineTeam("mirror-trail");
    const ids = await t.people(
      Array.from({ length: 3 * BIG }, (_, i) => ({
        firstName: `T${i}`,
        emails: [{ address: `t${i}@mirror-trail.example.test`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, { name: "Trail", stages: [emailStage(t.mailboxId, 60)] });
    const stub = campaignNamespaceStub(c.id);
    const start = Date.now();
    setClockForTest(start);

    // Two big calls, the second 200 ms (engine clock) after the first: its answer pushes
    // the flush back to MIRROR_DEFER_MS after itself.
    expect((await enroll(t, c.id, ids.slice(0, BIG))).enrolled).toBe(BIG);
    setClockForTest(start + 200);
    expect((await enroll(t, c.id, ids.slice(BIG, 2 * BIG))).enrolled).toBe(BIG);
    const pushed = await stub.alarmState();
    expect(pushed.real).not.toBeNull();
    // alarmState().real is real time; the engine clock ran 200 ms ahead of it.
    expect((pushed.real ?? 0) + 200 - start).toBeGreaterThan(MIRROR_DEFER_MS);
    expect(await members(c.id)).toBe(0);

    // A third, past MIRROR_MAX_TRAIL_MS after the first waiting change: the flush is due at
    // once, not pushed back MIRROR_DEFER_MS again.
    const late = start + MIRROR_MAX_TRAIL_MS + 1_000;
    setClockForTest(late);
    const offset = late - Date.now();
    expect((await enroll(t, c.id, ids.slice(2 * BIG))).enrolled).toBe(BIG);
    const capped = await stub.alarmState();
    expect(capped.real).not.toBeNull();
    expect((capped.real ?? 0) + offset).toBeLessThan(late + MIRROR_DEFER_MS / 2);
    await runAlarm(c.id);
    await runAlarm(c.id);
    expect(await members(c.id)).toBe(3 * BIG);
  });
});
