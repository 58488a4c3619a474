import { env } from "cloudflare:workers";
import { MIRROR_DEFER_MS } from "@workers/campaign/after-change";
import { BULK_CHUNK } from "@workers/campaign/prospect-actions";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  act,
  campaignNamespaceStub,
  createCampaign,
  emailStage,
  engineTeam,
  enroll,
  runAlarm,
} from "../helpers/engine";

// A campaign bigger than one chunk of a bulk action (prospect-actions.ts BULK_CHUNK): an
// `all: true` action is taken a chunk per Campaign DO call, and must still act on every
// matching prospect exactly once; the export and the D1 mirror see them all.

const N = BULK_CHUNK + 150;

const Answer = z.object({
  applied: z.number(),
  appliedIds: z.array(z.string()),
  refused: z.array(z.object({ personId: z.string(), reason: z.string() })),
});

afterEach(() => resetClockForTest());

describe("a bulk action over more than one chunk", () => {
  it(`pauses all ${N} prospects once each, in chunks, and the export and mirror show them all`, async () => {
    const t = await engineTeam("scale-bulk");
    const ids = await t.people(
      Array.from({ length: N }, (_, i) => ({
        firstName: `P${i}`,
        emails: [{ address: `p${i}@scale-bulk.example.test`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, { name: "Big", stages: [emailStage(t.mailboxId, 60)] });
    expect((await enroll(t, c.id, ids)).enrolled).toBe(N);

    const res = await act(t, c.id, { action: "pause", all: true });
    expect(res.status, res.text).toBe(200);
    const answer = Answer.parse(res.json);
    expect(answer.applied).toBe(N);
    expect(answer.refused).toEqual([]);
    expect(new Set(answer.appliedIds).size).toBe(N);
    expect([...answer.appliedIds].sort()).toEqual([...ids].sort());

    // Each prospect has exactly one "pause" in its history (no chunk took anyone twice).
    const stub = campaignNamespaceStub(c.id);
    const sample = [ids[0], ids[BULK_CHUNK - 1], ids[BULK_CHUNK], ids[N - 1]];
    for (const id of sample) {
      const o = await stub.outreach(id);
      expect(o?.prospect.status).toBe("paused");
      expect(o?.history.filter((h) => h.action === "pause")).toHaveLength(1);
    }

    // A second pass refuses everyone (already paused), across the chunks too.
    const again = Answer.parse((await act(t, c.id, { action: "pause", all: true })).json);
    expect(again.applied).toBe(0);
    expect(again.refused).toHaveLength(N);

    // The CSV export reads the campaign a page at a time: every prospect, once.
    const csv = await t.call("GET", `/api/v1/campaigns/${c.id}/prospects.csv`);
    expect(csv.status).toBe(200);
    const lines = String(csv.text)
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "");
    expect(lines).toHaveLength(N + 1);

    // The mirror catches up by alarms, from MIRROR_DEFER_MS after the last big call (ADR
    // 0029): every member Paused in D1.
    setClockForTest(clock.now() + MIRROR_DEFER_MS + 1);
    for (let i = 0; i < 20; i++) {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n FROM campaign_member WHERE campaign_id = ? AND status = 'paused'",
      )
        .bind(c.id)
        .first<{ n: number }>();
      if (row?.n === N) break;
      await runAlarm(c.id);
    }
    const mirrored = await env.DB.prepare(
      "SELECT count(*) AS n FROM campaign_member WHERE campaign_id = ? AND status = 'paused'",
    )
      .bind(c.id)
      .first<{ n: number }>();
    expect(mirrored?.n).toBe(N);
  });

  it("removes every Active prospect once, over chunks, across two enrolments, leaving the paused", async () => {
    // Two enrolments (two enrolment times, many people sharing each), a few paused in
    // between: a filtered `all: true` remove deletes the rows behind each chunk's cursor
    // and must still reach every Active prospect once and no one else.
    const t = await engineTeam("scale-bulk-remove");
    const ids = await t.people(
      Array.from({ length: N }, (_, i) => ({
        firstName: `R${i}`,
        emails: [{ address: `r${i}@scale-bulk-remove.example.test`, type: "personal" as const }],
      })),
    );
    const c = await createCampaign(t, { name: "Big", stages: [emailStage(t.mailboxId, 60)] });
    const firstHalf = ids.slice(0, 1_000);
    expect((await enroll(t, c.id, firstHalf)).enrolled).toBe(1_000);
    expect((await enroll(t, c.id, ids.slice(1_000))).enrolled).toBe(N - 1_000);
    const paused = [ids[0], ids[999], ids[1_000], ids[N - 1]];
    const pauseRes = await act(t, c.id, { action: "pause", personIds: paused });
    expect(Answer.parse(pauseRes.json).applied).toBe(paused.length);

    const res = await act(t, c.id, { action: "remove", all: true, filters: { status: "active" } });
    expect(res.status, res.text).toBe(200);
    const answer = Answer.parse(res.json);
    const active = ids.filter((id) => !paused.includes(id));
    expect(answer.refused).toEqual([]);
    expect([...answer.appliedIds].sort()).toEqual([...active].sort());

    const stub = campaignNamespaceStub(c.id);
    for (const id of paused) expect((await stub.outreach(id))?.prospect.status).toBe("paused");
    for (const id of [ids[1], ids[998], ids[1_001], ids[N - 2]]) {
      expect(await stub.outreach(id)).toBeNull();
    }
    const csv = await t.call("GET", `/api/v1/campaigns/${c.id}/prospects.csv`);
    const lines = String(csv.text)
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "");
    expect(lines).toHaveLength(paused.length + 1);
  });
});
