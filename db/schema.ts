import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// ── better-auth's tables (user, session, account, verification) and its organization
// plugin's (organization = a team, member, invitation). Field keys are the names
// better-auth's drizzle adapter expects.

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch() * 1000)`);
const updatedAt = () =>
  integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch() * 1000)`);

export const user = sqliteTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  image: text("image"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const session = sqliteTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    token: text("token").notNull().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    activeOrganizationId: text("active_organization_id"),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

export const account = sqliteTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: integer("access_token_expires_at", { mode: "timestamp_ms" }),
    refreshTokenExpiresAt: integer("refresh_token_expires_at", { mode: "timestamp_ms" }),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("account_user_idx").on(t.userId)],
);

export const verification = sqliteTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const organization = sqliteTable("organization", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  createdAt: createdAt(),
  metadata: text("metadata"),
});

export const member = sqliteTable(
  "member",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [index("member_org_idx").on(t.organizationId), index("member_user_idx").on(t.userId)],
);

export const invitation = sqliteTable(
  "invitation",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role"),
    status: text("status").notNull().default("pending"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
    inviterId: text("inviter_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
  },
  (t) => [index("invitation_org_idx").on(t.organizationId)],
);

// ── Beacon's own tables. Every row carries its team id (`team_id` = organization.id).

const teamId = () =>
  text("team_id")
    .notNull()
    .references(() => organization.id, { onDelete: "cascade" });

/** A team's settings: the daily email limit and its policy, the team's time zone. */
export const teamSettings = sqliteTable("team_settings", {
  teamId: text("team_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  timeZone: text("time_zone").notNull().default("UTC"),
  dailyEmailLimit: integer("daily_email_limit").notNull().default(5000),
  onLimit: text("on_limit", { enum: ["defer", "fail"] })
    .notNull()
    .default("defer"),
  /** How long an out-of-office with no stated return date pauses a prospect. */
  outOfOfficeDays: integer("out_of_office_days").notNull().default(7),
  /** Enrolling someone a teammate emailed within this many days is a conflict (0 = off). */
  recentlyEmailedDays: integer("recently_emailed_days").notNull().default(14),
  updatedAt: updatedAt(),
});

/** API keys: only a SHA-256 of the key is stored; the key is shown once. */
export const apiKey = sqliteTable(
  "api_key",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_key_team_idx").on(t.teamId)],
);

export const person = sqliteTable(
  "person",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    ownerId: text("owner_id").references(() => user.id, { onDelete: "set null" }),
    firstName: text("first_name").notNull(),
    lastName: text("last_name"),
    timeZone: text("time_zone"),
    /** Lower-cased "last first" for ordering and keyset pagination. */
    sortName: text("sort_name").notNull(),
    /** Lower-cased names and addresses, for search. */
    searchText: text("search_text").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("person_team_sort_idx").on(t.teamId, t.sortName, t.id)],
);

export const personEmail = sqliteTable(
  "person_email",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    personId: text("person_id")
      .notNull()
      .references(() => person.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    type: text("type", { enum: ["personal", "work"] }).notNull(),
    /** Lower-case, Gmail dots and +tags removed: what reply matching compares. */
    normalized: text("normalized").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [
    index("person_email_person_idx").on(t.personId),
    index("person_email_team_norm_idx").on(t.teamId, t.normalized),
  ],
);

/**
 * A phone number as typed, without the separators a profile may hold ("+1 (555) 010-2030"
 * → "+15550102030"): what an inbound SMS's sender is looked up by (workers/core/sms-inbound.ts).
 */
const phoneDigits = (column: string) =>
  sql.raw(
    `replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')`,
  );

export const personPhone = sqliteTable(
  "person_phone",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    personId: text("person_id")
      .notNull()
      .references(() => person.id, { onDelete: "cascade" }),
    number: text("number").notNull(),
    type: text("type", { enum: ["mobile", "work", "home"] })
      .notNull()
      .default("mobile"),
    position: integer("position").notNull().default(0),
    /** `number` without separators (computed by SQLite, never written). */
    digits: text("digits").generatedAlwaysAs(phoneDigits('"number"'), { mode: "virtual" }),
  },
  (t) => [
    index("person_phone_person_idx").on(t.personId),
    index("person_phone_digits_idx").on(t.digits),
  ],
);

export const job = sqliteTable(
  "job",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    title: text("title").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("job_team_idx").on(t.teamId, t.createdAt)],
);

