import { type EmailStatus, EmailStatusSchema } from "../../core/engine/statuses";
import { jsonChunks } from "../../db/json-ids";
import type { MetaTable } from "./meta";
import type { OutboxTable } from "./outbox";
import { int, intOrNull, oneOf, type Row, table, text, textOrNull } from "./table";

export type MessageStatus = EmailStatus | "sending";

/** One outgoing message (the Email Log's source) and, once committed, its send attempt. */
export type StoredMessage = {
  id: string;
  personId: string;
  stageId: string;
  /** The stage's place when the message was made; read back from the definition while it exists. */
  stageIndex: number;
  channel: "email" | "sms";
  attempt: number;
  status: MessageStatus;
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
  createdAt: number;
  rev: number;
  /** Automatic retries counted toward Too Many Retries (429s never count). */
  failures: number;
  /** When the provider was first asked: no request goes under a key older than 23 h. */
  firstTryAt: number | null;
  /** When an in-flight message may go to the provider again. */
  retryAt: number | null;
};
export type Message = StoredMessage;

/**
 * A message to write: retry bookkeeping defaults to "never tried". `payload` (the request
 * itself, JSON) is given when a send is committed and kept while the message is in flight.
 */
export type NewMessage = Omit<Message, "rev" | "failures" | "firstTryAt" | "retryAt"> &
  Partial<Pick<Message, "failures" | "firstTryAt" | "retryAt">> & { payload?: string };

/**
 * Statuses a send in flight settles to: the provider has answered for good (or never
 * will be asked again), so its payload is dropped.
 */
const SETTLED: ReadonlySet<MessageStatus> = new Set(["sent", "not_delivered", "failed"]);

const MESSAGE = table<StoredMessage>("message", "id", {
  id: ["id", text],
  personId: ["person_id", text],
  stageId: ["stage_id", text],
  stageIndex: ["stage_index", int],
  channel: ["channel", oneOf((v) => (v === "sms" ? "sms" : "email"))],
  attempt: ["attempt", int],
  status: ["status", oneOf((v) => (v === "sending" ? "sending" : EmailStatusSchema.parse(v)))],
  reason: ["reason", textOrNull],
  to: ["to_addr", textOrNull],
  mailboxId: ["mailbox_id", textOrNull],
  subject: ["subject", textOrNull],
  scheduledAt: ["scheduled_at", intOrNull],
  sentAt: ["sent_at", intOrNull],
  messageId: ["message_id", textOrNull],
  providerId: ["provider_id", textOrNull],
  idempotencyKey: ["idempotency_key", textOrNull],
  batchId: ["batch_id", textOrNull],
  createdAt: ["created_at", int],
  rev: ["rev", int],
  failures: ["failures", int],
  firstTryAt: ["first_try_at", intOrNull],
  retryAt: ["retry_at", intOrNull],
});
/** A person's place at a stage, the key of sendingOf() and openByStage(). */
export const stageKey = (personId: string, stageId: string | null) =>
  `${personId}\n${stageId ?? ""}`;

const KEEP: (keyof StoredMessage)[] = ["personId", "stageId", "stageIndex", "channel", "createdAt"];
const UPSERT = MESSAGE.upsertSql(KEEP);
const UPSERT_MANY = MESSAGE.upsertJsonSql(KEEP);

