import { runInDurableObject } from "cloudflare:test";
import { CampaignStore, type NewMessage } from "@workers/campaign/store";
import type { HistoryEntry } from "@workers/campaign/store/history";
import { describe, expect, it } from "vitest";
import { campaignNamespaceStub } from "../helpers/engine";

// Rows written many at once are bound as one JSON array and read back in SQL with
// jsonb_each (ADR 0030). Whatever a value holds, it must come back as it was written:
// text that looks like a number or like JSON stays text, null stays null, big integers
// stay exact.

const inFreshObject = <T>(name: string, fn: (sql: SqlStorage) => T) =>
  runInDurableObject(campaignNamespaceStub(name), (_o, state) => fn(state.storage.sql));

const NOW = 1_796_000_000_123;
const AWKWARD = [
  `O'Brien "Bob" \\ Zoë 🚀`,
  "0012",
  "",
  "null",
  '{"a":[1,2]}',
  "line one\nline two\ttab",
  "  spaced  ",
];

describe("rows written many at once", () => {
  it("read back exactly as written: prospects, their updates, history and messages", async () => {
    await inFreshObject("store-rows", (sql) => {
      const store = new CampaignStore(sql);
      const rows = AWKWARD.map((name, i) => ({
        personId: `person-${i}-${name.length}`,
        name,
        status: "active" as const,
        reason: null,
        reasonDetail: i % 2 === 0 ? null : name,
        stageId: i % 3 === 0 ? null : `stage-${i}`,
        stageEnteredAt: NOW - i,
        nextAt: i % 2 === 0 ? NOW + 2 ** 40 : null,
        dueAt: null,
        attempt: i,
        bypassValidation: i % 2 === 1,
        timeZone: i === 0 ? null : "America/New_York",
        enrolledAt: NOW,
      }));
      const inserted = store.prospects.insert(rows, NOW);
      expect(inserted.map((p) => p.personId)).toEqual(rows.map((r) => r.personId));
      const read = new Map(
        store.prospects.getMany(rows.map((r) => r.personId)).map((p) => [p.personId, p]),
      );
      for (const r of rows) {
        expect(read.get(r.personId)).toMatchObject({ ...r, updatedAt: NOW });
      }

      const paused = inserted.map((p, i) => ({
        ...p,
        status: "paused" as const,
        reasonDetail: AWKWARD[(i + 1) % AWKWARD.length],
        nextAt: null,
        attempt: p.attempt + 1,
      }));
      store.prospects.updateMany(paused, NOW + 1);
      const after = new Map(
        store.prospects.getMany(rows.map((r) => r.personId)).map((p) => [p.personId, p]),
      );
      for (const p of paused) {
        const { rev: _rev, updatedAt: _at, ...expected } = p;
        expect(after.get(p.personId)).toMatchObject({ ...expected, updatedAt: NOW + 1 });
      }

      const entries: HistoryEntry[] = rows.map((r, i) => ({
        personId: r.personId,
        at: NOW + i,
        actor: AWKWARD[i],
        action: "pause",
        fromStatus: "active",
        toStatus: "paused",
        reason: null,
        detail: i % 2 === 0 ? null : AWKWARD[i],
      }));
      store.history.addMany(entries);
      for (const e of entries) expect(store.history.of(e.personId)).toEqual([e]);

      const messages: NewMessage[] = rows.map((r, i) => ({
        id: `message-${i}`,
        personId: r.personId,
        stageId: `stage-${i}`,
        stageIndex: i,
        channel: i % 2 === 0 ? "email" : "sms",
        attempt: 1,
        status: "waiting",
        reason: null,
        to: AWKWARD[i] || null,
        mailboxId: null,
        subject: AWKWARD[(i + 2) % AWKWARD.length],
        scheduledAt: NOW + i,
        sentAt: null,
        messageId: null,
        providerId: null,
        idempotencyKey: i % 2 === 0 ? null : `key-${i}`,
        batchId: null,
        payload: JSON.stringify({ subject: AWKWARD[i], html: `<p>${AWKWARD[i]}</p>` }),
        createdAt: NOW,
      }));
      store.messages.putMany(messages);
      const stored = new Map(
        store.messages.getMany(messages.map((m) => m.id)).map((m) => [m.id, m]),
      );
      const payloads = store.messages.payloadsOf(messages.map((m) => m.id));
      for (const { payload, ...m } of messages) {
        expect(stored.get(m.id)).toMatchObject({
          ...m,
          failures: 0,
          firstTryAt: null,
          retryAt: null,
        });
        // Kept beside the row (in flight only), the same text back.
        expect(payloads.get(m.id)).toBe(payload);
      }
    });
  });
});
