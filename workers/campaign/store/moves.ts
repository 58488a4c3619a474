import { z } from "zod";

const IdsSchema = z.array(z.string());

/**
 * Moves by move id, on both sides. The source writes its intent (target and people)
 * before asking the target and the answer once the people have left; the target keeps a
 * receipt of whom a move id enrolled. A retried move finds either and completes.
 */
export type MoveRecord =
  | { state: "pending"; targetId: string; personIds: string[] }
  | { state: "done"; result: string };

export class MoveTable {
  constructor(private readonly sql: SqlStorage) {}

  get(moveId: string): MoveRecord | null {
    const row = this.sql.exec("SELECT * FROM moves WHERE move_id = ?", moveId).toArray()[0];
    if (!row) return null;
    if (row.state === "pending") {
      return {
        state: "pending",
        targetId: String(row.target_id),
        personIds: IdsSchema.parse(JSON.parse(String(row.person_ids ?? "[]"))),
      };
    }
    return { state: "done", result: String(row.result) };
  }

  begin(moveId: string, targetId: string, personIds: string[]) {
    this.sql.exec(
      `INSERT INTO moves (move_id, state, target_id, person_ids, result) VALUES (?, 'pending', ?, ?, '')
       ON CONFLICT(move_id) DO UPDATE SET state = 'pending', target_id = excluded.target_id, person_ids = excluded.person_ids`,
      moveId,
      targetId,
      JSON.stringify(personIds),
    );
  }

  finish(moveId: string, result: string) {
    this.sql.exec(
      `INSERT INTO moves (move_id, state, result) VALUES (?, 'done', ?)
       ON CONFLICT(move_id) DO UPDATE SET state = 'done', result = excluded.result`,
      moveId,
      result,
    );
  }

  /** The target's side: whom this move id enrolled here, if it was received before. */
  receipt(moveId: string): string[] | null {
    const row = this.sql
      .exec("SELECT enrolled FROM receipts WHERE move_id = ?", moveId)
      .toArray()[0];
    return row ? IdsSchema.parse(JSON.parse(String(row.enrolled))) : null;
  }

  putReceipt(moveId: string, enrolled: string[]) {
    this.sql.exec(
      "INSERT OR REPLACE INTO receipts (move_id, enrolled) VALUES (?, ?)",
      moveId,
      JSON.stringify(enrolled),
    );
  }
}
