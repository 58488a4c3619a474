import { z } from "zod";
import { ENGAGEMENT_KINDS, type EngagementKind } from "../../core/engine/metrics";

const EngagementKindSchema = z.enum(ENGAGEMENT_KINDS);

/** First open, click, download and reply per person and stage. */
export class EngagementTable {
  constructor(private readonly sql: SqlStorage) {}

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
