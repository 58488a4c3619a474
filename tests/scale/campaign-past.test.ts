import { runInDurableObject } from "cloudflare:test";
import { clock, resetClockForTest, setClockForTest } from "@workers/clock";
import { engineHooks } from "@workers/testing/hooks";
import type { SendResult } from "@workers/transport/types";
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
  sinkMessages,
} from "../helpers/engine";

/*
 * A campaign's DO keeps its past: every message it sent, every history entry, every quota
 * reservation it made (one per batch). A send must not read any of that in full: a
 * campaign of 100,000 people over five stages holds half a million messages, and an alarm
 * that scans them once per batch gets slower with every batch it sends. Nor does the past
 * keep what only the send itself needs: a message's payload (the whole email, kept so an
 * in-flight send can be repeated exactly) has no use once the provider has answered.
 */

type Bound = { sql: string; values: SqlStorageValue[] };

/** Tables that grow with every send, for as long as the campaign lives. */
const PAST = ["message", "history", "reservation"];

async function sentCampaign(label: string) {
  const t = await engineTeam(label);
  const ids = await t.people(
    Array.from({ length: 6 }, (_, i) => ({
      firstName: `S${i}`,
      emails: [{ address: `s${i}@${label}.example`, type: "personal" as const }],
    })),
  );
  const c = await createCampaign(t, {
    name: "Past",
    stages: [emailStage(t.mailboxId, 0), emailStage(t.mailboxId, 0)],
  });
  await enroll(t, c.id, ids);
  return { t, c, ids };
}

/**
 * The sink's transport, except that s0 is refused for good and s1 answered "try later":
 * neither reaches the sink.
 */
function someRefused() {
  const answer = (id: string, to: string): SendResult | null => {
    if (to.startsWith("s0@")) {
      return {
        id,
        ok: false,
        kind: "permanent",
        reason: "invalid_recipient",
        message: "no such user",
      };
    }
    if (to.startsWith("s1@")) {
      return { id, ok: false, kind: "transient", reason: null, message: "try later" };
    }
    return null;
  };
  engineHooks.transport = (base) => ({
    ...base,
    async sendEmails(emails, key) {
      const refused = emails.flatMap((e) => answer(e.id, e.to) ?? []);
      const taken = emails.filter((e) => answer(e.id, e.to) === null);
      return [...(await base.sendEmails(taken, key)), ...refused];
    },
  });
}

/**
 * The Campaign DO's statements while `work` runs, and the plan lines among them that scan
 * a table of the campaign's past.
 */
async function scansOfPast(campaignId: string, work: () => Promise<unknown>) {
  const seen: Bound[] = [];
  engineHooks.onCampaignStatement = (sql, values) => {
    if (/^\s*(SELECT|WITH|UPDATE|DELETE|INSERT)\b/i.test(sql)) {
      seen.push({ sql, values: values as SqlStorageValue[] });
    }
  };
  try {
    await work();
  } finally {
    engineHooks.onCampaignStatement = undefined;
  }
  const scans = await runInDurableObject(campaignNamespaceStub(campaignId), (_i, state) =>
    seen.flatMap((s) => {
      const plan = state.storage.sql
        .exec(`EXPLAIN QUERY PLAN ${s.sql}`, ...s.values)
        .toArray()
        .map((r) => z.object({ detail: z.string() }).parse(r).detail);
      const bad = plan.filter((line) =>
        PAST.some((table) => new RegExp(`^SCAN ${table}\\b`).test(line)),
      );
      return bad.length > 0 ? [`${bad.join("; ")}  in: ${s.sql.slice(0, 160)}`] : [];
    }),
  );
  return { seen, scans };
}

afterEach(() => {
  engineHooks.onCampaignStatement = undefined;
  engineHooks.transport = undefined;
  resetClockForTest();
});

