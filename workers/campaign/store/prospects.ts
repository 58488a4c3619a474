import type { ProspectStatus, Reason } from "../../core/engine/statuses";
import { ReasonSchema, StatusSchema } from "../../core/engine/statuses";
import { jsonChunks } from "../../db/json-ids";
import type { MetaTable } from "./meta";
import type { OutboxTable } from "./outbox";
import {
  bool,
  int,
  intOrNull,
  oneOf,
  oneOfOrNull,
  type Row,
  table,
  text,
  textOrNull,
} from "./table";

/** A prospect as stored: its position is a stage id (null once past the last stage). */
export type StoredProspect = {
  personId: string;
  name: string;
  status: ProspectStatus;
  reason: Reason | null;
  reasonDetail: string | null;
  stageId: string | null;
  stageEnteredAt: number;
  /** When the pipeline must act on this prospect (a send stage due, a hold ending). */
  nextAt: number | null;
  /** When the current call/task stage is due (shown, not acted on). */
  dueAt: number | null;
  attempt: number;
  bypassValidation: boolean;
  timeZone: string | null;
  enrolledAt: number;
  updatedAt: number;
  rev: number;
};

/** A prospect as read: with its stage's place in today's definition (derived, never stored). */
export type Prospect = StoredProspect & { stageIndex: number };

const PROSPECT = table<StoredProspect>("prospect", "personId", {
  personId: ["person_id", text],
  name: ["name", text],
  status: ["status", oneOf((v) => StatusSchema.parse(v))],
  reason: ["reason", oneOfOrNull((v) => ReasonSchema.parse(v))],
  reasonDetail: ["reason_detail", textOrNull],
  stageId: ["stage_id", textOrNull],
  stageEnteredAt: ["stage_entered_at", int],
  nextAt: ["next_at", intOrNull],
  dueAt: ["due_at", intOrNull],
  attempt: ["attempt", int],
  bypassValidation: ["bypass_validation", bool],
  timeZone: ["time_zone", textOrNull],
  enrolledAt: ["enrolled_at", int],
  updatedAt: ["updated_at", int],
  rev: ["rev", int],
});

const INSERT_NEW = PROSPECT.insertJsonSql("ON CONFLICT(person_id) DO NOTHING RETURNING person_id");
/** Never changed after the insert: left out of updates, so their index is not rewritten. */
const KEEP: (keyof StoredProspect)[] = ["enrolledAt"];
const UPDATE_MANY = PROSPECT.updateJsonSql(KEEP);
const UPDATE = PROSPECT.updateSql(KEEP);

/** Columns the Prospects list may sort by (never user text: they are put in the SQL). */
export type ProspectOrder = "enrolled_at" | "status" | "name" | "next_at";
/** Where a page() ends: its last row's place in enrolment order; the next page starts after it. */
export type PageKey = { enrolledAt: number; personId: string };
/** The PageKey of `p`. */
export const pageKeyOf = (p: StoredProspect): PageKey => ({
  enrolledAt: p.enrolledAt,
  personId: p.personId,
});
/** A list filter: `stageId` undefined means any stage; null means past the last one. */
export type ProspectFilterArgs = { status?: ProspectStatus; stageId?: string | null };

function filterClause(f: ProspectFilterArgs): { where: string[]; args: SqlStorageValue[] } {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (f.status) {
    where.push("status = ?");
    args.push(f.status);
  }
  if (f.stageId === null) where.push("stage_id IS NULL");
  else if (f.stageId !== undefined) {
    where.push("stage_id = ?");
    args.push(f.stageId);
  }
  return { where, args };
}

const whereSql = (where: string[]) => (where.length ? `WHERE ${where.join(" AND ")}` : "");
const LIVE = "status NOT IN ('complete','unsubscribed')";

