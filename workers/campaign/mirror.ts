import type { EmailStatus } from "../core/engine/statuses";
import { jsonChunks, jsonIdChunks } from "../db/json-ids";
import { limitD1 } from "../db/limits";
import type { CampaignDef, CampaignStore, Message, Prospect } from "./store";

/**
 * Dirty markers handled per flush. With rows bound as JSON a flush is a handful of
 * statements whatever its size (1,000 email_log rows are ~250 KB of JSON), so D1's 1,000
 * queries are far away. The bound keeps each flush short: a campaign catching up after
 * 100,000 changes flushes in steps of ~20–50 ms, and calls to it (a page's first rows, the
 * next chunk of an import) get the thread between them; 4,000 a flush made those wait
 * ~0.1–0.2 s. What one flush wrote goes to the team feed in one publish of at most 5,000
 * entries (workers/account.ts MAX_PUBLISHED).
 */
export const FLUSH_ITEMS = 1_000;

type Stmt = D1PreparedStatement;

/** `value ->> 0, value ->> 1, …`: the columns of one JSON row of json_each. */
const fields = (n: number) => Array.from({ length: n }, (_, i) => `value ->> ${i}`).join(", ");

/**
 * Multi-row upserts with the rows bound as ONE JSON parameter (arrays, chunked at
 * ≤ 1.5 MB), read back with json_each: a handful of statements per flush, whatever the
 * row count, instead of one per 5–10 rows under D1's 100 bound parameters.
 */
function jsonInsert<T>(
  d1: D1Database,
  rows: T[],
  sql: string,
  fixed: unknown[],
  values: (row: T) => unknown[],
): Stmt[] {
  return jsonChunks(rows.map(values)).map((json) => d1.prepare(sql).bind(...fixed, json));
}

/** What lists, the task queue and metrics need of each stage, mirrored into `campaign.stages`. */
export type StageSummary = {
  id: string;
  type: CampaignDef["stages"][number]["type"];
  title: string | null;
  subject: string | null;
};

function stageSummary(def: CampaignDef): StageSummary[] {
  return def.stages.map((s) => ({
    id: s.id,
    type: s.type,
    title: "title" in s ? (s.title ?? null) : null,
    subject: "subject" in s ? (s.subject ?? null) : null,
  }));
}

function campaignStatement(
  d1: D1Database,
  def: CampaignDef,
  store: CampaignStore,
  counts: Record<string, number>,
): Stmt {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return d1
    .prepare(
      `INSERT INTO campaign (id, team_id, owner_id, name, status, shared, job_id, job_stage, stage_count,
         prospect_count, status_counts, stages, version, rev, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET owner_id = excluded.owner_id, name = excluded.name,
         status = excluded.status, shared = excluded.shared, job_id = excluded.job_id,
         job_stage = excluded.job_stage, stage_count = excluded.stage_count,
         prospect_count = excluded.prospect_count, status_counts = excluded.status_counts,
         stages = excluded.stages, version = excluded.version, rev = excluded.rev, updated_at = excluded.updated_at
       WHERE excluded.rev >= campaign.rev`,
    )
    .bind(
      def.id,
      def.teamId,
      def.ownerId,
      def.name,
      def.status,
      def.shared ? 1 : 0,
      def.jobId,
      def.jobStage,
      def.stages.length,
      total,
      JSON.stringify(counts),
      JSON.stringify(stageSummary(def)),
      def.version,
      store.meta.currentRev(),
      def.createdAt,
      def.updatedAt,
    );
}

const MEMBER_UPSERT = `INSERT INTO campaign_member (campaign_id, team_id, person_id, status, reason,
    stage_index, stage_id, next_at, rev, updated_at)
  SELECT ?, ?, ${fields(8)} FROM json_each(?) WHERE true
  ON CONFLICT(campaign_id, person_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
    stage_index = excluded.stage_index, stage_id = excluded.stage_id, next_at = excluded.next_at,
    rev = excluded.rev, updated_at = excluded.updated_at
  WHERE excluded.rev > campaign_member.rev`;

