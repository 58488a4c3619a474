import { z } from "zod";
import { ENGAGEMENT_KINDS, type EngagementKind } from "../core/engine/metrics";
import { CampaignStatusSchema, SendingWindowSchema, StageSchema } from "../core/engine/schemas";
import {
  type EmailStatus,
  EmailStatusSchema,
  type ProspectStatus,
  type Reason,
  ReasonSchema,
  StatusSchema,
} from "../core/engine/statuses";

const EngagementKindSchema = z.enum(ENGAGEMENT_KINDS);

/** The campaign's definition as the DO stores it (versioned). */
export const CampaignDefSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  ownerId: z.string().nullable(),
  name: z.string(),
  shared: z.boolean(),
  jobId: z.string().nullable(),
  jobStage: z.string().nullable(),
  businessDaysOnly: z.boolean(),
  sendingWindow: SendingWindowSchema.nullable(),
  trackOpens: z.boolean(),
  trackClicks: z.boolean(),
  unsubscribeLink: z.boolean(),
  status: CampaignStatusSchema,
  stages: z.array(StageSchema),
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type CampaignDef = z.infer<typeof CampaignDefSchema>;

export type Prospect = {
  personId: string;
  name: string;
  status: ProspectStatus;
  reason: Reason | null;
  reasonDetail: string | null;
  stageIndex: number;
  stageEnteredAt: number;
  /** When the pipeline must act on this prospect (a send stage due, a throttle ending). */
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

export type Message = {
  id: string;
  personId: string;
  stageId: string;
  stageIndex: number;
  channel: "email" | "sms";
  attempt: number;
  status: EmailStatus | "sending";
  reason: string | null;
  to: string | null;
  mailboxId: string | null;
  subject: string | null;
  scheduledAt: number | null;
  sentAt: number | null;
  messageId: string | null;
  providerId: string | null;
  idempotencyKey: string | null;
  batchId: string | null;
  payload: string | null;
  createdAt: number;
  rev: number;
  /** Automatic retries counted toward Too Many Retries (429s never count). */
  failures: number;
  /** When the provider was first asked: automatic retries stop before Resend forgets the key (24 h). */
  firstTryAt: number | null;
  /** When an in-flight message may go to the provider again. */
  retryAt: number | null;
};

/**
 * A quota reservation's life: reserving (id persisted, asking) → granted (answer stored)
 * → used (attempts persisted; nothing to give back) or releasing (unused units to give
 * back) → done. Anything but used/done after a crash is settled by releasing it.
 */
export const ReservationStateSchema = z.enum(["reserving", "granted", "releasing", "used", "done"]);
export type Reservation = {
  id: string;
  mailboxId: string | null;
  n: number;
  granted: number | null;
  used: number;
  state: z.infer<typeof ReservationStateSchema>;
};

/** A message to write: retry bookkeeping defaults to "never tried". */
export type NewMessage = Omit<Message, "rev" | "failures" | "firstTryAt" | "retryAt"> &
  Partial<Pick<Message, "failures" | "firstTryAt" | "retryAt">>;

export type HistoryEntry = {
  personId: string;
  at: number;
  actor: string;
  action: string;
  fromStatus: ProspectStatus | null;
  toStatus: ProspectStatus | null;
  reason: Reason | null;
  detail: string | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prospect (
  person_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  reason TEXT,
  reason_detail TEXT,
  stage_index INTEGER NOT NULL,
  stage_entered_at INTEGER NOT NULL,
  next_at INTEGER,
  due_at INTEGER,
  attempt INTEGER NOT NULL DEFAULT 1,
  bypass_validation INTEGER NOT NULL DEFAULT 0,
  time_zone TEXT,
  enrolled_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  rev INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS prospect_next_at ON prospect(next_at) WHERE next_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS prospect_status ON prospect(status, stage_index);
CREATE INDEX IF NOT EXISTS prospect_rev ON prospect(rev);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  reason TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS history_person ON history(person_id, id);
CREATE TABLE IF NOT EXISTS message (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  stage_id TEXT NOT NULL,
  stage_index INTEGER NOT NULL,
  channel TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  to_addr TEXT,
  mailbox_id TEXT,
  subject TEXT,
  scheduled_at INTEGER,
  sent_at INTEGER,
  message_id TEXT,
  provider_id TEXT,
  idempotency_key TEXT UNIQUE,
  batch_id TEXT,
  payload TEXT,
  created_at INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  first_try_at INTEGER,
  retry_at INTEGER
);
CREATE INDEX IF NOT EXISTS message_person ON message(person_id, stage_index);
CREATE INDEX IF NOT EXISTS message_status ON message(status);
CREATE TABLE IF NOT EXISTS reservation (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT,
  n INTEGER NOT NULL,
  granted INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dirty (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS engagement (
  person_id TEXT NOT NULL,
  stage_index INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (person_id, stage_index, kind)
);
CREATE TABLE IF NOT EXISTS moves (move_id TEXT PRIMARY KEY, result TEXT NOT NULL);
`;

type Row = Record<string, SqlStorageValue>;
const str = (v: SqlStorageValue): string | null => (v === null ? null : String(v));
const num = (v: SqlStorageValue): number | null => (v === null ? null : Number(v));

function toProspect(r: Row): Prospect {
  return {
    personId: String(r.person_id),
    name: String(r.name),
    status: StatusSchema.parse(r.status),
    reason: r.reason === null ? null : ReasonSchema.parse(r.reason),
    reasonDetail: str(r.reason_detail),
    stageIndex: Number(r.stage_index),
    stageEnteredAt: Number(r.stage_entered_at),
    nextAt: num(r.next_at),
    dueAt: num(r.due_at),
    attempt: Number(r.attempt),
    bypassValidation: Number(r.bypass_validation) === 1,
    timeZone: str(r.time_zone),
    enrolledAt: Number(r.enrolled_at),
    updatedAt: Number(r.updated_at),
    rev: Number(r.rev),
  };
}

function toMessage(r: Row): Message {
  const status = String(r.status);
  return {
    id: String(r.id),
    personId: String(r.person_id),
    stageId: String(r.stage_id),
    stageIndex: Number(r.stage_index),
    channel: r.channel === "sms" ? "sms" : "email",
    attempt: Number(r.attempt),
    status: status === "sending" ? "sending" : EmailStatusSchema.parse(status),
    reason: str(r.reason),
    to: str(r.to_addr),
    mailboxId: str(r.mailbox_id),
    subject: str(r.subject),
    scheduledAt: num(r.scheduled_at),
    sentAt: num(r.sent_at),
    messageId: str(r.message_id),
    providerId: str(r.provider_id),
    idempotencyKey: str(r.idempotency_key),
    batchId: str(r.batch_id),
    payload: str(r.payload),
    createdAt: Number(r.created_at),
    rev: Number(r.rev),
    failures: Number(r.failures ?? 0),
    firstTryAt: num(r.first_try_at ?? null),
    retryAt: num(r.retry_at ?? null),
  };
}

/** Columns the Prospects list may sort by (never user text: they are put in the SQL). */
export type ProspectOrder = "enrolled_at" | "status" | "name" | "next_at";
type ProspectFilterArgs = { status?: ProspectStatus; stage?: number };

function filterClause(f: ProspectFilterArgs): { where: string[]; args: SqlStorageValue[] } {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (f.status) {
    where.push("status = ?");
    args.push(f.status);
  }
  if (f.stage !== undefined) {
    where.push("stage_index = ?");
    args.push(f.stage);
  }
  return { where, args };
}

const whereSql = (where: string[]) => (where.length ? `WHERE ${where.join(" AND ")}` : "");

/** DO SQLite, like D1, takes at most 100 bound parameters per statement. */
export const MAX_PARAMS = 100;

/** The Campaign DO's SQLite storage: every read and write of its state goes through here. */
export class CampaignStore {
  // Write-through caches of two hot counters (the DO is single-threaded; storage is truth).
  private rev: number;
  private dirtySeq: number;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    this.addMissingColumns();
    this.rev = Number(this.getMeta("rev") ?? "0");
    this.dirtySeq = Number(this.getMeta("dirty_seq") ?? "0");
  }

  /** Columns added after the first release: a DO made before them gains them here. */
  private addMissingColumns() {
    const have = new Set(
      this.sql
        .exec("SELECT name FROM pragma_table_info('message')")
        .toArray()
        .map((r) => String(r.name)),
    );
    const wanted: [string, string][] = [
      ["failures", "INTEGER NOT NULL DEFAULT 0"],
      ["first_try_at", "INTEGER"],
      ["retry_at", "INTEGER"],
    ];
    for (const [name, type] of wanted) {
      if (!have.has(name)) this.sql.exec(`ALTER TABLE message ADD COLUMN ${name} ${type}`);
    }
  }

  // ── meta

  private getMeta(key: string): string | null {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : null;
  }

  private setMeta(key: string, value: string) {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  getDef(): CampaignDef | null {
    const raw = this.getMeta("campaign");
    return raw ? CampaignDefSchema.parse(JSON.parse(raw)) : null;
  }

  saveDef(def: CampaignDef) {
    this.setMeta("campaign", JSON.stringify(def));
    this.markDirty("campaign", "index");
  }

  /** A counter bumped by every change: prospect/message revs and the live version. */
  nextRev(): number {
    this.rev += 1;
    this.setMeta("rev", String(this.rev));
    return this.rev;
  }

  currentRev(): number {
    return this.rev;
  }

  // ── prospects

  getProspect(personId: string): Prospect | null {
    const row = this.sql.exec("SELECT * FROM prospect WHERE person_id = ?", personId).toArray()[0];
    return row ? toProspect(row) : null;
  }

  getProspects(personIds: string[]): Prospect[] {
    const out: Prospect[] = [];
    for (let i = 0; i < personIds.length; i += MAX_PARAMS) {
      const ids = personIds.slice(i, i + MAX_PARAMS);
      const rows = this.sql
        .exec(`SELECT * FROM prospect WHERE person_id IN (${ids.map(() => "?").join(",")})`, ...ids)
        .toArray();
      for (const r of rows) out.push(toProspect(r));
    }
    return out;
  }

  /** Inserts new prospects, skipping ids already enrolled; returns the ids inserted. */
  insertProspects(rows: Omit<Prospect, "rev" | "updatedAt">[], now: number): string[] {
    const inserted: string[] = [];
    for (const p of rows) {
      const rev = this.nextRev();
      const res = this.sql.exec(
        `INSERT INTO prospect (person_id, name, status, reason, reason_detail, stage_index, stage_entered_at,
           next_at, due_at, attempt, bypass_validation, time_zone, enrolled_at, updated_at, rev)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(person_id) DO NOTHING`,
        p.personId,
        p.name,
        p.status,
        p.reason,
        p.reasonDetail,
        p.stageIndex,
        p.stageEnteredAt,
        p.nextAt,
        p.dueAt,
        p.attempt,
        p.bypassValidation ? 1 : 0,
        p.timeZone,
        p.enrolledAt,
        now,
        rev,
      );
      if (res.rowsWritten > 0) {
        inserted.push(p.personId);
        this.markDirty("member", p.personId);
      }
    }
    return inserted;
  }

  /** Writes a prospect's new state (bumping its rev) and marks it for the D1 mirror. */
  updateProspect(p: Prospect, now: number): Prospect {
    const rev = this.nextRev();
    this.sql.exec(
      `UPDATE prospect SET name = ?, status = ?, reason = ?, reason_detail = ?, stage_index = ?,
         stage_entered_at = ?, next_at = ?, due_at = ?, attempt = ?, bypass_validation = ?,
         time_zone = ?, updated_at = ?, rev = ?
       WHERE person_id = ?`,
      p.name,
      p.status,
      p.reason,
      p.reasonDetail,
      p.stageIndex,
      p.stageEnteredAt,
      p.nextAt,
      p.dueAt,
      p.attempt,
      p.bypassValidation ? 1 : 0,
      p.timeZone,
      now,
      rev,
      p.personId,
    );
    this.markDirty("member", p.personId);
    return { ...p, updatedAt: now, rev };
  }

  deleteProspect(personId: string) {
    this.sql.exec("DELETE FROM prospect WHERE person_id = ?", personId);
    this.nextRev();
    this.markDirty("member", personId);
  }

  /** Due prospects (a send stage or a throttle ending at or before `now`), oldest first. */
  dueProspects(now: number, limit: number): Prospect[] {
    return this.sql
      .exec(
        "SELECT * FROM prospect WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map(toProspect);
  }

  earliestNextAt(): number | null {
    const row = this.sql
      .exec("SELECT MIN(next_at) AS t FROM prospect WHERE next_at IS NOT NULL")
      .one();
    return num(row.t);
  }

  listProspects(q: {
    status?: ProspectStatus;
    stage?: number;
    orderBy: ProspectOrder;
    afterKey?: [string | number, string];
    limit: number;
  }): Prospect[] {
    const { where, args } = filterClause(q);
    if (q.afterKey) {
      where.push(`(${q.orderBy}, person_id) > (?, ?)`);
      args.push(q.afterKey[0], q.afterKey[1]);
    }
    const sql = `SELECT * FROM prospect ${whereSql(where)} ORDER BY ${q.orderBy}, person_id LIMIT ?`;
    return this.sql
      .exec(sql, ...args, q.limit)
      .toArray()
      .map(toProspect);
  }

  /** Person ids matching the filters (for bulk actions with all: true). */
  prospectIds(filter: ProspectFilterArgs): string[] {
    const { where, args } = filterClause(filter);
    return this.sql
      .exec(`SELECT person_id FROM prospect ${whereSql(where)} ORDER BY person_id`, ...args)
      .toArray()
      .map((r) => String(r.person_id));
  }

  prospectsChangedSince(rev: number, limit: number): Prospect[] {
    return this.sql
      .exec("SELECT * FROM prospect WHERE rev > ? ORDER BY rev LIMIT ?", rev, limit)
      .toArray()
      .map(toProspect);
  }

  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.sql.exec("SELECT status, COUNT(*) AS n FROM prospect GROUP BY status")) {
      out[String(r.status)] = Number(r.n);
    }
    return out;
  }

  /** How many prospects not Complete/Unsubscribed are at or before a stage. */
  liveProspectsAtOrBefore(stageIndex: number): number {
    const row = this.sql
      .exec(
        "SELECT COUNT(*) AS n FROM prospect WHERE stage_index <= ? AND status NOT IN ('complete','unsubscribed')",
        stageIndex,
      )
      .one();
    return Number(row.n);
  }

  // ── history

  addHistory(e: HistoryEntry) {
    this.sql.exec(
      `INSERT INTO history (person_id, at, actor, action, from_status, to_status, reason, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      e.personId,
      e.at,
      e.actor,
      e.action,
      e.fromStatus,
      e.toStatus,
      e.reason,
      e.detail,
    );
  }

  history(personId: string): HistoryEntry[] {
    return this.sql
      .exec("SELECT * FROM history WHERE person_id = ? ORDER BY id", personId)
      .toArray()
      .map((r) => ({
        personId: String(r.person_id),
        at: Number(r.at),
        actor: String(r.actor),
        action: String(r.action),
        fromStatus: r.from_status === null ? null : StatusSchema.parse(r.from_status),
        toStatus: r.to_status === null ? null : StatusSchema.parse(r.to_status),
        reason: r.reason === null ? null : ReasonSchema.parse(r.reason),
        detail: str(r.detail),
      }));
  }

  // ── messages (the Email Log's source)

  getMessage(id: string): Message | null {
    const row = this.sql.exec("SELECT * FROM message WHERE id = ?", id).toArray()[0];
    return row ? toMessage(row) : null;
  }

  messagesOf(personId: string): Message[] {
    return this.sql
      .exec("SELECT * FROM message WHERE person_id = ? ORDER BY created_at, id", personId)
      .toArray()
      .map(toMessage);
  }

  /** The open (Waiting or Held) message of a prospect's stage attempt, if any. */
  openMessage(personId: string, stageIndex: number): Message | null {
    const row = this.sql
      .exec(
        "SELECT * FROM message WHERE person_id = ? AND stage_index = ? AND status IN ('waiting','held') ORDER BY created_at DESC LIMIT 1",
        personId,
        stageIndex,
      )
      .toArray()[0];
    return row ? toMessage(row) : null;
  }

  /** In-flight messages whose retry time has come (or that never got an answer). */
  inFlightDue(now: number, limit: number): Message[] {
    return this.sql
      .exec(
        "SELECT * FROM message WHERE status = 'sending' AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map(toMessage);
  }

  /** Batches with an in-flight member whose retry time has come: the whole batch goes again. */
  inFlightBatchesDue(now: number, limit: number): string[] {
    return this.sql
      .exec(
        `SELECT DISTINCT COALESCE(batch_id, id) AS b FROM message
         WHERE status = 'sending' AND channel = 'email' AND (retry_at IS NULL OR retry_at <= ?) LIMIT ?`,
        now,
        limit,
      )
      .toArray()
      .map((r) => String(r.b));
  }

  /** Every in-flight email of a batch, in id order (the order it was first sent in). */
  inFlightOfBatch(batchId: string): Message[] {
    return this.sql
      .exec(
        "SELECT * FROM message WHERE status = 'sending' AND channel = 'email' AND COALESCE(batch_id, id) = ? ORDER BY id",
        batchId,
      )
      .toArray()
      .map(toMessage);
  }

  /** The earliest time an in-flight message goes to the provider again, if any. */
  earliestRetryAt(now: number): number | null {
    const row = this.sql
      .exec(
        "SELECT COUNT(*) AS n, MIN(COALESCE(retry_at, ?)) AS t FROM message WHERE status = 'sending'",
        now,
      )
      .one();
    return Number(row.n) > 0 ? num(row.t) : null;
  }

  /** The latest email of this campaign actually sent to the person (for same-thread stages). */
  lastSentEmail(personId: string): Message | null {
    const row = this.sql
      .exec(
        `SELECT * FROM message WHERE person_id = ? AND channel = 'email' AND sent_at IS NOT NULL
         ORDER BY sent_at DESC LIMIT 1`,
        personId,
      )
      .toArray()[0];
    return row ? toMessage(row) : null;
  }

  putMessage(input: NewMessage): Message {
    const m: Omit<Message, "rev"> = { failures: 0, firstTryAt: null, retryAt: null, ...input };
    const rev = this.nextRev();
    this.sql.exec(
      `INSERT INTO message (id, person_id, stage_id, stage_index, channel, attempt, status, reason, to_addr,
         mailbox_id, subject, scheduled_at, sent_at, message_id, provider_id, idempotency_key, batch_id,
         payload, created_at, rev, failures, first_try_at, retry_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         to_addr = excluded.to_addr, mailbox_id = excluded.mailbox_id, subject = excluded.subject,
         scheduled_at = excluded.scheduled_at, sent_at = excluded.sent_at, message_id = excluded.message_id,
         provider_id = excluded.provider_id, idempotency_key = excluded.idempotency_key,
         batch_id = excluded.batch_id, payload = excluded.payload, attempt = excluded.attempt,
         rev = excluded.rev, failures = excluded.failures, first_try_at = excluded.first_try_at,
         retry_at = excluded.retry_at`,
      m.id,
      m.personId,
      m.stageId,
      m.stageIndex,
      m.channel,
      m.attempt,
      m.status,
      m.reason,
      m.to,
      m.mailboxId,
      m.subject,
      m.scheduledAt,
      m.sentAt,
      m.messageId,
      m.providerId,
      m.idempotencyKey,
      m.batchId,
      m.payload,
      m.createdAt,
      rev,
      m.failures,
      m.firstTryAt,
      m.retryAt,
    );
    this.markDirty("message", m.id);
    return { ...m, rev };
  }

  // ── quota reservations

  getReservation(id: string) {
    const r = this.sql.exec("SELECT * FROM reservation WHERE id = ?", id).toArray()[0];
    return r
      ? {
          id: String(r.id),
          mailboxId: str(r.mailbox_id),
          n: Number(r.n),
          granted: num(r.granted),
          used: Number(r.used),
          state: ReservationStateSchema.parse(r.state),
        }
      : null;
  }

  putReservation(r: Reservation, now: number) {
    this.sql.exec(
      `INSERT INTO reservation (id, mailbox_id, n, granted, used, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET granted = excluded.granted, used = excluded.used, state = excluded.state`,
      r.id,
      r.mailboxId,
      r.n,
      r.granted,
      r.used,
      r.state,
      now,
    );
  }

  /** Reservations not settled yet: asked for, granted but unused, or units to give back. */
  openReservations(): Reservation[] {
    return this.sql
      .exec("SELECT id FROM reservation WHERE state IN ('reserving', 'granted', 'releasing')")
      .toArray()
      .map((r) => this.getReservation(String(r.id)))
      .filter((r): r is Reservation => r !== null);
  }

  // ── engagement (first open, click, download, reply per person and stage)

  engagement(): { personId: string; stageIndex: number; kind: EngagementKind }[] {
    return this.sql
      .exec("SELECT person_id, stage_index, kind FROM engagement")
      .toArray()
      .map((r) => ({
        personId: String(r.person_id),
        stageIndex: Number(r.stage_index),
        kind: EngagementKindSchema.parse(r.kind),
      }));
  }

  // ── moves (idempotent by move id)

  getMove(moveId: string): string | null {
    const row = this.sql.exec("SELECT result FROM moves WHERE move_id = ?", moveId).toArray()[0];
    return row ? String(row.result) : null;
  }

  putMove(moveId: string, result: string) {
    this.sql.exec("INSERT OR REPLACE INTO moves (move_id, result) VALUES (?, ?)", moveId, result);
  }

  // ── the outbox of D1 writes: dirty markers, read back at flush time

  markDirty(kind: "member" | "message" | "campaign", key: string) {
    this.dirtySeq += 1;
    const seq = this.dirtySeq;
    this.setMeta("dirty_seq", String(seq));
    this.sql.exec(
      "INSERT INTO dirty (kind, key, seq) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq",
      kind,
      key,
      seq,
    );
  }

  dirtyBatch(limit: number): { kind: string; key: string; seq: number }[] {
    return this.sql
      .exec("SELECT kind, key, seq FROM dirty ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => ({ kind: String(r.kind), key: String(r.key), seq: Number(r.seq) }));
  }

  /** Clears markers written up to `seq` (a newer change re-marked during the flush stays). */
  clearDirty(items: { kind: string; key: string; seq: number }[]) {
    for (const d of items) {
      this.sql.exec(
        "DELETE FROM dirty WHERE kind = ? AND key = ? AND seq <= ?",
        d.kind,
        d.key,
        d.seq,
      );
    }
  }

  dirtyCount(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM dirty").one().n);
  }

  getNumber(key: string): number | null {
    const v = this.getMeta(key);
    return v === null ? null : Number(v);
  }

  setNumber(key: string, value: number | null) {
    if (value === null) this.sql.exec("DELETE FROM meta WHERE key = ?", key);
    else this.setMeta(key, String(value));
  }
}