/** The prospect table: every read and write of a prospect goes through here. */
export class ProspectTable {
  /**
   * statusCounts() as last read, dropped by every write of this table (all of them are
   * below): a mirror flush asks for it every time, and a GROUP BY over 100,000 rows each
   * flush was most of a small flush's cost.
   */
  private counts: Record<string, number> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: MetaTable,
    private readonly outbox: OutboxTable,
  ) {}

  private read(r: Row): Prospect {
    const p = PROSPECT.fromRow(r);
    return { ...p, stageIndex: this.meta.indexOf(p.stageId) };
  }

  private all(query: string, ...args: SqlStorageValue[]): Prospect[] {
    return this.sql
      .exec(query, ...args)
      .toArray()
      .map((r) => this.read(r));
  }

  get(personId: string): Prospect | null {
    return this.all("SELECT * FROM prospect WHERE person_id = ?", personId)[0] ?? null;
  }

  /** Many prospects in one statement (the ids bound as one JSON array). */
  getMany(personIds: string[]): Prospect[] {
    return jsonChunks(personIds).flatMap((json) =>
      this.all("SELECT * FROM prospect WHERE person_id IN (SELECT value FROM json_each(?))", json),
    );
  }

  /**
   * Rows matching the filters in enrolment order after `after`, at most `limit` (the CSV
   * export's and bulk actions' pages: no call reads the whole campaign at once). Enrolment
   * order is the table's own order (rows are appended as people enroll): a page's rows sit
   * on neighbouring pages of the table and of its messages, where person id order put
   * 2,000 rows on ~1,600 of a 100,000-row table's pages, each of them rewritten by a bulk
   * chunk.
   */
  page(filter: ProspectFilterArgs, after: PageKey | null, limit: number): Prospect[] {
    const { where, args } = filterClause(filter);
    if (after !== null) {
      where.push("(enrolled_at, person_id) > (?, ?)");
      args.push(after.enrolledAt, after.personId);
    }
    // INDEXED BY: with a status filter the planner may take prospect_status_order and sort
    // every match on each page.
    return this.all(
      `SELECT * FROM prospect INDEXED BY prospect_enrolled ${whereSql(where)} ORDER BY enrolled_at, person_id LIMIT ?`,
      ...args,
      limit,
    );
  }

  /**
   * Inserts new prospects, skipping ids already enrolled; returns the prospects inserted,
   * as stored (no read back). One statement per 1.5 MB of rows (jsonb_each), one outbox
   * statement.
   */
  insert(rows: Omit<StoredProspect, "rev" | "updatedAt">[], now: number): Prospect[] {
    const stored = rows.map(
      (p): StoredProspect => ({ ...p, updatedAt: now, rev: this.meta.nextRev() }),
    );
    const inserted = new Set<string>();
    for (const json of jsonChunks(stored.map((p) => PROSPECT.values(p)))) {
      for (const r of this.sql.exec(INSERT_NEW, json)) inserted.add(String(r.person_id));
      this.counts = null;
    }
    // One row per id: a repeated id in `rows` was inserted once, as its first row.
    const out: Prospect[] = [];
    for (const p of stored) {
      if (!inserted.delete(p.personId)) continue;
      out.push({ ...p, stageIndex: this.meta.indexOf(p.stageId) });
    }
    this.outbox.markMany(
      "member",
      out.map((p) => p.personId),
    );
    return out;
  }

  /**
   * update() of many prospects at once: one statement per 1.5 MB, one outbox statement.
   * Each prospect is listed once (one UPDATE … FROM writes a row once).
   */
  updateMany(ps: Prospect[], now: number): Prospect[] {
    const rows = ps.map(
      ({ stageIndex: _derived, ...stored }): StoredProspect => ({
        ...stored,
        updatedAt: now,
        rev: this.meta.nextRev(),
      }),
    );
    for (const json of jsonChunks(rows.map((r) => PROSPECT.values(r)))) {
      this.sql.exec(UPDATE_MANY, json);
      this.counts = null;
    }
    this.outbox.markMany(
      "member",
      rows.map((r) => r.personId),
    );
    return rows.map((r) => ({ ...r, stageIndex: this.meta.indexOf(r.stageId) }));
  }

  /** Writes a prospect's new state (bumping its rev) and marks it for the D1 mirror. */
  update(p: Prospect, now: number): Prospect {
    const { stageIndex: _derived, ...stored } = p;
    const row: StoredProspect = { ...stored, updatedAt: now, rev: this.meta.nextRev() };
    this.sql.exec(UPDATE, ...PROSPECT.updateValues(row, KEEP), p.personId);
    this.counts = null;
    this.outbox.mark("member", p.personId);
    return { ...row, stageIndex: this.meta.indexOf(row.stageId) };
  }

  delete(personId: string) {
    this.sql.exec("DELETE FROM prospect WHERE person_id = ?", personId);
    this.counts = null;
    this.meta.nextRev();
    this.outbox.mark("member", personId);
  }

  /** Due prospects (a send stage or a hold ending at or before `now`), oldest first. */
  due(now: number, limit: number): Prospect[] {
    return this.all(
      "SELECT * FROM prospect WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
      now,
      limit,
    );
  }

  earliestNextAt(): number | null {
    const row = this.sql
      .exec("SELECT MIN(next_at) AS t FROM prospect WHERE next_at IS NOT NULL")
      .one();
    return intOrNull.from(row.t);
  }

  list(q: {
    filter: ProspectFilterArgs;
    orderBy: ProspectOrder;
    afterKey?: readonly [string | number, string];
    limit: number;
  }): Prospect[] {
    const { where, args } = filterClause(q.filter);
    if (q.afterKey) {
      where.push(`(${q.orderBy}, person_id) > (?, ?)`);
      args.push(q.afterKey[0], q.afterKey[1]);
    }
    return this.all(
      `SELECT * FROM prospect ${whereSql(where)} ORDER BY ${q.orderBy}, person_id LIMIT ?`,
      ...args,
      q.limit,
    );
  }

  /** Person ids matching the filters (for bulk actions with all: true). */
  ids(filter: ProspectFilterArgs): string[] {
    const { where, args } = filterClause(filter);
    return this.sql
      .exec(`SELECT person_id FROM prospect ${whereSql(where)} ORDER BY person_id`, ...args)
      .toArray()
      .map((r) => String(r.person_id));
  }

  changedSince(rev: number, limit: number): Prospect[] {
    return this.all("SELECT * FROM prospect WHERE rev > ? ORDER BY rev LIMIT ?", rev, limit);
  }

  statusCounts(): Record<string, number> {
    if (!this.counts) {
      const out: Record<string, number> = {};
      for (const r of this.sql.exec("SELECT status, COUNT(*) AS n FROM prospect GROUP BY status")) {
        out[String(r.status)] = Number(r.n);
      }
      this.counts = out;
    }
    return { ...this.counts };
  }

  /** How many prospects not Complete/Unsubscribed are at one of these stages. */
  liveAt(stageIds: string[]): number {
    const row = this.sql
      .exec(
        `SELECT COUNT(*) AS n FROM prospect WHERE ${LIVE} AND stage_id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(stageIds),
      )
      .one();
    return Number(row.n);
  }

  /**
   * After stages moved: every row gets a new rev (so the mirror and live clients take its
   * new stage place) without touching its state.
   */
  touchAll(now: number) {
    this.sql.exec("UPDATE prospect SET rev = ?, updated_at = ?", this.meta.nextRev(), now);
    this.outbox.markAllMembers();
  }

  /**
   * Points everyone at a deleted stage (only Complete/Unsubscribed may be there) to the
   * stage that now follows it, without touching their status.
   */
  repoint(fromStageId: string, toStageId: string | null, now: number) {
    const ids = this.sql
      .exec("SELECT person_id FROM prospect WHERE stage_id = ?", fromStageId)
      .toArray()
      .map((r) => String(r.person_id));
    for (const p of this.getMany(ids)) this.update({ ...p, stageId: toStageId }, now);
  }
}
