import { ChangeLog } from "./changelog";
import { countingSql, type SqlCounts } from "./counter";
import { EngagementTable } from "./engagement";
import { HistoryTable } from "./history";
import { MessageTable } from "./messages";
import { type CampaignDef, MetaTable } from "./meta";
import { MoveTable } from "./moves";
import { OutboxTable } from "./outbox";
import { ProspectTable } from "./prospects";
import { ReservationTable } from "./reservations";
import { migrate } from "./schema";

export type { ChangeLog, Tombstone } from "./changelog";
export type { SqlCounts } from "./counter";
export type { EngagementTable } from "./engagement";
export type { HistoryEntry } from "./history";
export type { Message, MessageStatus, NewMessage } from "./messages";
export { stageKey } from "./messages";
export { type CampaignDef, CampaignDefSchema, type MetaNumber } from "./meta";
export type { MoveRecord } from "./moves";
export type { DirtyItem, DirtyKind } from "./outbox";
export {
  type PageKey,
  type Prospect,
  type ProspectFilterArgs,
  type ProspectOrder,
  pageKeyOf,
  type StoredProspect,
} from "./prospects";
export type { Reservation } from "./reservations";

/** The Campaign DO's SQLite storage, one module per table; storage is the state. */
export class CampaignStore {
  readonly meta: MetaTable;
  readonly outbox: OutboxTable;
  readonly prospects: ProspectTable;
  readonly messages: MessageTable;
  readonly history: HistoryTable;
  readonly reservations: ReservationTable;
  readonly engagement: EngagementTable;
  readonly moves: MoveTable;
  readonly changelog: ChangeLog;
  /** Statements run on this DO's SQLite since it woke (the bench's profile reads them). */
  readonly sqlCounts: SqlCounts = { statements: 0 };

  constructor(rawSql: SqlStorage) {
    const sql = countingSql(rawSql, this.sqlCounts);
    migrate(sql);
    this.meta = new MetaTable(sql);
    this.outbox = new OutboxTable(sql);
    this.prospects = new ProspectTable(sql, this.meta, this.outbox);
    this.messages = new MessageTable(sql, this.meta, this.outbox);
    this.history = new HistoryTable(sql);
    this.reservations = new ReservationTable(sql);
    this.engagement = new EngagementTable(sql);
    this.moves = new MoveTable(sql);
    this.changelog = new ChangeLog(sql, this.meta);
  }

  getDef(): CampaignDef | null {
    return this.meta.getDef();
  }

  /** The definition, for code that runs only once the campaign exists. */
  def(): CampaignDef {
    const def = this.meta.getDef();
    if (!def) throw new Error("The campaign does not exist");
    return def;
  }

  saveDef(def: CampaignDef) {
    this.meta.saveDef(def);
    this.outbox.mark("campaign", "index");
  }
}
