import { limitD1 } from "../db/limits";
import type { CampaignDef, CampaignStore, Message, Prospect } from "./store";

/** Dirty markers handled per flush: keeps one invocation far below D1's 1,000 queries. */
export const FLUSH_ITEMS = 1_500;

type Stmt = D1PreparedStatement;

/** Multi-row statements with at most 100 bound parameters each. */
function chunkedInsert<T>(
  d1: D1Database,
  rows: T[],
  columns: number,
  build: (placeholders: string) => string,
  values: (row: T) => unknown[],
): Stmt[] {
  const perStatement = Math.floor(100 / columns);
  const tuple = `(${Array(columns).fill("?").join(",")})`;
  const out: Stmt[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    out.push(d1.prepare(build(chunk.map(() => tuple).join(","))).bind(...chunk.flatMap(values)));
  }
  return out;
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

function campaignStatement(d1: D1Database, def: CampaignDef, store: CampaignStore): Stmt {
  const counts = store.prospects.statusCounts();
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

function memberStatements(d1: D1Database, def: CampaignDef, rows: Prospect[]): Stmt[] {
  return chunkedInsert(
    d1,
    rows,
    10,
    (values) =>
      `INSERT INTO campaign_member (campaign_id, person_id, team_id, status, reason, stage_index, stage_id,
         next_at, rev, updated_at) VALUES ${values}
       ON CONFLICT(campaign_id, person_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
         stage_index = excluded.stage_index, stage_id = excluded.stage_id, next_at = excluded.next_at,
         rev = excluded.rev, updated_at = excluded.updated_at
       WHERE excluded.rev > campaign_member.rev`,
    (p) => [
      def.id,
      p.personId,
      def.teamId,
      p.status,
      p.reason,
      p.stageIndex,
      p.stageId ?? def.stages[def.stages.length - 1]?.id ?? "",
      p.nextAt ?? p.dueAt,
      p.rev,
      p.updatedAt,
    ],
  );
}

function removedMemberStatements(d1: D1Database, def: CampaignDef, personIds: string[]): Stmt[] {
  const out: Stmt[] = [];
  for (let i = 0; i < personIds.length; i += 90) {
    const ids = personIds.slice(i, i + 90);
    out.push(
      d1
        .prepare(
          `DELETE FROM campaign_member WHERE campaign_id = ? AND person_id IN (${ids.map(() => "?").join(",")})`,
        )
        .bind(def.id, ...ids),
    );
  }
  return out;
}

/** The Email Log shows a message in flight as Waiting until the provider answers. */
function logStatus(m: Message): string {
  return m.status === "sending" ? "waiting" : m.status;
}

function messageStatements(d1: D1Database, def: CampaignDef, rows: Message[]): Stmt[] {
  return chunkedInsert(
    d1,
    rows,
    18,
    (values) =>
      `INSERT INTO email_log (id, team_id, campaign_id, person_id, stage_index, stage_id, channel, mailbox_id,
         "to", subject, status, reason, scheduled_at, sent_at, message_id, provider_id, rev, created_at)
       VALUES ${values}
       ON CONFLICT(id) DO UPDATE SET mailbox_id = excluded.mailbox_id, "to" = excluded."to",
         subject = excluded.subject, status = excluded.status, reason = excluded.reason,
         scheduled_at = excluded.scheduled_at, sent_at = excluded.sent_at, message_id = excluded.message_id,
         provider_id = excluded.provider_id, rev = excluded.rev
       WHERE excluded.rev > email_log.rev`,
    (m) => [
      m.id,
      def.teamId,
      def.id,
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
    ],
  );
}

/** What one flush wrote into D1: the rows lists show, for the account-wide live feed. */
export type Flushed = {
  /** Changes still in the outbox after this flush. */
  remaining: number;
  prospects: Prospect[];
  /** People no longer in the campaign (their campaign_member rows were deleted). */
  removed: string[];
  messages: Message[];
};

/**
 * Writes a bounded batch of the DO's changes into D1 in one transaction, idempotent by
 * rev (an older write never overwrites a newer one). Markers are cleared only after D1
 * committed; a failure leaves them for the next try. Answers what it wrote.
 */
export async function flushMirror(d1Raw: D1Database, store: CampaignStore): Promise<Flushed> {
  const def = store.getDef();
  const none: Flushed = { remaining: 0, prospects: [], removed: [], messages: [] };
  if (!def) return none;
  const d1 = limitD1(d1Raw);
  const items = store.outbox.batch(FLUSH_ITEMS);
  if (items.length === 0) return none;

  const memberIds = items.filter((i) => i.kind === "member").map((i) => i.key);
  const present = store.prospects.getMany(memberIds);
  const presentIds = new Set(present.map((p) => p.personId));
  const removed = memberIds.filter((id) => !presentIds.has(id));
  const messages = items
    .filter((i) => i.kind === "message")
    .map((i) => store.messages.get(i.key))
    .filter((m): m is Message => m !== null);

  const statements = [
    campaignStatement(d1, def, store),
    ...memberStatements(d1, def, present),
    ...removedMemberStatements(d1, def, removed),
    ...messageStatements(d1, def, messages),
  ];
  await d1.batch(statements);
  store.outbox.clear(items);
  return { remaining: store.outbox.count(), prospects: present, removed, messages };
}
