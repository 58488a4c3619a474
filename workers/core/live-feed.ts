import { z } from "zod";
import { CampaignStatusSchema } from "./engine/schemas";
import { EmailStatusSchema, StatusSchema } from "./engine/statuses";
import { LiveRowSchema } from "./prospect-list";

/**
 * The team ("account") live feed of /parties/account/<teamId>: its entries and frames,
 * the retention rule both change logs keep, and how a page applies entries to the rows
 * on screen. Pure: the Account DO, the Campaign DO and the browser share it.
 */

/** A change log keeps at least this many versions… */
export const LOG_KEEP_VERSIONS = 1_000;
/** …or everything younger than this, whichever is more. */
export const LOG_KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * The newest version an entry may have and still be pruned: older than both the last
 * LOG_KEEP_VERSIONS versions and LOG_KEEP_MS. Entries at or below it with `at < before`
 * may go; a client older than the newest pruned version gets a snapshot.
 */
export function pruneBounds(current: number, now: number): { maxVersion: number; before: number } {
  return { maxVersion: current - LOG_KEEP_VERSIONS, before: now - LOG_KEEP_MS };
}

/**
 * How a client that last saw `since` catches up, given the oldest version the log can
 * replay from (`floor`: the newest pruned version) and the current one. A version from
 * the future (storage was reset) cannot be trusted either.
 */
export function catchUpFrom(since: number, floor: number, current: number): "replay" | "snapshot" {
  return since < floor || since > current ? "snapshot" : "replay";
}

/** A `?since=` value: a non-negative integer, or null when absent or unreadable. */
export function parseSince(raw: string | null): number | null {
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

const CountsSchema = z.record(z.string(), z.number());

export const CampaignEntrySchema = z.object({
  kind: z.literal("campaign"),
  id: z.string(),
  name: z.string(),
  status: CampaignStatusSchema,
  prospectCount: z.number(),
  statusCounts: CountsSchema,
  version: z.number(),
});

/** A person's place in one campaign, as a profile's Outreach section shows it. */
export const OutreachEntrySchema = z.object({
  kind: z.literal("outreach"),
  personId: z.string(),
  campaignId: z.string(),
  campaignName: z.string(),
  status: StatusSchema,
  reason: z.string().nullable(),
  stageIndex: z.number(),
  stageId: z.string().nullable(),
  nextAt: z.string().nullable(),
});

export const OutreachRemovedEntrySchema = z.object({
  kind: z.literal("outreach_removed"),
  personId: z.string(),
  campaignId: z.string(),
});

/** An Email Log row in the JSON API's shape (GET /api/v1/email-log). */
export const EmailRowSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  personId: z.string(),
  stageIndex: z.number(),
  stageId: z.string(),
  channel: z.enum(["email", "sms"]),
  mailboxId: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  status: EmailStatusSchema,
  scheduledAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  messageId: z.string().nullable(),
  providerId: z.string().nullable(),
  reason: z.string().optional(),
  openedAt: z.string().optional(),
  clickedAt: z.string().optional(),
  downloadedAt: z.string().optional(),
  repliedAt: z.string().optional(),
  personName: z.string().nullable(),
  campaignName: z.string().nullable(),
});
export type EmailRow = z.infer<typeof EmailRowSchema>;

export const EmailEntrySchema = z.object({
  kind: z.literal("email"),
  createdAt: z.number(),
  row: EmailRowSchema,
});

/** Today's email quota: reserved sends count as sent until handed back. */
export const UsageSchema = z.object({
  sentToday: z.number(),
  remaining: z.number(),
  limit: z.number(),
  resetsAt: z.string(),
  /** Sends counted today per mailbox id. */
  mailboxes: z.record(z.string(), z.number()),
});
export type LiveUsage = z.infer<typeof UsageSchema>;

export const UsageEntrySchema = z.object({ kind: z.literal("usage"), usage: UsageSchema });

/**
 * Many rows of one campaign changed at once (a big enroll, a bulk action): a page showing
 * any of them reads its data again instead of applying thousands of entries.
 */
export const ReloadEntrySchema = z.object({ kind: z.literal("reload"), campaignId: z.string() });

export const AccountEntrySchema = z.discriminatedUnion("kind", [
  CampaignEntrySchema,
  OutreachEntrySchema,
  OutreachRemovedEntrySchema,
  EmailEntrySchema,
  UsageEntrySchema,
  ReloadEntrySchema,
]);
export type AccountEntry = z.infer<typeof AccountEntrySchema>;
export type CampaignEntry = z.infer<typeof CampaignEntrySchema>;

/** The key an entry coalesces under: the log keeps only the newest entry per key. */
export function entryKey(e: AccountEntry): string {
  switch (e.kind) {
    case "campaign":
      return `campaign:${e.id}`;
    case "outreach":
    case "outreach_removed":
      return `outreach:${e.campaignId}:${e.personId}`;
    case "email":
      return `email:${e.row.id}`;
    case "usage":
      return "usage";
    case "reload":
      return `reload:${e.campaignId}`;
  }
}

/** Frames of /parties/account/<teamId>. */
export const AccountFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), teamId: z.string(), version: z.number() }),
  z.object({
    type: z.literal("changes"),
    version: z.number(),
    entries: z.array(AccountEntrySchema),
    more: z.boolean().optional(),
  }),
  z.object({ type: z.literal("snapshot"), version: z.number() }),
]);
export type AccountFrame = z.infer<typeof AccountFrameSchema>;

