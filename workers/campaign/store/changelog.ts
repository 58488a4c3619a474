import { catchUpFrom, pruneBounds } from "../../core/live-feed";
import type { MetaTable } from "./meta";
import { int, type Row, table, text } from "./table";

/**
 * The live feed's change log. Prospect rows carry their own rev, so the log of changes
 * is the prospect table itself; what it cannot show is who left — kept here as
 * tombstones, one per person, at the version they left. Tombstones older than the
 * retention rule are pruned; `floor` is the newest pruned version, below which a client
 * can no longer be caught up (it gets a snapshot). The definition's last broadcast
 * version is kept beside, so a change to it is announced once.
 */
export type Tombstone = { personId: string; rev: number; at: number };

const tombstones = table<Tombstone>("tombstone", "personId", {
  personId: ["person_id", text],
  rev: ["rev", int],
  at: ["at", int],
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tombstone (person_id TEXT PRIMARY KEY, rev INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tombstone_rev ON tombstone(rev);
CREATE TABLE IF NOT EXISTS live_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

type LiveKey = "floor" | "def_version";

export class ChangeLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: MetaTable,
  ) {
    sql.exec(SCHEMA);
  }

  private get(key: LiveKey): number | null {
    const row = this.sql.exec("SELECT value FROM live_meta WHERE key = ?", key).toArray()[0];
    return row ? Number(row.value) : null;
  }

  private set(key: LiveKey, value: number) {
    this.sql.exec(
      "INSERT INTO live_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  /** Records that people left, all at one new version; answers it (null for nobody). */
  removed(personIds: string[], now: number): number | null {
    if (personIds.length === 0) return null;
    const rev = this.meta.nextRev();
    const sql = tombstones.upsertSql();
    for (const personId of new Set(personIds)) {
      this.sql.exec(sql, ...tombstones.values({ personId, rev, at: now }));
    }
    return rev;
  }

  /**
   * People gone since `since` (up to `upTo`), oldest first. Someone who came back (a row
   * in the prospect table again) is not gone.
   */
  goneSince(since: number, upTo: number): string[] {
    return this.sql
      .exec(
        `SELECT t.* FROM tombstone t WHERE t.rev > ? AND t.rev <= ?
           AND NOT EXISTS (SELECT 1 FROM prospect p WHERE p.person_id = t.person_id)
         ORDER BY t.rev`,
        since,
        upTo,
      )
      .toArray()
      .map((r: Row) => tombstones.fromRow(r).personId);
  }

  /** How many prospect rows changed after `since` (to choose between a replay and a reload). */
  rowsChangedSince(since: number): number {
    const row = this.sql
      .exec("SELECT COUNT(*) AS n FROM prospect WHERE rev > ?", since)
      .toArray()[0];
    return Number(row?.n ?? 0);
  }

  /** Whether a client last at `since` can be replayed to, or must reload (a snapshot). */
  catchUp(since: number): "replay" | "snapshot" {
    return catchUpFrom(since, this.get("floor") ?? 0, this.meta.currentRev());
  }

  /** Drops tombstones past the retention rule and moves the floor up to the newest dropped. */
  prune(now: number) {
    const { maxVersion, before } = pruneBounds(this.meta.currentRev(), now);
    if (maxVersion <= 0) return;
    const row = this.sql
      .exec("SELECT MAX(rev) AS rev FROM tombstone WHERE rev <= ? AND at < ?", maxVersion, before)
      .toArray()[0];
    const newest = row?.rev === null || row?.rev === undefined ? null : Number(row.rev);
    if (newest === null) return;
    this.sql.exec("DELETE FROM tombstone WHERE rev <= ? AND at < ?", maxVersion, before);
    this.set("floor", Math.max(this.get("floor") ?? 0, newest));
  }

  /** The definition version last announced on the feed (null before the first). */
  announcedDefVersion(): number | null {
    return this.get("def_version");
  }

  announceDefVersion(version: number) {
    this.set("def_version", version);
  }
}
