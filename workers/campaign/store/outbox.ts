/** What the D1 mirror must catch up on: one marker per changed row, newest change wins. */
export type DirtyKind = "member" | "message" | "campaign";
export type DirtyItem = { kind: string; key: string; seq: number };

/** The outbox of D1 writes: dirty markers, read back at flush time. */
export class OutboxTable {
  private seq: number;

  constructor(private readonly sql: SqlStorage) {
    // Markers only compare with each other: resuming past the newest one stored is enough
    // (the dirty_seq meta row of earlier releases is read once, never written again).
    const row = this.sql
      .exec(
        "SELECT MAX(n) AS n FROM (SELECT MAX(seq) AS n FROM dirty UNION ALL SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'dirty_seq')",
      )
      .toArray()[0];
    this.seq = row?.n == null ? 0 : Number(row.n);
  }

  mark(kind: DirtyKind, key: string) {
    this.seq += 1;
    this.sql.exec(
      "INSERT INTO dirty (kind, key, seq) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq",
      kind,
      key,
      this.seq,
    );
  }

  /** Marks many rows of one kind in one statement (a batch's writes). */
  markMany(kind: DirtyKind, keys: readonly string[]) {
    if (keys.length === 0) return;
    const first = this.seq + 1;
    this.seq += keys.length;
    this.sql.exec(
      `INSERT INTO dirty (kind, key, seq) SELECT ?, value, ? + key FROM json_each(?) WHERE true
       ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq`,
      kind,
      first,
      JSON.stringify(keys),
    );
  }

  /** Marks every prospect for the mirror at once (their stage places changed with an edit). */
  markAllMembers() {
    this.seq += 1;
    this.sql.exec(
      `INSERT INTO dirty (kind, key, seq) SELECT 'member', person_id, ? FROM prospect WHERE true
       ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq`,
      this.seq,
    );
  }

  batch(limit: number): DirtyItem[] {
    return this.sql
      .exec("SELECT kind, key, seq FROM dirty ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => ({ kind: String(r.kind), key: String(r.key), seq: Number(r.seq) }));
  }

  /**
   * Clears markers written up to their `seq` (a newer change re-marked during the flush
   * stays). `items` is a batch(): the lowest seqs, so every marker below its highest seq is
   * in it; at that seq (markAllMembers gives many the same) only the listed ones go.
   */
  clear(items: DirtyItem[]) {
    if (items.length === 0) return;
    const top = Math.max(...items.map((d) => d.seq));
    this.sql.exec("DELETE FROM dirty WHERE seq < ?", top);
    this.sql.exec(
      `DELETE FROM dirty WHERE seq = ? AND (kind, key) IN
         (SELECT value ->> 0, value ->> 1 FROM jsonb_each(?))`,
      top,
      JSON.stringify(items.filter((d) => d.seq === top).map((d) => [d.kind, d.key])),
    );
  }

  count(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM dirty").one().n);
  }

  /** min(count(), n), without counting past n: the outbox may hold 200,000 markers. */
  atLeast(n: number): number {
    return Number(
      this.sql.exec("SELECT COUNT(*) AS n FROM (SELECT 1 FROM dirty LIMIT ?)", n).one().n,
    );
  }
}
