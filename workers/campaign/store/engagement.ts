import { z } from "zod";
import { ENGAGEMENT_KINDS, type EngagementKind } from "../../core/engine/metrics";

const EngagementKindSchema = z.enum(ENGAGEMENT_KINDS);

/** First open, click, download and reply per person and stage. */
export class EngagementTable {
  constructor(private readonly sql: SqlStorage) {}

  /** The first time a person did something at a stage; later times keep the first. */
  add(e: { personId: string; stageId: string; kind: EngagementKind; at: number }): boolean {
    const res = this.sql.exec(
      "INSERT INTO engagement (person_id, stage_id, kind, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      e.personId,
      e.stageId,
      e.kind,
      e.at,
    );
    return res.rowsWritten > 0;
  }

  all(): { personId: string; stageId: string; kind: EngagementKind }[] {
    return this.sql
      .exec("SELECT person_id, stage_id, kind FROM engagement")
      .toArray()
      .map((r) => ({
        personId: String(r.person_id),
        stageId: String(r.stage_id),
        kind: EngagementKindSchema.parse(r.kind),
      }));
  }
}
