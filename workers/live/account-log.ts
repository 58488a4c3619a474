import {
  type AccountEntry,
  AccountEntrySchema,
  catchUpFrom,
  entryKey,
  pruneBounds,
} from "../core/live-feed";

/** A catch-up or change frame holds at most this many entries; `more` says another follows. */
const PAGE_ENTRIES = 500;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_at ON feed(at);
CREATE TABLE IF NOT EXISTS feed_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/**
 * The team feed's change log in the Account DO's SQLite: one entry per key (a campaign,
 * a person in a campaign, an Email Log row, the usage), each write taking a new version
 * (`seq`), so the log holds the newest state of everything changed recently and a
 * removal is a tombstone entry under the same key. Pruned by the shared retention rule;
 * `floor` is the newest pruned version, below which a client gets a snapshot.
 */
export class AccountLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  version(): number {
    const row = this.sql.exec("SELECT seq FROM sqlite_sequence WHERE name = 'feed'").toArray()[0];
    return row ? Number(row.seq) : 0;
  }

  private floor(): number {
    const row = this.sql.exec("SELECT value FROM feed_meta WHERE key = 'floor'").toArray()[0];
    return row ? Number(row.value) : 0;
  }

  /** Writes entries (each replacing the older one under its key); answers the new version. */
  append(entries: AccountEntry[], now: number): number {
    if (entries.length === 0) return this.version();
    // One statement for the lot, rows taken in order (jsonb_each keeps it). REPLACE deletes
    // the older row under a key and inserts a new one: a new, higher seq.
    this.sql.exec(
      `INSERT OR REPLACE INTO feed (key, body, at)
       SELECT value ->> 0, value ->> 1, ? FROM jsonb_each(?) WHERE true ORDER BY key`,
      now,
      JSON.stringify(entries.map((e) => [entryKey(e), JSON.stringify(e)])),
    );
    this.prune(now);
    return this.version();
  }

  private prune(now: number) {
    const { maxVersion, before } = pruneBounds(this.version(), now);
    if (maxVersion <= 0) return;
    // By the age index: this runs on every append, and only the few entries old enough to
    // go are looked at (scanning by seq read the whole feed, ~6 ms at 40,000 entries).
    const row = this.sql
      .exec(
        "SELECT MAX(seq) AS seq FROM feed INDEXED BY feed_at WHERE at < ? AND seq <= ?",
        before,
        maxVersion,
      )
      .toArray()[0];
    if (row?.seq === null || row?.seq === undefined) return;
    this.sql.exec(
      "DELETE FROM feed INDEXED BY feed_at WHERE at < ? AND seq <= ?",
      before,
      maxVersion,
    );
    this.sql.exec(
      `INSERT INTO feed_meta (key, value) VALUES ('floor', ?)
       ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)`,
      Number(row.seq),
    );
  }

  /**
   * The frames that bring a client from `since` to now, oldest first in pages (the last
   * without `more`), or a snapshot when the log no longer reaches back that far.
   */
  framesSince(since: number): string[] {
    const current = this.version();
    if (catchUpFrom(since, this.floor(), current) === "snapshot") {
      return [JSON.stringify({ type: "snapshot", version: current })];
    }
    const frames: string[] = [];
    let from = since;
    for (;;) {
      const rows = this.sql
        .exec("SELECT seq, body FROM feed WHERE seq > ? ORDER BY seq LIMIT ?", from, PAGE_ENTRIES)
        .toArray();
      const more = rows.length === PAGE_ENTRIES && Number(rows[rows.length - 1].seq) < current;
      const upTo = more ? Number(rows[rows.length - 1].seq) : current;
      const entries = rows.flatMap((r) => {
        const parsed = AccountEntrySchema.safeParse(JSON.parse(String(r.body)));
        return parsed.success ? [parsed.data] : [];
      });
      frames.push(JSON.stringify({ type: "changes", version: upTo, entries, more }));
      if (!more) return frames;
      from = upTo;
    }
  }
}

/**
 * Change frames for entries just appended (the log was at `before`, is now at `version`),
 * in pages; all but the last claim only `before`, so a client cut off mid-way asks again.
 */
export function changeFrames(entries: AccountEntry[], before: number, version: number): string[] {
  const frames: string[] = [];
  for (let i = 0; i < entries.length; i += PAGE_ENTRIES) {
    const more = i + PAGE_ENTRIES < entries.length;
    frames.push(
      JSON.stringify({
        type: "changes",
        version: more ? before : version,
        entries: entries.slice(i, i + PAGE_ENTRIES),
        more,
      }),
    );
  }
  return frames;
}