export const jobStage = sqliteTable(
  "job_stage",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    jobId: text("job_id")
      .notNull()
      .references(() => job.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [index("job_stage_job_idx").on(t.jobId, t.position)],
);

export const mailbox = sqliteTable(
  "mailbox",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    name: text("name").notNull(),
    dailyCap: integer("daily_cap"),
    canSend: integer("can_send", { mode: "boolean" }).notNull().default(false),
    capturesReplies: integer("captures_replies", { mode: "boolean" }).notNull().default(false),
    /** Unguessable token of the mailbox's sync address (sync+<token>@INBOUND_DOMAIN). */
    syncToken: text("sync_token").notNull().unique(),
    /** Why the mailbox cannot send or capture, in words, when it cannot. */
    problem: text("problem"),
    checkedAt: integer("checked_at", { mode: "timestamp_ms" }),
    /** When a member opened the confirmation link emailed to the address (Resend only). */
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
    /** SHA-256 (hex) of the latest confirmation link's token; the token itself is never kept. */
    confirmTokenHash: text("confirm_token_hash").unique(),
    /** When that link was emailed; it expires a week later. */
    confirmSentAt: integer("confirm_sent_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mailbox_team_address_idx").on(t.teamId, t.address)],
);

/**
 * A team's sending domain, registered with Resend. One team per domain name across all
 * of Beacon: the unique index on `name` is what refuses a second team (and arbitrates
 * two teams adding it at once).
 */
export const sendingDomain = sqliteTable(
  "sending_domain",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    name: text("name").notNull(),
    /** Resend's id; null while registering, and for a claim proving DNS or lost (ADR 0022). */
    resendId: text("resend_id").unique(),
    /**
     * Resend's status (not_started, pending, verified, failed, …), "registering", or a
     * claim's own: "awaiting_proof" (DNS challenge) and "lost" (another team verified first).
     */
    status: text("status").notNull(),
    /** JSON array of the DNS records to publish, as Resend last reported them. */
    records: text("records").notNull().default("[]"),
    checkedAt: integer("checked_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    // Many teams may claim a name while proving DNS; only one may hold it verified.
    uniqueIndex("sending_domain_verified_name_idx").on(t.name).where(sql`status = 'verified'`),
    index("sending_domain_name_idx").on(t.name),
    index("sending_domain_unverified_idx").on(t.status, t.createdAt),
    uniqueIndex("sending_domain_team_name_idx").on(t.teamId, t.name),
  ],
);

/** The campaign index (lists, WebSocket authorization); the Campaign DO is the source of truth. */
export const campaign = sqliteTable(
  "campaign",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    ownerId: text("owner_id").references(() => user.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    status: text("status", { enum: ["draft", "active", "disabled"] }).notNull(),
    shared: integer("shared", { mode: "boolean" }).notNull().default(false),
    jobId: text("job_id").references(() => job.id, { onDelete: "set null" }),
    jobStage: text("job_stage"),
    stageCount: integer("stage_count").notNull().default(0),
    prospectCount: integer("prospect_count").notNull().default(0),
    /** JSON {status: count} of the campaign's prospects. */
    statusCounts: text("status_counts").notNull().default("{}"),
    /** JSON [{id, type, title, subject}] of the stages in order (task queue, metrics). */
    stages: text("stages").notNull().default("[]"),
    version: integer("version").notNull().default(1),
    /** The DO's change counter: a mirror write applies only if it is newer. */
    rev: integer("rev").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("campaign_team_idx").on(t.teamId, t.createdAt)],
);

/** A CSV import: its rows are committed chunk by chunk, each chunk once. */
export const csvImport = sqliteTable(
  "csv_import",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    totalRows: integer("total_rows").notNull(),
    committedRows: integer("committed_rows").notNull().default(0),
    badRows: integer("bad_rows").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index("csv_import_team_idx").on(t.teamId)],
);

export const csvImportChunk = sqliteTable(
  "csv_import_chunk",
  {
    importId: text("import_id")
      .notNull()
      .references(() => csvImport.id, { onDelete: "cascade" }),
    chunkIndex: integer("chunk_index").notNull(),
    committed: integer("committed").notNull(),
    /** JSON: [{line, reason}] for the rows of this chunk that were refused. */
    errors: text("errors").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.chunkIndex] })],
);

// ── The campaign engine's mirror in D1, written by the Campaign DO through its outbox.

/** One person's membership in one campaign: the profile's Outreach section, conflicts. */
export const campaignMember = sqliteTable(
  "campaign_member",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaign.id, { onDelete: "cascade" }),
    personId: text("person_id").notNull(),
    teamId: teamId(),
    status: text("status").notNull(),
    reason: text("reason"),
    stageIndex: integer("stage_index").notNull(),
    stageId: text("stage_id").notNull(),
    nextAt: integer("next_at"),
    /** The DO's change counter: a mirror write applies only if it is newer. */
    rev: integer("rev").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.personId] }),
    index("campaign_member_person_idx").on(t.teamId, t.personId),
    // The task queue: a team's Active prospects in due order (GET /api/v1/tasks).
    index("campaign_member_due_idx").on(t.teamId, t.status, t.nextAt),
  ],
);