describe("a send reads and keeps only what it needs of the campaign's past", () => {
  it("no statement of a send alarm scans the messages, history or reservations", async () => {
    const { c } = await sentCampaign("send-scans");
    // The first stage's batch: the campaign now has sent messages, history, a reservation.
    await runAlarm(c.id);
    // The second stage's batch, its commit, its answers and the mirror's flush.
    const { seen, scans } = await scansOfPast(c.id, () => runAlarm(c.id));
    expect(
      seen.some((s) => /\bINSERT INTO message\b/.test(s.sql)),
      "the alarm sent",
    ).toBe(true);
    expect(scans).toEqual([]);
  });

  it("nor does a bulk pause and unpause of everyone", async () => {
    const { t, c } = await sentCampaign("bulk-scans");
    await runAlarm(c.id);
    const { seen, scans } = await scansOfPast(c.id, async () => {
      for (const action of ["pause", "unpause"]) {
        const res = await act(t, c.id, { action, all: true });
        expect(res.status, res.text).toBe(200);
      }
    });
    expect(
      seen.some((s) => /\bUPDATE message\b/.test(s.sql)),
      "the pause canceled the Waiting messages",
    ).toBe(true);
    expect(scans).toEqual([]);
  });

  it("a message the provider has answered keeps no payload; one to send again keeps it", async () => {
    const { c, ids } = await sentCampaign("send-payloads");
    // One address is refused for good, one answered "try again later", the rest accepted.
    someRefused();
    await runAlarm(c.id);
    engineHooks.transport = undefined;
    const rows = await runInDurableObject(campaignNamespaceStub(c.id), (_i, state) =>
      state.storage.sql
        .exec(`SELECT m.status AS status, (m.payload IS NOT NULL OR p.payload IS NOT NULL) AS kept
           FROM message m LEFT JOIN message_payload p ON p.message_id = m.id ORDER BY m.status`)
        .toArray()
        .map((r) => z.object({ status: z.string(), kept: z.number() }).parse(r)),
    );
    const sent = rows.filter((r) => r.status === "sent");
    expect(sent).toHaveLength(ids.length - 2);
    expect(rows.filter((r) => r.status === "not_delivered")).toEqual([
      { status: "not_delivered", kept: 0 },
    ]);
    // The send to try again goes out again exactly as it was: its payload stays.
    expect(rows.filter((r) => r.status === "sending")).toEqual([{ status: "sending", kept: 1 }]);
    expect(sent.filter((r) => r.kept === 1)).toEqual([]);
  });

  it("a send in flight stored by an earlier release (its payload in the message row) goes again exactly", async () => {
    const { t, c } = await sentCampaign("payload-legacy");
    someRefused();
    await runAlarm(c.id);
    engineHooks.transport = undefined;
    // As an earlier release kept it: in the message's own payload column, no row beside it.
    const request = await runInDurableObject(campaignNamespaceStub(c.id), (_i, state) => {
      const sql = state.storage.sql;
      const row = sql
        .exec(
          `SELECT m.id AS id, p.payload AS payload FROM message m
           JOIN message_payload p ON p.message_id = m.id WHERE m.status = 'sending'`,
        )
        .one();
      sql.exec("UPDATE message SET payload = ? WHERE id = ?", row.payload, row.id);
      sql.exec("DELETE FROM message_payload WHERE message_id = ?", row.id);
      return z
        .object({ id: z.string(), to: z.string(), text: z.string() })
        .parse(JSON.parse(String(row.payload)));
    });
    expect(request.to).toMatch(/^s1@/);
    const sunkFor = async () => (await sinkMessages(t.teamId)).filter((m) => m.id === request.id);
    expect(await sunkFor(), "not sent before the retry").toEqual([]);

    setClockForTest(clock.now() + 60 * 60_000);
    await runAlarm(c.id);
    const sunk = await sunkFor();
    expect(sunk.map((m) => ({ to: m.to, text: m.text }))).toEqual([
      { to: request.to, text: request.text },
    ]);
  });
});
