import type { ProspectStatus, Reason } from "../../core/engine/statuses";
import { ReasonSchema, StatusSchema } from "../../core/engine/statuses";
import { jsonChunks } from "../../db/json-ids";
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
const INSERT_MANY = HISTORY.insertJsonSql();

/** Each prospect's timeline: every action and automatic move, with its actor. */
export class HistoryTable {
  constructor(private readonly sql: SqlStorage) {}

  add(e: HistoryEntry) {
    this.sql.exec(INSERT, ...HISTORY.values(e));
  }

  /** Many entries in one statement per 1.5 MB (in order: ids follow the list). */
  addMany(entries: HistoryEntry[]) {
    for (const json of jsonChunks(entries.map((e) => HISTORY.values(e)))) {
      this.sql.exec(INSERT_MANY, json);
    }
  }

  of(personId: string): HistoryEntry[] {
    return this.sql
      .exec("SELECT * FROM history WHERE person_id = ? ORDER BY id", personId)
      .toArray()
      .map((r) => HISTORY.fromRow(r));
  }
}