/** The Email Log: every outgoing message of every campaign, mirrored from its DO. */
export const emailLog = sqliteTable(
  "email_log",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    campaignId: text("campaign_id").notNull(),
    personId: text("person_id").notNull(),
    stageIndex: integer("stage_index").notNull(),
    stageId: text("stage_id").notNull(),
    channel: text("channel", { enum: ["email", "sms"] }).notNull(),
    mailboxId: text("mailbox_id"),
    to: text("to"),
    subject: text("subject"),
    status: text("status").notNull(),
    reason: text("reason"),
    scheduledAt: integer("scheduled_at"),
    sentAt: integer("sent_at"),
    messageId: text("message_id"),
    providerId: text("provider_id"),
    openedAt: integer("opened_at"),
    clickedAt: integer("clicked_at"),
    downloadedAt: integer("downloaded_at"),
    repliedAt: integer("replied_at"),
    rev: integer("rev").notNull(),
    createdAt: integer("created_at").notNull(),
    /** An SMS's `to` without separators (computed by SQLite, never written). */
    toDigits: text("to_digits").generatedAlwaysAs(phoneDigits('"to"'), { mode: "virtual" }),
  },
  (t) => [
    index("email_log_team_idx").on(t.teamId, t.createdAt),
    index("email_log_campaign_idx").on(t.campaignId, t.createdAt),
    index("email_log_person_idx").on(t.teamId, t.personId),
    // Today's sends for the usage figure.
    index("email_log_team_sent_idx").on(t.teamId, t.sentAt),
    // A bounce report names our message by the Message-ID it went out with.
    index("email_log_message_idx").on(t.teamId, t.messageId),
    // The literal (not a bound 'sms') is what lets a query use this partial index.
    index("email_log_sms_to_idx").on(t.toDigits).where(sql.raw(`"channel" = 'sms'`)),
  ],
);

/** Addresses (normalized) and people a team must never contact again. */
export const suppression = sqliteTable(
  "suppression",
  {
    teamId: teamId(),
    normalized: text("normalized").notNull(),
    personId: text("person_id"),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.normalized] }),
    // Who among a list of people is suppressed by id (an enroll, a batch of sends).
    index("suppression_person_idx").on(t.teamId, t.personId),
  ],
);

/** Messages the local sink "sent": what a developer reads instead of a real inbox. */
export const sinkMessage = sqliteTable(
  "sink_message",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id").notNull(),
    channel: text("channel").notNull(),
    to: text("to").notNull(),
    from: text("from"),
    subject: text("subject"),
    text: text("text").notNull(),
    headers: text("headers").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("sink_message_team_idx").on(t.teamId, t.createdAt)],
);

/**
 * Mail that came back through Email Routing (replies, auto-replies, bounces, complaints,
 * mail synced from a mailbox), matched or not. Deduplicated by (team, Message-ID); mail
 * that matched nothing keeps its raw message in R2 for diagnosis (pruned after 30 days).
 */
export const inboundMail = sqliteTable(
  "inbound_mail",
  {
    id: text("id").primaryKey(),
    /** Null when the mail could not be tied to a team. */
    teamId: text("team_id"),
    messageId: text("message_id"),
    /** The envelope: who Email Routing says sent it, and to which of our addresses. */
    envelopeFrom: text("envelope_from").notNull(),
    envelopeTo: text("envelope_to").notNull(),
    /** How it reached us: a reply token, a mailbox's sync address, or anything else. */
    via: text("via", { enum: ["reply", "sync", "other"] }).notNull(),
    /** in: to the recruiter; out: the recruiter's own mail, synced through a BCC. */
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    mailboxId: text("mailbox_id"),
    personId: text("person_id"),
    campaignId: text("campaign_id"),
    /** The Email Log row (our message) it answers or reports on. */
    emailLogId: text("email_log_id"),
    fromAddr: text("from_addr"),
    subject: text("subject"),
    kind: text("kind").notNull(),
    /** The verdict's details (bounce class, status, diagnostic, return date) as JSON. */
    verdict: text("verdict").notNull(),
    /** The new text of a reply, without quoted history (at most 2,000 characters). */
    snippet: text("snippet"),
    /** What was done, in words; for unmatched mail, why nothing was. */
    outcome: text("outcome").notNull(),
    matched: integer("matched", { mode: "boolean" }).notNull(),
    /** R2 key of the raw message, kept for unmatched mail. */
    rawKey: text("raw_key"),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("inbound_mail_team_message_idx").on(t.teamId, t.messageId),
    index("inbound_mail_person_idx").on(t.teamId, t.personId, t.receivedAt),
    index("inbound_mail_mailbox_idx").on(t.mailboxId, t.receivedAt),
    index("inbound_mail_unmatched_idx").on(t.matched, t.receivedAt),
  ],
);