function memberStatements(d1: D1Database, def: CampaignDef, rows: Prospect[]): Stmt[] {
  return jsonInsert(d1, rows, MEMBER_UPSERT, [def.id, def.teamId], (p) => [
    p.personId,
    p.status,
    p.reason,
    p.stageIndex,
    p.stageId ?? def.stages[def.stages.length - 1]?.id ?? "",
    p.nextAt ?? p.dueAt,
    p.rev,
    p.updatedAt,
  ]);
}

function removedMemberStatements(d1: D1Database, def: CampaignDef, personIds: string[]): Stmt[] {
  return jsonIdChunks(personIds, "person id").map((json) =>
    d1
      .prepare(
        "DELETE FROM campaign_member WHERE campaign_id = ? AND person_id IN (SELECT value FROM json_each(?))",
      )
      .bind(def.id, json),
  );
}

/** The Email Log shows a message in flight as Waiting until the provider answers. */
export function logStatus(m: Message): EmailStatus {
  return m.status === "sending" ? "waiting" : m.status;
}

const MESSAGE_UPSERT = `INSERT INTO email_log (team_id, campaign_id, id, person_id, stage_index, stage_id,
    channel, mailbox_id, "to", subject, status, reason, scheduled_at, sent_at, message_id, provider_id,
    rev, created_at)
  SELECT ?, ?, ${fields(16)} FROM json_each(?) WHERE true
  ON CONFLICT(id) DO UPDATE SET mailbox_id = excluded.mailbox_id, "to" = excluded."to",
    subject = excluded.subject, status = excluded.status, reason = excluded.reason,
    scheduled_at = excluded.scheduled_at, sent_at = excluded.sent_at, message_id = excluded.message_id,
    provider_id = excluded.provider_id, rev = excluded.rev
  WHERE excluded.rev > email_log.rev`;

function messageStatements(d1: D1Database, def: CampaignDef, rows: Message[]): Stmt[] {
  return jsonInsert(d1, rows, MESSAGE_UPSERT, [def.teamId, def.id], (m) => [
    m.id,
    m.personId,
    m.stageIndex,
    m.stageId,
    m.channel,
    m.mailboxId,
    m.to,
    m.subject,
    logStatus(m),
    m.reason,
    m.scheduledAt,
    m.sentAt,
    m.messageId,
    m.providerId,
    m.rev,
    m.createdAt,
  ]);
}

/** What one flush wrote into D1: the rows lists show, for the account-wide live feed. */
export type Flushed = {
  prospects: Prospect[];
  /** People no longer in the campaign (their campaign_member rows were deleted). */
  removed: string[];
  messages: Message[];
  /** The campaign's prospects by status as written (the team feed's summary reuses it); null when nothing was. */
  statusCounts: Record<string, number> | null;
};

/**
 * Writes a bounded batch of the DO's changes into D1 in one transaction, idempotent by
 * rev (an older write never overwrites a newer one). Markers are cleared only after D1
 * committed; a failure leaves them for the next try. Answers what it wrote.
 */
export async function flushMirror(d1Raw: D1Database, store: CampaignStore): Promise<Flushed> {
  const def = store.getDef();
  if (!def) return { prospects: [], removed: [], messages: [], statusCounts: null };
  const d1 = limitD1(d1Raw);
  const items = store.outbox.batch(FLUSH_ITEMS);
  if (items.length === 0) return { prospects: [], removed: [], messages: [], statusCounts: null };
  const statusCounts = store.prospects.statusCounts();

  const memberIds = items.filter((i) => i.kind === "member").map((i) => i.key);
  const present = store.prospects.getMany(memberIds);
  const presentIds = new Set(present.map((p) => p.personId));
  const removed = memberIds.filter((id) => !presentIds.has(id));
  const messages = store.messages.getMany(
    items.filter((i) => i.kind === "message").map((i) => i.key),
  );

  const statements = [
    campaignStatement(d1, def, store, statusCounts),
    ...memberStatements(d1, def, present),
    ...removedMemberStatements(d1, def, removed),
    ...messageStatements(d1, def, messages),
  ];
  await d1.batch(statements);
  store.outbox.clear(items);
  return { prospects: present, removed, messages, statusCounts };
}
