import { z } from "zod";
import { CampaignStatusSchema, SendingWindowSchema, StageSchema } from "../../core/engine/schemas";

/** The campaign's definition as the DO stores it (versioned). */
export const CampaignDefSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  ownerId: z.string().nullable(),
  name: z.string(),
  shared: z.boolean(),
  jobId: z.string().nullable(),
  jobStage: z.string().nullable(),
  businessDaysOnly: z.boolean(),
  sendingWindow: SendingWindowSchema.nullable(),
  trackOpens: z.boolean(),
  trackClicks: z.boolean(),
  unsubscribeLink: z.boolean(),
  stopCompanyOnReply: z.boolean().default(false),
  status: CampaignStatusSchema,
  stages: z.array(StageSchema),
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type CampaignDef = z.infer<typeof CampaignDefSchema>;

/** Revs reserved per meta write (see nextRev). */
export const REV_BLOCK = 1_000;

/** Named numbers the DO keeps (outbox retry time, last broadcast version, SMS call markers…). */
export type MetaNumber =
  | "broadcast_rev"
  | "prepare_at"
  | "outbox_retry_at"
  | "mirror_at"
  | "mirror_since"
  | "outbox_attempts"
  | `sms_call:${string}`;

/**
 * The meta table: the definition (cached: the DO is single-threaded and storage is the
 * truth), the change counter shared by every row's rev, and named numbers.
 */
export class MetaTable {
  private def: CampaignDef | null | undefined;
  private stageIndex = new Map<string, number>();
  private rev: number;
  /** The highest rev stored as handed out: revs up to it may be used without a write. */
  private revCeiling: number;

  constructor(private readonly sql: SqlStorage) {
    // A restart resumes past everything a previous run may have handed out.
    this.rev = Number(this.get("rev") ?? "0");
    this.revCeiling = this.rev;
  }

  private get(key: string): string | null {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : null;
  }

  private set(key: string, value: string) {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  getDef(): CampaignDef | null {
    if (this.def === undefined) {
      const raw = this.get("campaign");
      this.remember(raw ? CampaignDefSchema.parse(JSON.parse(raw)) : null);
    }
    return this.def ?? null;
  }

  saveDef(def: CampaignDef) {
    this.set("campaign", JSON.stringify(def));
    this.remember(def);
  }

  private remember(def: CampaignDef | null) {
    this.def = def;
    this.stageIndex = new Map((def?.stages ?? []).map((s, i) => [s.id, i]));
  }

  /** A stage id's place in today's definition; past the last stage (null) is stages.length. */
  indexOf(stageId: string | null): number {
    const stages = this.getDef()?.stages ?? [];
    if (stageId === null) return stages.length;
    return this.stageIndex.get(stageId) ?? stages.length;
  }

  /** The id at a place in today's definition; null past the last stage. */
  idAt(index: number): string | null {
    return this.getDef()?.stages[index]?.id ?? null;
  }

  /**
   * A counter bumped by every change: prospect/message revs and the live version. Revs are
   * reserved REV_BLOCK at a time (one meta write per block, not per change): the stored
   * value is always at least every rev handed out, so a restart never repeats one (it may
   * skip some; revs only need to grow).
   */
  nextRev(): number {
    this.rev += 1;
    if (this.rev > this.revCeiling) {
      this.revCeiling = this.rev + REV_BLOCK - 1;
      this.set("rev", String(this.revCeiling));
    }
    return this.rev;
  }

  currentRev(): number {
    return this.rev;
  }

  /** The batch whose provider slot is held while its turn comes (its id, reused after a crash). */
  getHeldBatch(): string | null {
    return this.get("held_batch");
  }

  setHeldBatch(batchId: string | null) {
    if (batchId === null) this.sql.exec("DELETE FROM meta WHERE key = 'held_batch'");
    else this.set("held_batch", batchId);
  }

  getNumber(key: MetaNumber): number | null {
    const v = this.get(key);
    return v === null ? null : Number(v);
  }

  setNumber(key: MetaNumber, value: number | null) {
    if (value === null) this.sql.exec("DELETE FROM meta WHERE key = ?", key);
    else this.set(key, String(value));
  }
}
