/** The Campaign DO's SQLite tables, and the upgrades a DO made by an earlier release needs. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prospect (
  person_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  reason TEXT,
  reason_detail TEXT,
  stage_id TEXT,
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
-- Only messages in flight are ever looked up by status (the retries, the batches due): the
-- index holds those alone, so writing a Waiting or a Sent message does not touch it.
CREATE INDEX IF NOT EXISTS message_in_flight ON message(status) WHERE status = 'sending';
CREATE TABLE IF NOT EXISTS reservation (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT,
  n INTEGER NOT NULL,
  granted INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- One reservation per batch, kept once settled: only the open ones are ever looked up (every
-- alarm does), and without this index each lookup read every batch the campaign ever sent.
CREATE INDEX IF NOT EXISTS reservation_open ON reservation(state)
  WHERE state IN ('reserving', 'granted', 'releasing');
-- The request of each send in flight, so a retry repeats it exactly (messages.ts payloads).
-- Messages of earlier releases kept it in message.payload, which new rows leave NULL.
CREATE TABLE IF NOT EXISTS message_payload (
  message_id TEXT PRIMARY KEY,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dirty (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS dirty_seq ON dirty(seq);
CREATE INDEX IF NOT EXISTS prospect_enrolled ON prospect(enrolled_at, person_id);
CREATE INDEX IF NOT EXISTS prospect_status_order ON prospect(status, person_id);
CREATE TABLE IF NOT EXISTS engagement (
  person_id TEXT NOT NULL,
  stage_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (person_id, stage_id, kind)
);
CREATE TABLE IF NOT EXISTS moves (
  move_id TEXT PRIMARY KEY,
  state TEXT NOT NULL DEFAULT 'done',
  target_id TEXT,
  person_ids TEXT,
  result TEXT
);
CREATE TABLE IF NOT EXISTS receipts (move_id TEXT PRIMARY KEY, enrolled TEXT NOT NULL);
`;

function columnsOf(sql: SqlStorage, tableName: string): Set<string> {
  return new Set(
    sql
      .exec(`SELECT name FROM pragma_table_info('${tableName}')`)
      .toArray()
      .map((r) => String(r.name)),
  );
}

/**
 * Creates the tables, then brings an older DO's tables up to date. A prospect's position
 * used to be a stage index; it is now the stage's id (read from the definition in meta).
 */
export function migrate(sql: SqlStorage) {
  sql.exec(SCHEMA);
  const message = columnsOf(sql, "message");
  for (const [name, type] of [
    ["failures", "INTEGER NOT NULL DEFAULT 0"],
    ["first_try_at", "INTEGER"],
    ["retry_at", "INTEGER"],
  ] as const) {
    if (!message.has(name)) sql.exec(`ALTER TABLE message ADD COLUMN ${name} ${type}`);
  }
  sql.exec("CREATE INDEX IF NOT EXISTS message_person_stage ON message(person_id, stage_id)");
  // Every message's status was indexed; message_in_flight holds the ones in flight only.
  sql.exec("DROP INDEX IF EXISTS message_status");
  const prospect = columnsOf(sql, "prospect");
  if (!prospect.has("stage_id")) {
    sql.exec("ALTER TABLE prospect ADD COLUMN stage_id TEXT");
    const raw = sql.exec("SELECT value FROM meta WHERE key = 'campaign'").toArray()[0];
    const stages: { id: string }[] = raw ? JSON.parse(String(raw.value)).stages : [];
    for (const [index, stage] of stages.entries()) {
      sql.exec("UPDATE prospect SET stage_id = ? WHERE stage_index = ?", stage.id, index);
    }
    sql.exec("DROP INDEX IF EXISTS prospect_status");
    sql.exec("ALTER TABLE prospect DROP COLUMN stage_index");
  }
  sql.exec("CREATE INDEX IF NOT EXISTS prospect_stage ON prospect(stage_id, status)");
  if (!columnsOf(sql, "engagement").has("stage_id")) {
    // Never written before positions became ids: nothing to carry over.
    sql.exec("DROP TABLE engagement");
    sql.exec(SCHEMA);
  }
  const moves = columnsOf(sql, "moves");
  for (const [name, type] of [
    ["state", "TEXT NOT NULL DEFAULT 'done'"],
    ["target_id", "TEXT"],
    ["person_ids", "TEXT"],
  ] as const) {
    if (!moves.has(name)) sql.exec(`ALTER TABLE moves ADD COLUMN ${name} ${type}`);
  }
}
