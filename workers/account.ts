import { eq } from "drizzle-orm";
import { type Connection, type ConnectionContext, Server } from "partyserver";
import { z } from "zod";
import { clock } from "./clock";
import {
  newLedger,
  type QuotaLedger,
  release,
  reserve,
  rollOver,
  type Usage,
  usage,
} from "./core/engine/quota";
import { DEFAULT_TEAM_LIMITS, type TeamLimits, TeamLimitsSchema } from "./core/engine/schemas";
import {
  type AccountEntry,
  AccountEntrySchema,
  type LiveUsage,
  parseSince,
} from "./core/live-feed";
import { db, schema } from "./db/client";
import { inInvocation } from "./db/limits";
import { AccountLog, changeFrames } from "./live/account-log";

/** Entries one publish may carry (a mirror flush writes at most FLUSH_ITEMS changes, plus its summary). */
const MAX_PUBLISHED = 5_000;
const PublishSchema = z.array(AccountEntrySchema).max(MAX_PUBLISHED);
const ConnectionUserSchema = z.object({ userId: z.string().nullable() });

export const ReserveArgsSchema = z.object({
  reservationId: z.string().min(1),
  n: z.number().int().min(0),
  mailboxId: z.string().nullable(),
  mailboxCap: z.number().int().min(0).nullable(),
});
export type ReserveArgs = z.infer<typeof ReserveArgsSchema>;
export type ReserveAnswer = { granted: number; resetsAt: number; onLimit: TeamLimits["onLimit"] };

const ReleaseArgsSchema = z.object({
  reservationId: z.string().min(1),
  n: z.number().int().min(0),
});

/** The day's counters (small: one number per mailbox); reservations live in their own table. */
const CountersSchema = z.object({
  day: z.string(),
  endsAt: z.number().optional(),
  used: z.number(),
  mailboxUsed: z.record(z.string(), z.number()),
});
type Counters = z.infer<typeof CountersSchema>;

const ReservationRowSchema = z.object({
  n: z.number(),
  granted: z.number(),
  released: z.number(),
  mailboxId: z.string().optional(),
  day: z.string(),
});

/**
 * One team ("account"): the daily email quota shared by all its campaigns — atomic,
 * idempotent by reservation id — and the team-wide live feed.
 */
export class Account extends Server<Env> {
  static options = { hibernate: true };

  private ready = false;
  private cachedLog: AccountLog | null = null;
  /**
   * The stored limits and counters as last read or written. This object is the only
   * writer of both, so its copy stays true while it lives; reserve and release, 1,000 a
   * second at peak, then skip a read and a parse of each.
   */
  private cachedLimits: TeamLimits | null = null;
  private cachedCounters: Counters | null = null;

  /** The team feed's change log (see workers/live/account-log.ts). */
  private get log(): AccountLog {
    this.setup();
    this.cachedLog ??= new AccountLog(this.ctx.storage.sql);
    return this.cachedLog;
  }

  private setup() {
    if (this.ready) return;
    this.ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS reservation (id TEXT PRIMARY KEY, value TEXT NOT NULL, day TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS reservation_day ON reservation(day);`,
    );
    this.ready = true;
  }

  private read<T>(key: string, parse: (v: unknown) => T): T | null {
    this.setup();
    const row = this.ctx.storage.sql.exec("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
    return row ? parse(JSON.parse(String(row.value))) : null;
  }

  private write(key: string, value: unknown) {
    this.ctx.storage.sql.exec(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  /** The team's limits: set through setLimits, else read once from D1's team settings. */
  private async limits(): Promise<TeamLimits> {
    if (this.cachedLimits) return this.cachedLimits;
    const stored = this.read("limits", (v) => TeamLimitsSchema.parse(v));
    if (stored) {
      this.cachedLimits = stored;
      return stored;
    }
    const row = await db(this.env).query.teamSettings.findFirst({
      where: eq(schema.teamSettings.teamId, this.name),
    });
    const limits = row
      ? { dailyEmailLimit: row.dailyEmailLimit, onLimit: row.onLimit, timeZone: row.timeZone }
      : DEFAULT_TEAM_LIMITS;
    this.write("limits", limits);
    this.cachedLimits = limits;
    return limits;
  }

  /**
   * The ledger the pure core works on, holding only the reservation asked about: the
   * day's counters plus one row, so a call costs the same at the first and the
   * 100,000th reservation of the day.
   */
  private ledger(now: number, timeZone: string, reservationId?: string): QuotaLedger {
    this.cachedCounters ??= this.read("counters", (v) => CountersSchema.parse(v));
    const base = this.cachedCounters ?? newLedger(now, timeZone);
    const reservations: QuotaLedger["reservations"] = {};
    if (reservationId) {
      const row = this.ctx.storage.sql
        .exec("SELECT value FROM reservation WHERE id = ?", reservationId)
        .toArray()[0];
      if (row)
        reservations[reservationId] = ReservationRowSchema.parse(JSON.parse(String(row.value)));
    }
    return { ...base, reservations };
  }

  private saveLedger(state: QuotaLedger, reservationId: string) {
    const { reservations, ...counters } = state;
    const counted: Counters = counters;
    this.write("counters", counted);
    this.cachedCounters = counted;
    const r = reservations[reservationId];
    if (r) {
      this.ctx.storage.sql.exec(
        "INSERT INTO reservation (id, value, day) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value",
        reservationId,
        JSON.stringify(r),
        r.day,
      );
    }
    // A retry across midnight is still answered the same; reservations older than that are done.
    const cutoff = new Date(Date.parse(`${state.day}T00:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);
    this.ctx.storage.sql.exec("DELETE FROM reservation WHERE day < ?", cutoff);
  }