/** A frame from a socket, or null when it is not text, not JSON or not one `schema` knows. */
function parseFrame<T>(schema: z.ZodType<T>, text: unknown): T | null {
  if (typeof text !== "string") return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export function parseAccountFrame(text: unknown): AccountFrame | null {
  return parseFrame(AccountFrameSchema, text);
}

/** The campaigns list's rows after campaign entries: counts, status and name in place. */
export function applyCampaignEntries<
  R extends { id: string; name: string; status: string; prospectCount: number },
>(rows: R[], entries: AccountEntry[]): R[] {
  const latest = new Map<string, CampaignEntry>();
  for (const e of entries) if (e.kind === "campaign") latest.set(e.id, e);
  if (latest.size === 0) return rows;
  return rows.map((r) => {
    const e = latest.get(r.id);
    return e
      ? {
          ...r,
          name: e.name,
          status: e.status,
          prospectCount: e.prospectCount,
          statusCounts: e.statusCounts,
        }
      : r;
  });
}

export type EmailFilter = { campaignId?: string; personId?: string; status?: string };

export function emailMatches(row: EmailRow, f: EmailFilter): boolean {
  if (f.campaignId && row.campaignId !== f.campaignId) return false;
  if (f.personId && row.personId !== f.personId) return false;
  if (f.status && row.status !== f.status) return false;
  return true;
}

type Engagement = {
  openedAt?: string;
  clickedAt?: string;
  downloadedAt?: string;
  repliedAt?: string;
};

/**
 * The Email Log's rows after email entries: a shown row takes its new state (keeping
 * engagement the campaign does not know, e.g. openedAt) or leaves when it stops matching
 * the filters; a row not shown that matches goes on top — only on the newest page, only
 * when the filters can be checked here (`addNew`), and only if created at or after
 * `addCreatedAfter` (an older one belongs further down a full page, not on top).
 */
export function applyEmailEntries<R extends { id: string } & Engagement>(
  rows: R[],
  entries: AccountEntry[],
  opts: { filter: EmailFilter; addNew: boolean; addCreatedAfter: number },
): (R | EmailRow)[] {
  const incoming = new Map<string, EmailRow>();
  const created = new Map<string, number>();
  for (const e of entries) {
    if (e.kind !== "email") continue;
    incoming.set(e.row.id, e.row);
    created.set(e.row.id, e.createdAt);
  }
  if (incoming.size === 0) return rows;
  const out: (R | EmailRow)[] = [];
  for (const r of rows) {
    const next = incoming.get(r.id);
    incoming.delete(r.id);
    if (!next) out.push(r);
    else if (emailMatches(next, opts.filter)) {
      out.push({
        ...next,
        openedAt: next.openedAt ?? r.openedAt,
        clickedAt: next.clickedAt ?? r.clickedAt,
        downloadedAt: next.downloadedAt ?? r.downloadedAt,
        repliedAt: next.repliedAt ?? r.repliedAt,
      });
    }
  }
  if (!opts.addNew) return out;
  const added = [...incoming.values()]
    .filter(
      (row) => emailMatches(row, opts.filter) && (created.get(row.id) ?? 0) >= opts.addCreatedAfter,
    )
    .reverse();
  return [...added, ...out];
}

/** Someone not heard from for longer than this has left (a dropped connection). */
export const PRESENCE_STALE_MS = 3_000;

export const PresenceModeSchema = z.enum(["viewing", "editing"]);
export type PresenceMode = z.infer<typeof PresenceModeSchema>;
export type PresentUser = { userId: string; name: string; mode: PresenceMode };

/**
 * Who is on a campaign's pages now: one entry per user heard from within
 * PRESENCE_STALE_MS (editing wins over viewing when they have both open), by name.
 */
export function presentUsers(
  connections: {
    userId: string | null;
    name: string | null;
    mode: PresenceMode | null;
    seen: number;
  }[],
  now: number,
): PresentUser[] {
  const byUser = new Map<string, PresentUser>();
  for (const c of connections) {
    if (!c.userId || !c.mode || now - c.seen > PRESENCE_STALE_MS) continue;
    const known = byUser.get(c.userId);
    if (known?.mode === "editing") continue;
    byUser.set(c.userId, { userId: c.userId, name: c.name || "A teammate", mode: c.mode });
  }
  return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Frames of /parties/campaign/<id> (see workers/campaign/live.ts). */
export const CampaignFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    rev: z.number(),
    version: z.number().nullable().optional(),
    you: z.string().nullable().optional(),
  }),
  z.object({
    type: z.literal("prospects"),
    rev: z.number(),
    rows: z.array(LiveRowSchema),
    removed: z.array(z.string()),
    more: z.boolean().optional(),
  }),
  z.object({ type: z.literal("snapshot"), rev: z.number() }),
  z.object({ type: z.literal("campaign"), rev: z.number(), version: z.number() }),
  z.object({
    type: z.literal("presence"),
    users: z.array(z.object({ userId: z.string(), name: z.string(), mode: PresenceModeSchema })),
  }),
]);
export type CampaignFrame = z.infer<typeof CampaignFrameSchema>;

export function parseCampaignFrame(text: unknown): CampaignFrame | null {
  return parseFrame(CampaignFrameSchema, text);
}
