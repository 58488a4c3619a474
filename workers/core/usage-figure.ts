import { type CalendarDate, wallTime, zonedToUtc } from "./engine/zoned";

/** A mailbox as the usage figure lists it: its own daily cap, and what it used today. */
export type MailboxUse = {
  id: string;
  name: string;
  address: string;
  /** The mailbox's own daily cap (its email host's limit), or null for none. */
  cap: number | null;
  used: number;
  /** Left under its own cap today, or null without one. */
  remaining: number | null;
};

/** Today's emails against the team's daily limit, as the Settings page and Outreach list show it. */
export type UsageFigure = {
  limit: number;
  /** Sent today (accepted by the provider or the sink). */
  sent: number;
  /** Counted against today's limit but not sent yet (in flight). */
  reserved: number;
  remaining: number;
  /** When the next day's allowance opens (ISO). */
  resetsAt: string;
  timeZone: string;
  mailboxes: MailboxUse[];
};

export type UsageInput = {
  /** What the quota ledger counts against today's limit: sent and in-flight reservations. */
  used: number;
  limit: number;
  /** Emails the Email Log shows sent since the day began. */
  loggedSent: number;
  resetsAt: number;
  timeZone: string;
  mailboxes: { id: string; name: string; address: string; dailyCap: number | null }[];
  /** Today's use per mailbox id. */
  mailboxUsed: Record<string, number>;
};

/** When the team's current day began (its last midnight), in ms. */
export function dayStart(now: number, timeZone: string): number {
  const w = wallTime(now, timeZone);
  const date: CalendarDate = { year: w.year, month: w.month, day: w.day };
  return zonedToUtc(date, 0, timeZone);
}

/**
 * The figure: of what the ledger counts, the part the Email Log shows sent is "sent" and
 * the rest "reserved"; what is left of the limit is "remaining" (never below 0).
 */
export function usageFigure(input: UsageInput): UsageFigure {
  const used = Math.max(0, input.used);
  const sent = Math.min(Math.max(0, input.loggedSent), used);
  return {
    limit: input.limit,
    sent,
    reserved: used - sent,
    remaining: Math.max(0, input.limit - used),
    resetsAt: new Date(input.resetsAt).toISOString(),
    timeZone: input.timeZone,
    mailboxes: input.mailboxes.map((m) => {
      const boxUsed = input.mailboxUsed[m.id] ?? 0;
      return {
        id: m.id,
        name: m.name,
        address: m.address,
        cap: m.dailyCap,
        used: boxUsed,
        remaining: m.dailyCap === null ? null : Math.max(0, m.dailyCap - boxUsed),
      };
    }),
  };
}

/** The quota ledger's figures as the team feed carries them (workers/core/live-feed.ts). */
export type LedgerUsage = {
  sentToday: number;
  remaining: number;
  limit: number;
  resetsAt: string;
  mailboxes: Record<string, number>;
};

/**
 * The figure with the feed's newer ledger counts: the total, what remains and each
 * mailbox's use follow the feed; of the total, no more than the Email Log showed sent
 * when the figure was made counts as sent, the rest as reserved, until it is made again
 * (the meter has the page read it again a moment after the feed moves).
 */
export function withLedgerUsage(figure: UsageFigure, live: LedgerUsage): UsageFigure {
  // A new day began since the figure was made: nothing of it was sent yet as far as we know.
  const sameDay = Date.parse(live.resetsAt) === Date.parse(figure.resetsAt);
  const used = Math.max(0, live.sentToday);
  const sent = sameDay ? Math.min(figure.sent, used) : 0;
  return {
    ...figure,
    limit: live.limit,
    sent,
    reserved: used - sent,
    remaining: Math.max(0, live.remaining),
    resetsAt: live.resetsAt,
    mailboxes: figure.mailboxes.map((m) => {
      const counted = live.mailboxes[m.id] ?? 0;
      const boxUsed = sameDay ? Math.max(m.used, counted) : counted;
      return {
        ...m,
        used: boxUsed,
        remaining: m.cap === null ? null : Math.max(0, m.cap - boxUsed),
      };
    }),
  };
}