  async setLimits(input: TeamLimits): Promise<TeamLimits> {
    const limits = TeamLimitsSchema.parse(input);
    this.setup();
    this.write("limits", limits);
    this.cachedLimits = limits;
    return limits;
  }

  async getLimits(): Promise<TeamLimits> {
    return inInvocation(() => this.limits());
  }

  /**
   * Reserves up to n sends for a reservation id the caller persisted first. Asking again
   * with the same id answers the same and counts nothing (a crash and retry is safe).
   */
  async reserve(input: ReserveArgs): Promise<ReserveAnswer> {
    return inInvocation(async () => {
      const args = ReserveArgsSchema.parse(input);
      const limits = await this.limits();
      const now = clock.now();
      // Everything below is synchronous: no other request interleaves between read and write.
      const result = reserve(this.ledger(now, limits.timeZone, args.reservationId), {
        id: args.reservationId,
        n: args.n,
        limit: limits.dailyEmailLimit,
        mailboxId: args.mailboxId ?? undefined,
        mailboxCap: args.mailboxCap,
        now,
        timeZone: limits.timeZone,
      });
      this.saveLedger(result.state, args.reservationId);
      if (result.granted > 0) this.publishUsage(limits, now);
      return { granted: result.granted, resetsAt: result.resetsAt, onLimit: limits.onLimit };
    });
  }

  /** Gives back the units of a reservation that never reached the provider (idempotent). */
  async release(input: { reservationId: string; n: number }): Promise<number> {
    return inInvocation(async () => {
      const args = ReleaseArgsSchema.parse(input);
      const limits = await this.limits();
      const now = clock.now();
      const ledger = rollOver(
        this.ledger(now, limits.timeZone, args.reservationId),
        now,
        limits.timeZone,
      );
      const result = release(ledger, { id: args.reservationId, n: args.n });
      this.saveLedger(result.state, args.reservationId);
      if (result.released > 0) this.publishUsage(limits, now);
      return result.released;
    });
  }

  async usage(): Promise<Usage & { limits: TeamLimits }> {
    return inInvocation(async () => {
      const limits = await this.limits();
      const now = clock.now();
      const u = usage(
        this.ledger(now, limits.timeZone),
        limits.dailyEmailLimit,
        now,
        limits.timeZone,
      );
      return { ...u, limits };
    });
  }

  // ── the team feed (/parties/account/<teamId>)

  /** Today's usage as the feed shows it, from the stored counters (synchronous). */
  private liveUsage(limits: TeamLimits, now: number): LiveUsage {
    const ledger = rollOver(this.ledger(now, limits.timeZone), now, limits.timeZone);
    const u = usage(ledger, limits.dailyEmailLimit, now, limits.timeZone);
    return {
      sentToday: u.sentToday,
      remaining: u.remaining,
      limit: limits.dailyEmailLimit,
      resetsAt: new Date(u.resetsAt).toISOString(),
      mailboxes: ledger.mailboxUsed,
    };
  }

  /** One usage entry per quota change (a reserve or release call), coalesced in the log. */
  private publishUsage(limits: TeamLimits, now: number) {
    this.record([{ kind: "usage", usage: this.liveUsage(limits, now) }]);
  }

  private record(entries: AccountEntry[]) {
    if (entries.length === 0) return;
    const before = this.log.version();
    const version = this.log.append(entries, clock.now());
    for (const frame of changeFrames(entries, before, version)) this.broadcast(frame);
  }

  /**
   * What a campaign's mirror flush wrote (its summary, Outreach lines, removals, Email Log
   * rows): logged under a new version and sent to everyone watching the team feed.
   */
  async publish(entriesInput: AccountEntry[]): Promise<number> {
    const entries = PublishSchema.parse(entriesInput);
    this.record(entries);
    return this.log.version();
  }

  /** The feed's current version (a page that loads data from D1 can follow from it). */
  async feedVersion(): Promise<number> {
    return this.log.version();
  }

  /**
   * Hello, then — with `?since=<version>` — everything missed, sent before any await so no
   * broadcast slips between; then today's usage.
   */
  async onConnect(connection: Connection, ctx: ConnectionContext) {
    connection.setState({ userId: ctx.request.headers.get("X-Beacon-User") });
    const log = this.log;
    connection.send(JSON.stringify({ type: "hello", teamId: this.name, version: log.version() }));
    const since = parseSince(new URL(ctx.request.url).searchParams.get("since"));
    if (since !== null) for (const frame of log.framesSince(since)) connection.send(frame);
    const limits = await inInvocation(() => this.limits());
    const entry: AccountEntry = { kind: "usage", usage: this.liveUsage(limits, clock.now()) };
    connection.send(
      JSON.stringify({ type: "changes", version: this.log.version(), entries: [entry] }),
    );
  }

  onMessage(connection: Connection, _message: unknown) {
    connection.send(JSON.stringify({ type: "error", message: "This feed takes no messages." }));
  }

  /** Closes a user's team-feed connections at once (removed from the team). */
  async disconnectUser(userId: string): Promise<number> {
    const id = z.string().min(1).parse(userId);
    let closed = 0;
    for (const connection of this.getConnections()) {
      const state = ConnectionUserSchema.safeParse(connection.state);
      if (state.success && state.data.userId === id) {
        connection.close(4003, "You are no longer a member of this team");
        closed++;
      }
    }
    return closed;
  }
}