/** The message table: the Email Log's rows and the send attempts behind them. */
export class MessageTable {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: MetaTable,
    private readonly outbox: OutboxTable,
  ) {}

  private read(r: Row): Message {
    const m = MESSAGE.fromRow(r);
    const index = this.meta.indexOf(m.stageId);
    const exists = this.meta.idAt(index) === m.stageId;
    return exists ? { ...m, stageIndex: index } : m;
  }

  private all(query: string, ...args: SqlStorageValue[]): Message[] {
    return this.sql
      .exec(query, ...args)
      .toArray()
      .map((r) => this.read(r));
  }

  get(id: string): Message | null {
    return this.all("SELECT * FROM message WHERE id = ?", id)[0] ?? null;
  }

  /** Many messages by id in one statement (the ids bound as one JSON array). */
  getMany(ids: string[]): Message[] {
    return jsonChunks(ids).flatMap((json) =>
      this.all("SELECT * FROM message WHERE id IN (SELECT value FROM json_each(?))", json),
    );
  }

  of(personId: string): Message[] {
    return this.all("SELECT * FROM message WHERE person_id = ? ORDER BY created_at, id", personId);
  }

  /** The open (Waiting or Held) message of a prospect's stage, if any. */
  open(personId: string, stageId: string | null): Message | null {
    if (stageId === null) return null;
    return (
      this.all(
        "SELECT * FROM message WHERE person_id = ? AND stage_id = ? AND status IN ('waiting','held') ORDER BY created_at DESC LIMIT 1",
        personId,
        stageId,
      )[0] ?? null
    );
  }

  /**
   * The committed send of a prospect's stage that has not settled yet: while it exists it
   * is that stage's send, and nothing may make a second one.
   */
  inFlight(personId: string, stageId: string | null): Message | null {
    if (stageId === null) return null;
    return (
      this.all(
        "SELECT * FROM message WHERE person_id = ? AND stage_id = ? AND status = 'sending' LIMIT 1",
        personId,
        stageId,
      )[0] ?? null
    );
  }

  /**
   * inFlight() for many people at once: the `personId\nstageId` of each committed send not
   * settled yet, in one statement. Searched by person; the status is checked on each row
   * (`+status`): by the status index SQLite would read every message in flight, however
   * many a provider's outage has left.
   */
  sendingOf(personIds: string[]): Set<string> {
    const out = new Set<string>();
    for (const json of jsonChunks(personIds)) {
      const rows = this.sql.exec(
        `SELECT person_id, stage_id FROM message WHERE +status = 'sending'
         AND person_id IN (SELECT value FROM json_each(?))`,
        json,
      );
      for (const r of rows) out.add(stageKey(String(r.person_id), String(r.stage_id)));
    }
    return out;
  }

  /** open() for many people at once, by `personId\nstageId` (the newest open one of each). */
  openByStage(personIds: string[]): Map<string, Message> {
    const out = new Map<string, Message>();
    // Oldest first: the newest open message of a stage is the one kept, as open().
    for (const m of this.openOfMany(personIds)) out.set(stageKey(m.personId, m.stageId), m);
    return out;
  }

  /** In-flight SMS whose retry time has come (or that never got an answer). */
  smsDue(now: number, limit: number): Message[] {
    return this.all(
      "SELECT * FROM message WHERE status = 'sending' AND channel = 'sms' AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id LIMIT ?",
      now,
      limit,
    );
  }

  /** Batches with an in-flight email whose retry time has come: the whole batch goes again. */
  batchesDue(now: number, limit: number): string[] {
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
    return this.all(
      "SELECT * FROM message WHERE status = 'sending' AND channel = 'email' AND COALESCE(batch_id, id) = ? ORDER BY id",
      batchId,
    );
  }

  /** The earliest time an in-flight message goes to the provider again, if any. */
  earliestRetryAt(now: number): number | null {
    const row = this.sql
      .exec(
        "SELECT COUNT(*) AS n, MIN(COALESCE(retry_at, ?)) AS t FROM message WHERE status = 'sending'",
        now,
      )
      .one();
    return Number(row.n) > 0 ? intOrNull.from(row.t) : null;
  }

  /** The latest email of this campaign actually sent to the person (for same-thread stages). */
  lastSentEmail(personId: string): Message | null {
    return this.lastSent(personId, "email");
  }

  /** The latest message of a channel this campaign actually sent to the person. */
  lastSent(personId: string, channel: "email" | "sms"): Message | null {
    return (
      this.all(
        `SELECT * FROM message WHERE person_id = ? AND channel = ? AND sent_at IS NOT NULL
         ORDER BY sent_at DESC LIMIT 1`,
        personId,
        channel,
      )[0] ?? null
    );
  }

  /** put() of many messages: one statement per 1.5 MB, one outbox statement. */
  putMany(inputs: NewMessage[]): Message[] {
    const out = inputs.map(
      ({ payload: _request, ...fields }): Message => ({
        failures: 0,
        firstTryAt: null,
        retryAt: null,
        ...fields,
        rev: this.meta.nextRev(),
      }),
    );
    for (const json of jsonChunks(out.map((m) => MESSAGE.values(m)))) {
      this.sql.exec(UPSERT_MANY, json);
    }
    this.keepPayloads(inputs);
    this.outbox.markMany(
      "message",
      out.map((m) => m.id),
    );
    return out;
  }

  /**
   * Open (Waiting or Held) messages canceled, each with its reason: putMany's result for
   * them, written as an UPDATE of the three columns that change. A bulk action cancels
   * thousands at once, and the upsert of every column also rewrote each one's entry in
   * the idempotency key's index (5,000 rows: 7.5 ms against 24–30 ms, node:sqlite).
   */
  cancelMany(rows: { id: string; reason: string }[]) {
    if (rows.length === 0) return;
    const values = rows.map((r) => [r.id, r.reason, this.meta.nextRev()]);
    for (const json of jsonChunks(values)) {
      this.sql.exec(
        `UPDATE message SET status = 'canceled', reason = v.value ->> 1, rev = v.value ->> 2
         FROM jsonb_each(?) AS v WHERE message.id = v.value ->> 0`,
        json,
      );
    }
    this.outbox.markMany(
      "message",
      rows.map((r) => r.id),
    );
  }

  /**
   * The payloads of messages in flight live in their own table, written when a send is
   * committed and deleted when it settles. Kept in the message row, they took most of a
   * campaign's storage: SQLite never reuses the room a row gives up inside its page, and a
   * sent message's row had grown by its whole email (ADR 0035).
   */
  private keepPayloads(inputs: NewMessage[]) {
    const kept = inputs.flatMap((m) => (m.payload === undefined ? [] : [[m.id, m.payload]]));
    for (const json of jsonChunks(kept)) {
      this.sql.exec(
        `INSERT INTO message_payload (message_id, payload)
         SELECT value ->> 0, value ->> 1 FROM jsonb_each(?) WHERE true
         ON CONFLICT(message_id) DO UPDATE SET payload = excluded.payload`,
        json,
      );
    }
    const settled = inputs.flatMap((m) => (SETTLED.has(m.status) ? [m.id] : []));
    for (const json of jsonChunks(settled)) {
      this.sql.exec(
        "DELETE FROM message_payload WHERE message_id IN (SELECT value FROM json_each(?))",
        json,
      );
    }
  }

  /**
   * The payload of each listed message still holding one: what a retry sends again, exactly.
   * A DO of an earlier release kept it in the message row; that is read when the table has none.
   */
  payloadsOf(ids: string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const json of jsonChunks(ids)) {
      const rows = this.sql.exec(
        `SELECT m.id AS id, COALESCE(p.payload, m.payload) AS payload FROM message m
         LEFT JOIN message_payload p ON p.message_id = m.id
         WHERE m.id IN (SELECT value FROM json_each(?))`,
        json,
      );
      for (const r of rows) if (r.payload !== null) out.set(String(r.id), String(r.payload));
    }
    return out;
  }

  /**
   * Open (Waiting or Held) messages of many people, in one statement: searched by person,
   * the status checked on each row (`+status`). By the status index, SQLite read every open
   * message of the campaign for each batch of 100 (DO SQLite has no statistics either).
   */
  openOfMany(personIds: string[]): Message[] {
    return jsonChunks(personIds).flatMap((json) =>
      this.all(
        `SELECT * FROM message WHERE person_id IN (SELECT value FROM json_each(?))
         AND +status IN ('waiting','held') ORDER BY created_at`,
        json,
      ),
    );
  }

  put(input: NewMessage): Message {
    const { payload, ...fields } = input;
    const m: Message = {
      failures: 0,
      firstTryAt: null,
      retryAt: null,
      ...fields,
      rev: this.meta.nextRev(),
    };
    this.sql.exec(UPSERT, ...MESSAGE.values(m));
    if (payload !== undefined || SETTLED.has(m.status)) this.keepPayloads([input]);
    this.outbox.mark("message", m.id);
    return m;
  }
}
