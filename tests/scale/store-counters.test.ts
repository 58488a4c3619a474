import { runInDurableObject } from "cloudflare:test";
import { CampaignStore } from "@workers/campaign/store";
import { REV_BLOCK } from "@workers/campaign/store/meta";
import { describe, expect, it } from "vitest";
import { campaignNamespaceStub } from "../helpers/engine";

// The store's counters without a write per change (ADR 0025): revs reserved a block at a
// time and the outbox's sequence resumed from its markers. A new CampaignStore over the
// same storage is what a restarted Durable Object builds.

const inFreshObject = <T>(name: string, fn: (sql: SqlStorage) => T) =>
  runInDurableObject(campaignNamespaceStub(name), (_o, state) => fn(state.storage.sql));

describe("store counters across a restart", () => {
  it("never hands out a rev twice, and revs keep growing", async () => {
    await inFreshObject("counters-rev", (sql) => {
      const first = new CampaignStore(sql);
      const before = Array.from({ length: 5 }, () => first.meta.nextRev());
      expect(before).toEqual([1, 2, 3, 4, 5]);
      // One meta write for the whole block, holding its top.
      const stored = Number(sql.exec("SELECT value FROM meta WHERE key = 'rev'").one().value);
      expect(stored).toBe(REV_BLOCK);

      const restarted = new CampaignStore(sql);
      const after = restarted.meta.nextRev();
      expect(after).toBeGreaterThan(Math.max(...before));
      expect(after).toBeGreaterThan(stored);
      // Past a block's end, the next block is reserved before its first rev is used.
      for (let i = 0; i < REV_BLOCK; i++) restarted.meta.nextRev();
      const top = Number(sql.exec("SELECT value FROM meta WHERE key = 'rev'").one().value);
      expect(top).toBeGreaterThanOrEqual(restarted.meta.currentRev());
    });
  });

  it("resumes the outbox sequence past its newest marker", async () => {
    await inFreshObject("counters-seq", (sql) => {
      const first = new CampaignStore(sql);
      first.outbox.mark("member", "a");
      first.outbox.markMany("member", ["b", "c"]);
      const seqs = first.outbox.batch(10).map((d) => d.seq);
      expect(seqs).toEqual([1, 2, 3]);

      const restarted = new CampaignStore(sql);
      restarted.outbox.mark("member", "d");
      const d = restarted.outbox.batch(10).find((i) => i.key === "d");
      expect(d?.seq).toBe(4);
    });
  });

  it("clears exactly the markers a flush read, even when many share a sequence", async () => {
    await inFreshObject("counters-clear", (sql) => {
      const store = new CampaignStore(sql);
      for (const id of ["p1", "p2", "p3", "p4"]) {
        sql.exec(
          "INSERT INTO prospect (person_id, status, stage_entered_at, enrolled_at, updated_at, rev) VALUES (?, 'active', 0, 0, 0, 0)",
          id,
        );
      }
      store.outbox.mark("message", "m1");
      store.outbox.markAllMembers(); // p1–p4 all at one sequence
      const read = store.outbox.batch(3); // m1 and two of the four members
      expect(read).toHaveLength(3);
      // A change after the read re-marks one that was read: it must stay.
      store.outbox.mark("message", "m1");
      store.outbox.clear(read);
      const left = store.outbox
        .batch(10)
        .map((i) => `${i.kind}:${i.key}`)
        .sort();
      const readMembers = read.filter((i) => i.kind === "member").map((i) => i.key);
      const unread = ["p1", "p2", "p3", "p4"].filter((id) => !readMembers.includes(id));
      expect(left).toEqual([...unread.map((id) => `member:${id}`), "message:m1"].sort());
    });
  });
});
