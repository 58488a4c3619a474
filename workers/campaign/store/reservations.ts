import { z } from "zod";
import { int, intOrNull, oneOf, table, text, textOrNull } from "./table";

/**
 * A quota reservation's life: reserving (id persisted, asking) → granted (answer stored)
 * → used (attempts persisted; nothing to give back) or releasing (unused units to give
 * back) → done. Anything but used/done after a crash is settled by releasing it.
 */
export const ReservationStateSchema = z.enum(["reserving", "granted", "releasing", "used", "done"]);
export type Reservation = {
  id: string;
  mailboxId: string | null;
  n: number;
  granted: number | null;
  used: number;
  state: z.infer<typeof ReservationStateSchema>;
  createdAt: number;
};

const RESERVATION = table<Reservation>("reservation", "id", {
  id: ["id", text],
  mailboxId: ["mailbox_id", textOrNull],
  n: ["n", int],
  granted: ["granted", intOrNull],
  used: ["used", int],
  state: ["state", oneOf((v) => ReservationStateSchema.parse(v))],
  createdAt: ["created_at", int],
});
const UPSERT = RESERVATION.upsertSql(["mailboxId", "n", "createdAt"]);

/** Quota reservations made with the Account DO, persisted before each call. */
export class ReservationTable {
  constructor(private readonly sql: SqlStorage) {}

  get(id: string): Reservation | null {
    const r = this.sql.exec("SELECT * FROM reservation WHERE id = ?", id).toArray()[0];
    return r ? RESERVATION.fromRow(r) : null;
  }

  put(r: Reservation) {
    this.sql.exec(UPSERT, ...RESERVATION.values(r));
  }

  /** Reservations not settled yet: asked for, granted but unused, or units to give back. */
  open(): Reservation[] {
    return this.sql
      .exec("SELECT * FROM reservation WHERE state IN ('reserving', 'granted', 'releasing')")
      .toArray()
      .map((r) => RESERVATION.fromRow(r));
  }
}
