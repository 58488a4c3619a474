import { Server } from "partyserver";
import { z } from "zod";

/**
 * Slots are spaced 2% wider than the rate: a request that leaves a few ms late (a busy
 * isolate, the network) would otherwise share a provider's one-second window with the
 * next one and draw a 429, which costs a whole slot.
 */
const HEADROOM = 1.02;

const AcquireSchema = z.object({
  ratePerSecond: z.number().positive().max(1_000),
  now: z.number(),
});

/**
 * One provider key's request rate, shared by every campaign of every team sending
 * through that key (named by a hash of the key). Grants request slots: the caller may
 * make its request at the returned time. A synchronous read-modify-write, so two callers
 * never get the same slot.
 */
export class Pacer extends Server<Env> {
  private nextSlot: number | null = null;

  private load(): number {
    if (this.nextSlot === null) {
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS slot (id INTEGER PRIMARY KEY, next INTEGER NOT NULL)",
      );
      const row = this.ctx.storage.sql.exec("SELECT next FROM slot WHERE id = 1").toArray()[0];
      this.nextSlot = row ? Number(row.next) : 0;
    }
    return this.nextSlot;
  }

  /** The time (ms) at which the caller may send one request. */
  async acquire(input: { ratePerSecond: number; now: number }): Promise<number> {
    const { ratePerSecond, now } = AcquireSchema.parse(input);
    const slot = Math.max(now, this.load());
    this.nextSlot = slot + (1000 / ratePerSecond) * HEADROOM;
    this.ctx.storage.sql.exec(
      "INSERT INTO slot (id, next) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET next = excluded.next",
      this.nextSlot,
    );
    return slot;
  }
}

/** The Pacer's name for a provider key: a hash, so the key itself is never a DO name. */
export async function pacerName(apiKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`pacer:${apiKey}`));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 40);
}
