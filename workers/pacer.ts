import { Server } from "partyserver";
import { z } from "zod";
import { emptyPacer, grant, handBack, type PacerState, usableUntil } from "./core/engine/pacing";

const HolderSchema = z.string().min(1).max(256);

export const AcquireArgsSchema = z.object({
  /** One request to be made (a campaign's batch key): asking again gets the same slot. */
  holder: HolderSchema,
  ratePerSecond: z.number().positive().max(1_000),
  now: z.number(),
  /** A slot at most this far away is the caller's to use now; a further one is held. */
  /** -1: only hold the slot (ask early, before the request is ready); never use it now. */
  maxWaitMs: z.number().min(-1).max(60_000),
});
export type AcquireArgs = z.infer<typeof AcquireArgsSchema>;
/** `until`: the last moment the slot may still be used (it must not leave its second). */
export type AcquireAnswer = { slot: number; use: boolean; until: number };

export const HandBackArgsSchema = z.object({ holder: HolderSchema, now: z.number() });
export type HandBackArgs = z.infer<typeof HandBackArgsSchema>;

/**
 * One provider key's request rate, shared by every campaign of every team sending
 * through that key (named by a hash of the key). Grants request slots (the rules are in
 * core/engine/pacing.ts); each call is a synchronous read-modify-write, so two callers
 * never get the same slot.
 */
export class Pacer extends Server<Env> {
  /** A cache of the tables below, rebuilt on first use after the object wakes. */
  private state: PacerState | null = null;

  private load(): PacerState {
    if (this.state) return this.state;
    const sql = this.ctx.storage.sql;
    // The first version's `slot` table held a tail that counted slots given up and never
    // used, possibly hours ahead: starting afresh risks at most the 2 s of waits in flight.
    sql.exec(
      `DROP TABLE IF EXISTS slot;
       CREATE TABLE IF NOT EXISTS tail (id INTEGER PRIMARY KEY CHECK (id = 1), next REAL NOT NULL);
       CREATE TABLE IF NOT EXISTS held (holder TEXT PRIMARY KEY, slot INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS free (slot INTEGER NOT NULL);`,
    );
    const tail = sql.exec("SELECT next FROM tail WHERE id = 1").toArray()[0];
    const state = emptyPacer();
    if (tail) state.next = Number(tail.next);
    for (const row of sql.exec("SELECT holder, slot FROM held")) {
      state.held.set(String(row.holder), Number(row.slot));
    }
    state.free = sql
      .exec("SELECT slot FROM free ORDER BY slot")
      .toArray()
      .map((row) => Number(row.slot));
    this.state = state;
    return state;
  }

  /** Writes what changed from `before` to `after` (a few rows per call), then caches it. */
  private save(before: PacerState, after: PacerState) {
    const sql = this.ctx.storage.sql;
    if (after.next !== before.next) {
      sql.exec(
        "INSERT INTO tail (id, next) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET next = excluded.next",
        after.next,
      );
    }
    for (const holder of before.held.keys()) {
      if (!after.held.has(holder)) sql.exec("DELETE FROM held WHERE holder = ?", holder);
    }
    for (const [holder, slot] of after.held) {
      if (before.held.get(holder) === slot) continue;
      sql.exec(
        "INSERT INTO held (holder, slot) VALUES (?, ?) ON CONFLICT(holder) DO UPDATE SET slot = excluded.slot",
        holder,
        slot,
      );
    }
    const freeChanged =
      after.free.length !== before.free.length || after.free.some((s, i) => s !== before.free[i]);
    if (freeChanged) {
      sql.exec("DELETE FROM free");
      for (const slot of after.free) sql.exec("INSERT INTO free (slot) VALUES (?)", slot);
    }
    this.state = after;
  }

  /**
   * The caller's slot for one request. `use`: send at `slot` (wait for it); otherwise
   * come back shortly before `slot` with the same holder, and get the same slot.
   */
  async acquire(input: AcquireArgs): Promise<AcquireAnswer> {
    const args = AcquireArgsSchema.parse(input);
    const before = this.load();
    const { state, slot, use } = grant(before, args);
    this.save(before, state);
    return { slot, use, until: usableUntil(slot, args.ratePerSecond) };
  }

  /** Frees the holder's slot for the next asker: it has nothing left to send. */
  async handBack(input: HandBackArgs): Promise<void> {
    const args = HandBackArgsSchema.parse(input);
    const before = this.load();
    this.save(before, handBack(before, args));
  }
}

/** Names already hashed: a key's name is asked for on every alarm of every campaign. */
const pacerNames = new Map<string, string>();

/** The Pacer's name for a provider key: a hash, so the key itself is never a DO name. */
export async function pacerName(apiKey: string): Promise<string> {
  const known = pacerNames.get(apiKey);
  if (known) return known;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`pacer:${apiKey}`));
  const name = [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 40);
  pacerNames.set(apiKey, name);
  return name;
}
