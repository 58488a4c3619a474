/** What the D1 mirror must catch up on: one marker per changed row, newest change wins. */
export type DirtyKind = "member" | "message" | "campaign";
export type DirtyItem = { kind: string; key: string; seq: number };

/** The outbox of D1 writes: dirty markers, read back at flush time. */
export class OutboxTable {
  private seq: number;

  constructor(private readonly sql: SqlStorage) {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = 'dirty_seq'").toArray()[0];
    this.seq = row ? Number(row.value) : 0;
  }

  mark(kind: DirtyKind, key: string) {
    this.seq += 1;
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('dirty_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      String(this.seq),
    );
    this.sql.exec(
      "INSERT INTO dirty (kind, key, seq) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq",
      kind,
      key,
      this.seq,
    );
  }

  /** Marks every prospect for the mirror at once (their stage places changed with an edit). */
  markAllMembers() {
    this.seq += 1;
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('dirty_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      String(this.seq),
    );
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

  /** Clears markers written up to `seq` (a newer change re-marked during the flush stays). */
  clear(items: DirtyItem[]) {
    for (const d of items) {
      this.sql.exec(
        "DELETE FROM dirty WHERE kind = ? AND key = ? AND seq <= ?",
        d.kind,
        d.key,
        d.seq,
      );
    }
  }

  count(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM dirty").one().n);
  }
}
