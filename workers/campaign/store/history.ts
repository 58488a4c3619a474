import type { ProspectStatus, Reason } from "../../core/engine/statuses";
import { ReasonSchema, StatusSchema } from "../../core/engine/statuses";
import { int, oneOfOrNull, table, text, textOrNull } from "./table";

export type HistoryEntry = {
  personId: string;
  at: number;
  actor: string;
  action: string;
  fromStatus: ProspectStatus | null;
  toStatus: ProspectStatus | null;
  reason: Reason | null;
  detail: string | null;
};

const HISTORY = table<HistoryEntry>("history", "personId", {
  personId: ["person_id", text],
  at: ["at", int],
  actor: ["actor", text],
  action: ["action", text],
  fromStatus: ["from_status", oneOfOrNull((v) => StatusSchema.parse(v))],
  toStatus: ["to_status", oneOfOrNull((v) => StatusSchema.parse(v))],
  reason: ["reason", oneOfOrNull((v) => ReasonSchema.parse(v))],
  detail: ["detail", textOrNull],
});
const INSERT = HISTORY.insertSql();

/** Each prospect's timeline: every action and automatic move, with its actor. */
export class HistoryTable {
  constructor(private readonly sql: SqlStorage) {}

  add(e: HistoryEntry) {
    this.sql.exec(INSERT, ...HISTORY.values(e));
  }

  of(personId: string): HistoryEntry[] {
    return this.sql
      .exec("SELECT * FROM history WHERE person_id = ? ORDER BY id", personId)
      .toArray()
      .map((r) => HISTORY.fromRow(r));
  }
}