/**
 * Inbound SMS (Twilio's webhook), one row per MessageSid: a redelivery of a message already
 * applied changes nothing. The text itself goes to the prospects' history, not here.
 */
export const smsInbound = sqliteTable("sms_inbound", {
  messageSid: text("message_sid").primaryKey(),
  /** The sender in E.164, or as Twilio gave it when it is not a phone number. */
  fromNumber: text("from_number").notNull(),
  kind: text("kind", { enum: ["stop", "reply"] }).notNull(),
  /** What was done, in words; for a text that matched no one, why nothing was. */
  outcome: text("outcome"),
  receivedAt: integer("received_at").notNull(),
  /** Set once every change it asked for is made; until then a redelivery applies it again. */
  appliedAt: integer("applied_at"),
});

// ── Engagement (db/migrations/0008_engagement.sql, ADR 0027). Counters are kept by the
// migration's SQLite triggers; write only tracking_event, engagement_person and webhook_event.

/** Every open, click, download and honeypot hit as it arrived, machine or human (kept 90 days). */
export const trackingEvent = sqliteTable(
  "tracking_event",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    /** The Email Log row (our message id). */
    messageId: text("message_id").notNull(),
    personId: text("person_id").notNull(),
    stageId: text("stage_id").notNull(),
    mailboxId: text("mailbox_id"),
    kind: text("kind", { enum: ["open", "click", "download", "honeypot"] }).notNull(),
    /** The clicked URL, or the attachment id. */
    link: text("link"),
    at: integer("at").notNull(),
    sinceSendMs: integer("since_send_ms"),
    method: text("method").notNull(),
    userAgent: text("user_agent"),
    asn: integer("asn"),
    asOrg: text("as_org"),
    machine: integer("machine", { mode: "boolean" }).notNull().default(false),
    machineReason: text("machine_reason"),
    proxy: integer("proxy", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("tracking_event_message_idx").on(t.messageId, t.at),
    index("tracking_event_at_idx").on(t.at),
  ],
);

/** A person's first event of a metric at a stage; `humanAt` null when only machines did it. */
export const engagementPerson = sqliteTable(
  "engagement_person",
  {
    campaignId: text("campaign_id").notNull(),
    stageId: text("stage_id").notNull(),
    personId: text("person_id").notNull(),
    metric: text("metric").notNull(),
    teamId: text("team_id").notNull(),
    mailboxId: text("mailbox_id"),
    firstAt: integer("first_at").notNull(),
    humanAt: integer("human_at"),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.stageId, t.personId, t.metric] }),
    index("engagement_person_team_idx").on(t.teamId, t.metric, t.firstAt),
  ],
);

/** A person's first event of a metric at any stage of a campaign (kept by triggers). */
export const engagementTotal = sqliteTable(
  "engagement_total",
  {
    campaignId: text("campaign_id").notNull(),
    personId: text("person_id").notNull(),
    metric: text("metric").notNull(),
    firstAt: integer("first_at").notNull(),
    humanAt: integer("human_at"),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.personId, t.metric] })],
);

/** People per (campaign, stage — '' for any stage, metric), all and human (kept by triggers). */
export const engagementCount = sqliteTable(
  "engagement_count",
  {
    campaignId: text("campaign_id").notNull(),
    stageId: text("stage_id").notNull(),
    metric: text("metric").notNull(),
    people: integer("people").notNull().default(0),
    human: integer("human").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.stageId, t.metric] })],
);

/** First events per UTC day (kept by triggers), for the daily charts. */
export const engagementDaily = sqliteTable(
  "engagement_daily",
  {
    teamId: text("team_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    mailboxId: text("mailbox_id").notNull().default(""),
    day: text("day").notNull(),
    metric: text("metric").notNull(),
    people: integer("people").notNull().default(0),
    human: integer("human").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.mailboxId, t.day, t.metric] }),
    index("engagement_daily_team_idx").on(t.teamId, t.day),
  ],
);

/** Provider webhook deliveries already applied (Svix ids), so a redelivery changes nothing. */
export const webhookEvent = sqliteTable(
  "webhook_event",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    type: text("type").notNull(),
    /** The delivery attempt's svix-timestamp: the same id and timestamp again is a replay. */
    signedAt: text("signed_at").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("webhook_event_received_idx").on(t.receivedAt)],
);

/** A file an email stage links to (stored in R2 `MAIL` under `attachments/`). */
export const attachment = sqliteTable(
  "attachment",
  {
    id: text("id").primaryKey(),
    teamId: teamId(),
    name: text("name").notNull(),
    size: integer("size").notNull(),
    key: text("key").notNull(),
    contentType: text("content_type").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("attachment_team_idx").on(t.teamId, t.createdAt)],
);
